// The live connection to a session room: a WebSocket, or SSE plus POST /actions when WebSocket is unavailable. It
// resumes after a drop with `since`, counts every durable event once, and shows its state in the top bar.
import { api } from './api.js';
import { refreshTokens, signedOut, tokenExpiry, tokens } from './auth.js';
import { byId, showAlert } from './dom.js';

const RECONNECT_MAX_DELAY_MS = 5000;
// Close codes after which reconnecting cannot help: no access, or access lost (4401 is handled by a refresh).
const FINAL_CLOSE_CODES = new Set([4403, 4404]);
const SERVER_FRAME_TYPES = [
  'connected', 'user_joined', 'user_left', 'chat_message', 'code_comment', 'reaction_update', 'session_update',
  'cursor_update', 'viewport_update', 'presence_update', 'message_updated', 'message_deleted', 'direct_message',
  'participant_updated', 'ack', 'pong', 'error',
];

export class RoomConnection {
  constructor(sessionId, onFrame) {
    this.sessionId = sessionId;
    this.onFrame = onFrame;
    this.lastEventId = null;
    this.useSse = false;
    this.socket = null;
    this.source = null;
    this.webSocketEverOpened = false;
    this.failedOpens = 0;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.closed = false;
    this.openedAt = null;
    this.resumed = false;
  }

  setState(text) {
    byId('connection-state').textContent = text;
  }

  start() {
    this.setState('connecting…');
    this.connect();
  }

  query() {
    const query = new URLSearchParams({ token: tokens.access });
    if (this.lastEventId !== null) query.set('since', String(this.lastEventId));
    return query;
  }

  connect() {
    if (this.closed) return;
    if (this.useSse) return this.openEventSource();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    let socket;
    try {
      socket = new WebSocket(`${scheme}://${location.host}/ws/session/${encodeURIComponent(this.sessionId)}?${this.query()}`);
    } catch {
      return this.fallBackToSse();
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.webSocketEverOpened = true;
      this.failedOpens = 0;
      this.attempt = 0;
      this.markOpen();
      this.setState('connected');
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket !== socket || this.closed) return;
      this.socket = null;
      if (!opened && !this.webSocketEverOpened && ++this.failedOpens >= 2) return this.fallBackToSse();
      this.handleClose(event.code);
    };
  }

  fallBackToSse() {
    this.useSse = true;
    this.openEventSource();
  }

  openEventSource() {
    const source = new EventSource(`/api/sessions/${encodeURIComponent(this.sessionId)}/stream?${this.query()}`);
    this.source = source;
    source.onopen = () => {
      this.attempt = 0;
      this.markOpen();
      this.setState('connected (SSE)');
    };
    // SSE names each event by its frame type, so every type needs its own listener.
    for (const type of SERVER_FRAME_TYPES) {
      source.addEventListener(type, (event) => {
        // A transport failure is an 'error' event too, one without data.
        if (event.data !== undefined) this.receive(event.data);
      });
    }
    source.onerror = () => {
      if (this.source !== source || this.closed) return;
      if (source.readyState === EventSource.CONNECTING) {
        // EventSource retries by itself and resumes with Last-Event-ID.
        this.setState('reconnecting… (SSE)');
        return;
      }
      // Closed for good (EventSource gives up on an HTTP error): open a new one with `since`, and a fresh token
      // when the old one is about to expire (the likely refusal).
      source.close();
      this.source = null;
      const expiry = tokenExpiry(tokens.access);
      this.handleClose(expiry && expiry - Date.now() < 60000 ? 4401 : 1006);
    };
  }

  markOpen() {
    this.resumed = this.openedAt !== null;
    this.openedAt = Date.now();
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof frame.id === 'number') {
      // Replays after a resume overlap what arrived live; every durable event counts once.
      if (this.lastEventId !== null && frame.id <= this.lastEventId) return;
      this.lastEventId = frame.id;
    }
    // The first connection starts live from here; a resume keeps its own position.
    if (frame.type === 'connected' && this.lastEventId === null) this.lastEventId = frame.last_event_id ?? 0;
    this.onFrame(frame, this);
    if (frame.type === 'error' && ['ACCESS_REVOKED', 'NOT_FOUND'].includes(frame.error_code)) {
      this.close();
      this.setState('disconnected: no access to this session');
    }
  }

  async handleClose(code) {
    if (this.closed) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.closed = true;
      this.setState('disconnected: no access to this session');
      return;
    }
    this.setState(this.useSse ? 'reconnecting… (SSE)' : 'reconnecting…');
    if (code === 4401) {
      try {
        await refreshTokens();
      } catch {
        return signedOut('Your login has ended; please log in again.');
      }
    }
    const delay = Math.min(RECONNECT_MAX_DELAY_MS, 250 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  // After a token refresh the open WebSocket keeps living with the new token; an EventSource picks it up on reopen.
  renewToken() {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'auth', token: tokens.access }));
  }

  async send(frame) {
    if (!this.useSse) {
      if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
        showAlert('Not connected: your change was not sent. Try again once the connection is back.');
        return false;
      }
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    try {
      await api(`/api/sessions/${encodeURIComponent(this.sessionId)}/actions`, { method: 'POST', body: frame });
      return true;
    } catch (error) {
      showAlert(`${error.code || 'ERROR'}: ${error.message}`);
      return false;
    }
  }

  close() {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    if (this.socket) this.socket.close(1000);
    if (this.source) this.source.close();
    this.socket = null;
    this.source = null;
  }
}
