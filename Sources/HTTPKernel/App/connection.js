// The live connection to a session room: a WebSocket, or SSE plus POST /actions when WebSocket is unavailable. It
// resumes after a drop with `since`, counts every durable event once, and shows its state in the top bar.
import { api, loginEnded, request } from './api.js';
import { refreshTokens, signedOut, tokens } from './auth.js';
import { byId, showAlert } from './dom.js';

const RECONNECT_MAX_DELAY_MS = 5000;
// Close codes after which reconnecting cannot help: no access, or access lost (4401 is handled by a refresh).
const FINAL_CLOSE_CODES = new Set([4403, 4404]);
const SERVER_FRAME_TYPES = [
  'connected', 'user_joined', 'users_joined', 'user_left', 'chat_message', 'code_comment', 'reaction_update', 'session_update',
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
    this.opened = false;
    this.resumed = false;
    // On a resumed connection, the newest id stored when it subscribed: events up to it were missed while away.
    this.resumedThrough = null;
    this.lastErrorCode = null;
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
      this.markOpen();
      this.setState('connected');
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket !== socket || this.closed) return;
      this.socket = null;
      if (!opened && !this.webSocketEverOpened && ++this.failedOpens >= 2) return this.fallBackIfServerAnswers();
      this.handleClose(event.code);
    };
  }

  // Two WebSockets that never opened mean a network that blocks them only if the server answers plain HTTP; a server
  // that is down (restarting as the page loads) is waited for over WebSocket still.
  async fallBackIfServerAnswers() {
    try {
      await request('/health', { authorized: false });
    } catch {
      this.failedOpens = 0;
      return this.handleClose(1006);
    }
    if (!this.closed) this.fallBackToSse();
  }

  fallBackToSse() {
    this.useSse = true;
    this.openEventSource();
  }

  openEventSource() {
    const source = new EventSource(`/api/sessions/${encodeURIComponent(this.sessionId)}/stream?${this.query()}`);
    this.source = source;
    source.onopen = () => {
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
      // Closed for good: EventSource gave up on an HTTP error, whose status it does not tell.
      source.close();
      this.source = null;
      this.reconnectAfterCheckingAccess();
    };
  }

  // Asks the REST API what the stream's refusal was: a 404 (no access, or the session is gone) ends the room, a
  // 401 renews the token or ends the login (api() does both), and anything else is retried with `since`.
  async reconnectAfterCheckingAccess() {
    try {
      await api(`/api/sessions/${encodeURIComponent(this.sessionId)}`);
    } catch (error) {
      if (error.status === 404) return this.handleClose(4404);
      if (loginEnded(error)) return;
    }
    this.handleClose(1006);
  }

  markOpen() {
    this.resumed = this.opened;
    this.opened = true;
    this.resumedThrough = null;
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    // An ack's id is the stored event's, whose own frame must still count.
    if (typeof frame.id === 'number' && frame.type !== 'ack') {
      // Replays after a resume overlap what arrived live; every durable event counts once.
      if (this.lastEventId !== null && frame.id <= this.lastEventId) return;
      this.lastEventId = frame.id;
    }
    if (frame.type === 'connected') {
      // Only a welcome resets the backoff: the server accepts every upgrade and refuses after it.
      this.attempt = 0;
      if (this.resumed) this.resumedThrough = frame.last_event_id;
      // The first connection starts live from here; a resume keeps its own position.
      if (this.lastEventId === null) this.lastEventId = frame.last_event_id ?? 0;
    }
    if (frame.type === 'error') this.lastErrorCode = frame.error_code;
    this.onFrame(frame, this);
    // Over WebSocket a lost session closes with 4404; a NOT_FOUND frame there answers one message (a reaction to a
    // deleted message). An SSE stream ends with its reason as an event instead.
    if (frame.type === 'error' && (frame.error_code === 'ACCESS_REVOKED' || (this.useSse && frame.error_code === 'NOT_FOUND'))) {
      this.close();
      this.setState('disconnected: no access to this session');
    }
  }

  // Whether a durable frame was stored while this page was away, and replayed on its return.
  wasMissed(frame) {
    return this.resumedThrough !== null && typeof frame.id === 'number' && frame.id <= this.resumedThrough;
  }

  async handleClose(code) {
    if (this.closed) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.closed = true;
      this.setState('disconnected: no access to this session');
      return;
    }
    // One user's connections are capped: another attempt would be refused the same way until a tab closes.
    if (code === 1008 && this.lastErrorCode === 'TOO_MANY_CONNECTIONS') {
      this.closed = true;
      this.setState('disconnected: too many open connections; close another tab and reload');
      return;
    }
    this.setState(this.useSse ? 'reconnecting… (SSE)' : 'reconnecting…');
    if (code === 4401) {
      try {
        await refreshTokens();
      } catch (error) {
        if (loginEnded(error)) return signedOut('Your login has ended; please log in again.');
      }
    }
    const delay = Math.min(RECONNECT_MAX_DELAY_MS, 250 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  // After a token refresh the open WebSocket keeps living with the new token; an EventSource, which cannot renew in
  // band, reopens with it (resuming with `since`) before the old one expires.
  renewToken() {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'auth', token: tokens.access }));
    if (this.source && !this.closed) {
      this.source.close();
      this.openEventSource();
    }
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
