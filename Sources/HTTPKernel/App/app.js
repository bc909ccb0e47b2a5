// SessionHub live collaboration page: accounts, the session list and a session room over WebSocket (or SSE plus
// POST /actions when WebSocket is unavailable). Everything a user typed is put in the page with textContent only.
(() => {
  'use strict';

  const byId = (id) => document.getElementById(id);
  const REACTION_CHOICES = ['👍', '🎉', '❤️', '👀'];
  const METRICS_REFRESH_MS = 15000;
  const RECONNECT_MAX_DELAY_MS = 5000;
  // Close codes after which reconnecting cannot help: no access, or access lost (4401 is handled by a refresh).
  const FINAL_CLOSE_CODES = new Set([4403, 4404]);
  const SERVER_FRAME_TYPES = [
    'connected', 'user_joined', 'user_left', 'chat_message', 'code_comment', 'reaction_update', 'session_update',
    'cursor_update', 'viewport_update', 'presence_update', 'message_updated', 'message_deleted', 'direct_message',
    'participant_updated', 'ack', 'pong', 'error',
  ];

  function element(tag, options = {}, children = []) {
    const node = document.createElement(tag);
    if (options.className) node.className = options.className;
    if (options.text !== undefined) node.textContent = options.text;
    for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, value);
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function showAlert(text) {
    const alerts = byId('alerts');
    alerts.append(element('p', { text }));
    // Only the latest few stay: old refusals are noise once the user has moved on.
    while (alerts.childElementCount > 3) alerts.firstElementChild.remove();
  }

  // ---- Tokens and the REST API ----

  const tokens = {
    get access() { return sessionStorage.getItem('sessionhub.access'); },
    get refresh() { return sessionStorage.getItem('sessionhub.refresh'); },
    store(pair) {
      sessionStorage.setItem('sessionhub.access', pair.access_token);
      sessionStorage.setItem('sessionhub.refresh', pair.refresh_token);
    },
    clear() {
      sessionStorage.removeItem('sessionhub.access');
      sessionStorage.removeItem('sessionhub.refresh');
    },
  };

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
      this.status = status;
      this.code = problem && problem.error_code;
    }
  }

  async function request(path, { method = 'GET', body, authorized = true } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (authorized && tokens.access) headers.Authorization = `Bearer ${tokens.access}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let payload = null;
    try {
      payload = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's error page): the status says enough.
    }
    if (!response.ok) throw new ApiError(response.status, payload);
    return payload;
  }

  // One refresh at a time: a refresh token works once, so two concurrent refreshes would end the login.
  let refreshInFlight = null;
  function refreshTokens() {
    if (!refreshInFlight) {
      refreshInFlight = (async () => {
        if (!tokens.refresh) throw new ApiError(401, null);
        tokens.store(await request('/api/auth/refresh', {
          method: 'POST', body: { refresh_token: tokens.refresh }, authorized: false,
        }));
        scheduleRefresh();
        if (room) room.connection.renewToken();
      })().finally(() => { refreshInFlight = null; });
    }
    return refreshInFlight;
  }

  // An authorized call that survives an expired access token; a login that cannot be renewed ends at the form.
  async function api(path, options) {
    try {
      return await request(path, options);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !tokens.refresh) throw error;
      try {
        await refreshTokens();
      } catch (refreshError) {
        signedOut('Your login has ended; please log in again.');
        throw refreshError;
      }
      return request(path, options);
    }
  }

  function tokenExpiry(token) {
    try {
      const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return payload.exp * 1000;
    } catch {
      return null;
    }
  }

  let refreshTimer = null;
  // Renewing a little before expiry keeps the live connection from being closed with TOKEN_EXPIRED.
  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    const expiry = tokens.access && tokenExpiry(tokens.access);
    if (!expiry) return;
    const delay = Math.max(5000, expiry - Date.now() - 30000);
    refreshTimer = setTimeout(() => refreshTokens().catch(() => signedOut('Your login has ended; please log in again.')), delay);
  }

  // ---- Views ----

  let me = null;
  let room = null;

  function showView(name) {
    byId('loading').hidden = true;
    for (const view of ['auth-view', 'sessions-view', 'room-view']) byId(view).hidden = view !== `${name}-view`;
    byId('account').hidden = name === 'auth';
    byId('connection-state').hidden = name !== 'room';
  }

  function signedOut(message) {
    leaveRoom();
    clearTimeout(refreshTimer);
    tokens.clear();
    me = null;
    if (message) showAlert(message);
    showView('auth');
    byId('login-username').focus();
  }

  async function route() {
    if (!tokens.access) return showView('auth');
    if (!me) {
      try {
        me = await api('/api/auth/me');
      } catch {
        return signedOut();
      }
      byId('account-name').textContent = me.username;
      scheduleRefresh();
    }
    const sessionId = new URLSearchParams(location.hash.slice(1)).get('session');
    if (sessionId) {
      if (!room || room.sessionId !== sessionId) enterRoom(sessionId);
    } else {
      leaveRoom();
      showView('sessions');
      loadSessions();
    }
  }

  function formValues(form) {
    return Object.fromEntries(new FormData(form).entries());
  }

  async function logIn(username, password) {
    tokens.store(await request('/api/auth/login', { method: 'POST', body: { username, password }, authorized: false }));
    await route();
  }

  byId('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const { username, password } = formValues(event.target);
    try {
      await logIn(username, password);
    } catch (error) {
      showAlert(`Login failed: ${error.message}`);
    }
  });

  byId('register-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const { email, username, password } = formValues(event.target);
    try {
      await request('/api/auth/register', { method: 'POST', body: { email, username, password }, authorized: false });
      await logIn(username, password);
    } catch (error) {
      showAlert(`Registration failed: ${error.message}`);
    }
  });

  byId('logout').addEventListener('click', async () => {
    const refreshToken = tokens.refresh;
    signedOut();
    if (refreshToken) {
      await request('/api/auth/logout', { method: 'POST', body: { refresh_token: refreshToken }, authorized: false }).catch(() => {});
    }
  });

  // ---- Session list ----

  let sessionsCursor = null;

  async function loadSessions(cursor = null) {
    const list = byId('session-list');
    const query = new URLSearchParams({ limit: '20' });
    if (cursor) query.set('cursor', cursor);
    let page;
    try {
      page = await api(`/api/sessions?${query}`);
    } catch (error) {
      return showAlert(`Could not list sessions: ${error.message}`);
    }
    if (!cursor) list.replaceChildren();
    for (const session of page.items) {
      const link = element('a', { text: session.project_name || session.type, attrs: { href: `#session=${session.id}` } });
      const details = element('span', { className: 'muted', text: ` ${session.type} · ${session.status} · ${session.role || 'viewer'}` });
      list.append(element('li', {}, [link, details]));
    }
    sessionsCursor = page.next_cursor;
    byId('more-sessions').hidden = !sessionsCursor;
    byId('session-list-empty').hidden = list.childElementCount > 0;
  }

  byId('more-sessions').addEventListener('click', () => loadSessions(sessionsCursor));

  byId('create-session-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = formValues(event.target);
    const body = { type: values.type, visibility: values.visibility };
    if (values.project_name) body.project_name = values.project_name;
    try {
      const session = await api('/api/sessions', { method: 'POST', body });
      location.hash = `session=${session.id}`;
    } catch (error) {
      showAlert(`Could not create the session: ${error.message}`);
    }
  });

  // ---- Live connection: WebSocket, or SSE plus POST /actions ----

  class RoomConnection {
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

  // ---- The room ----

  function enterRoom(sessionId) {
    leaveRoom();
    room = {
      sessionId,
      role: null,
      messages: new Map(),
      presence: new Map(),
      usernames: new Map(),
      historyLoaded: false,
      pendingFrames: [],
      missedIds: new Set(),
      composer: null,
      metricsTimer: null,
      metricsDebounce: null,
    };
    room.connection = new RoomConnection(sessionId, handleFrame);
    byId('message-list').replaceChildren();
    byId('presence-list').replaceChildren();
    byId('metrics').replaceChildren();
    byId('missed-summary').hidden = true;
    byId('room-title').textContent = 'Session';
    byId('room-role').textContent = '';
    setComposer(null);
    applyRole(null);
    showView('room');
    room.connection.start();
    refreshMetrics();
    loadParticipants();
    room.metricsTimer = setInterval(refreshMetrics, METRICS_REFRESH_MS);
  }

  function leaveRoom() {
    if (!room) return;
    room.connection.close();
    clearInterval(room.metricsTimer);
    clearTimeout(room.metricsDebounce);
    room = null;
  }

  async function loadParticipants() {
    const current = room;
    try {
      const participants = await api(`/api/sessions/${encodeURIComponent(current.sessionId)}/participants?limit=200`);
      for (const participant of participants.items) current.usernames.set(participant.user_id, participant.username);
      // Mentions are highlighted by username: messages shown before the names were known are drawn again.
      if (current === room) for (const message of current.messages.values()) renderMessage(message);
    } catch (error) {
      if (current === room) showAlert(`Could not list the participants: ${error.message}`);
    }
  }

  // History is read once the live stream has started, and live frames wait for it: applied in order after it, they
  // bring every message to its newest state whatever the two raced.
  async function loadHistory(current) {
    const path = `/api/sessions/${encodeURIComponent(current.sessionId)}/messages`;
    let cursor = null;
    try {
      do {
        const query = new URLSearchParams({ limit: '200' });
        if (cursor) query.set('cursor', cursor);
        const page = await api(`${path}?${query}`);
        for (const message of page.items) upsertMessage(message);
        cursor = page.next_cursor;
      } while (cursor && current === room);
    } catch (error) {
      if (current === room) showAlert(`Could not load the history: ${error.message}`);
    }
    if (current !== room) return;
    current.historyLoaded = true;
    for (const [frame, connection] of current.pendingFrames.splice(0)) applyFrame(frame, connection);
  }

  function handleFrame(frame, connection) {
    if (!room || room.connection !== connection) return;
    if (frame.type === 'connected' && !room.historyLoaded && room.pendingFrames.length === 0) {
      applyFrame(frame, connection);
      loadHistory(room);
      return;
    }
    if (!room.historyLoaded) room.pendingFrames.push([frame, connection]);
    else applyFrame(frame, connection);
  }

  function applyFrame(frame, connection) {
    if (typeof frame.id === 'number') scheduleMetricsRefresh();
    const posted = frame.message || frame.comment;
    // A resume replays what was stored while the page was away: new messages older than the reconnect.
    if (connection.resumed && ['chat_message', 'code_comment', 'direct_message'].includes(frame.type)
        && posted && !room.messages.has(posted.id) && Date.parse(frame.timestamp || frame.ts) < connection.openedAt) {
      room.missedIds.add(posted.id);
      const summary = byId('missed-summary');
      const count = room.missedIds.size;
      summary.textContent = `Caught up on ${count} message${count === 1 ? '' : 's'} missed while disconnected.`;
      summary.hidden = false;
    }
    switch (frame.type) {
      case 'connected': {
        applyRole(frame.your_role);
        room.presence.clear();
        for (const user of frame.users || []) {
          room.presence.set(user.user_id, user);
          room.usernames.set(user.user_id, user.username);
        }
        for (const participant of frame.users ? [] : frame.participants || []) {
          room.presence.set(participant.id, { user_id: participant.id, username: participant.username, role: participant.role, status: participant.status });
        }
        renderPresence();
        break;
      }
      case 'user_joined':
        room.presence.set(frame.user.user_id, frame.user);
        room.usernames.set(frame.user.user_id, frame.user.username);
        renderPresence();
        break;
      case 'user_left':
        room.presence.delete(frame.user_id);
        renderPresence();
        break;
      case 'presence_update':
        updatePresence(frame.user_id, { status: frame.status });
        break;
      case 'cursor_update':
        updatePresence(frame.user_id, { cursor: frame.cursor });
        break;
      case 'viewport_update':
        updatePresence(frame.user_id, { viewport: frame.viewport });
        break;
      case 'chat_message':
      case 'direct_message':
      case 'message_updated':
        upsertMessage(frame.message);
        break;
      case 'code_comment':
        upsertMessage(frame.comment || frame.message);
        break;
      case 'message_deleted': {
        const message = room.messages.get(frame.message_id);
        if (message) upsertMessage({ ...message, content: null, code_snippet: null, deleted_at: frame.timestamp || frame.ts });
        break;
      }
      case 'reaction_update': {
        const message = room.messages.get(frame.message_id);
        if (message) upsertMessage({ ...message, reactions: frame.reactions });
        break;
      }
      case 'participant_updated':
        if (frame.user_id === me.id) applyRole(frame.role);
        if (frame.role) updatePresence(frame.user_id, { role: frame.role });
        break;
      case 'error':
        showAlert(`${frame.error_code}: ${frame.message}`);
        break;
      default:
        break;
    }
  }

  function applyRole(role) {
    if (room) room.role = role;
    const canWrite = role === 'host' || role === 'editor';
    byId('room-role').textContent = role ? `You are ${role}` : '';
    byId('chat-form').hidden = !canWrite;
    byId('comment-form').hidden = !canWrite;
    byId('viewer-note').hidden = canWrite || !role;
    if (room) for (const message of room.messages.values()) renderMessage(message);
  }

  // ---- Presence ----

  function updatePresence(userId, changes) {
    const entry = room.presence.get(userId);
    if (!entry) return;
    Object.assign(entry, changes);
    renderPresence();
  }

  function position(entry) {
    if (entry.cursor && entry.cursor.file) return `${entry.cursor.file}:${entry.cursor.line}`;
    if (entry.viewport && entry.viewport.file) return `${entry.viewport.file}:${entry.viewport.start_line}-${entry.viewport.end_line}`;
    return 'no file open';
  }

  function renderPresence() {
    const list = byId('presence-list');
    const entries = [...room.presence.values()].sort((a, b) => a.username.localeCompare(b.username));
    byId('presence-title').textContent = `Who is here (${entries.length})`;
    list.replaceChildren(...entries.map((entry) => {
      const name = element('strong', { text: entry.username + (me && entry.user_id === me.id ? ' (you)' : '') });
      const status = element('span', { className: `status status-${entry.status}`, text: entry.status || 'active' });
      const role = element('span', { className: 'muted', text: entry.role || '' });
      const where = element('code', { className: 'position', text: position(entry) });
      return element('li', { attrs: { 'data-user-id': entry.user_id } }, [name, ' ', status, ' ', role, element('br'), where]);
    }));
  }

  byId('cursor-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const { file, line } = formValues(event.target);
    const cursor = { file, line: Number(line), column: 1 };
    // The server tells everyone but the sender, so the own entry is updated here.
    if (await room.connection.send({ type: 'cursor_update', data: cursor })) updatePresence(me.id, { cursor });
  });

  byId('presence-status').addEventListener('change', (event) => {
    room.connection.send({ type: 'presence_update', status: event.target.value });
  });

  // ---- Messages ----

  function mentionedUsernames(message) {
    return new Set((message.mentions || []).map((id) => room.usernames.get(id)).filter(Boolean));
  }

  // The text with every @username the server resolved as a mention in a <mark>.
  function messageBody(message) {
    const body = element('p', { className: 'message-body' });
    if (message.deleted_at || message.content === null) {
      body.classList.add('deleted');
      body.textContent = 'This message was deleted.';
      return body;
    }
    const mentioned = mentionedUsernames(message);
    for (const part of message.content.split(/(@[A-Za-z0-9_.-]+)/)) {
      const username = part.startsWith('@') ? part.slice(1).replace(/\.+$/, '') : null;
      if (username && mentioned.has(username)) {
        const mark = element('mark', { className: 'mention', text: `@${username}` });
        if (me && username === me.username) mark.classList.add('mention-me');
        body.append(mark, part.slice(username.length + 1));
      } else {
        body.append(part);
      }
    }
    return body;
  }

  function upsertMessage(message) {
    if (!message || !message.id) return;
    if (message.user_id && message.username) room.usernames.set(message.user_id, message.username);
    room.messages.set(message.id, message);
    renderMessage(message);
  }

  function messageItem(message) {
    let item = document.getElementById(`message-${message.id}`);
    if (item) return item;
    item = element('li', { className: 'message', attrs: { id: `message-${message.id}`, 'data-message-id': message.id } });
    const parent = message.parent_id && document.getElementById(`message-${message.parent_id}`);
    if (parent) {
      let replies = parent.querySelector(':scope > ol.replies');
      if (!replies) {
        replies = element('ol', { className: 'replies', attrs: { 'aria-label': 'Replies' } });
        parent.append(replies);
      }
      replies.append(item);
    } else {
      byId('message-list').append(item);
    }
    return item;
  }

  function renderMessage(message) {
    const item = messageItem(message);
    // Re-rendering replaces the buttons; keyboard focus returns to the same action.
    const focused = item.contains(document.activeElement) && !item.querySelector('ol.replies')?.contains(document.activeElement)
      ? document.activeElement.dataset.action : null;

    const canWrite = room.role === 'host' || room.role === 'editor';
    const own = me && message.user_id === me.id;
    const deleted = Boolean(message.deleted_at) || message.content === null;

    const header = element('p', { className: 'message-header' }, [
      element('strong', { text: message.username || 'system' }),
      ' ',
      element('time', { className: 'muted', text: new Date(message.created_at).toLocaleTimeString(), attrs: { datetime: message.created_at } }),
      message.edited_at && !deleted ? element('span', { className: 'muted', text: ' (edited)' }) : null,
      message.type === 'direct' ? element('span', { className: 'badge', text: 'direct' }) : null,
      room.missedIds.has(message.id) ? element('span', { className: 'badge missed-badge', text: 'missed while disconnected' }) : null,
    ]);
    const parts = [header];
    if (message.file) {
      parts.push(element('p', { className: 'comment-location' }, [
        'Comment on ', element('code', { text: `${message.file}:${message.line}` }),
      ]));
    }
    if (message.code_snippet && !deleted) parts.push(element('pre', { className: 'snippet' }, [element('code', { text: message.code_snippet })]));
    parts.push(messageBody(message));
    if (!deleted) parts.push(reactionBar(message, canWrite));

    const actions = element('div', { className: 'message-actions' });
    if (canWrite && !deleted) actions.append(actionButton('reply', 'Reply', message, () => setComposer({ mode: 'reply', message })));
    if (own && canWrite && !deleted) actions.append(actionButton('edit', 'Edit', message, () => setComposer({ mode: 'edit', message })));
    if (!deleted && canWrite && (own || room.role === 'host')) {
      actions.append(actionButton('delete', 'Delete', message, () => {
        if (confirm('Delete this message?')) room.connection.send({ type: 'delete_message', message_id: message.id });
      }));
    }
    if (actions.childElementCount) parts.push(actions);

    const replies = item.querySelector(':scope > ol.replies');
    item.replaceChildren(...parts, ...(replies ? [replies] : []));
    if (focused) item.querySelector(`:scope > * [data-action="${focused}"]`)?.focus();
  }

  function actionButton(action, label, message, onClick) {
    const button = element('button', {
      text: label, attrs: { type: 'button', 'data-action': action, 'aria-label': `${label} message from ${message.username || 'system'}` },
    });
    button.addEventListener('click', onClick);
    return button;
  }

  function reactionBar(message, canWrite) {
    const bar = element('div', { className: 'reactions', attrs: { role: 'group', 'aria-label': 'Reactions' } });
    const reactions = message.reactions || [];
    for (const reaction of reactions) {
      const mine = me && reaction.user_ids.includes(me.id);
      const label = `${reaction.emoji} ${reaction.count}`;
      if (!canWrite) {
        bar.append(element('span', { className: 'reaction', text: label, attrs: { 'data-emoji': reaction.emoji } }));
        continue;
      }
      const button = element('button', {
        className: 'reaction', text: label,
        attrs: {
          type: 'button', 'data-emoji': reaction.emoji, 'data-action': `reaction-${reaction.emoji}`, 'aria-pressed': String(mine),
          'aria-label': `${mine ? 'Remove' : 'Add'} reaction ${reaction.emoji}, ${reaction.count} so far`,
        },
      });
      button.addEventListener('click', () => room.connection.send({
        type: 'reaction', message_id: message.id, emoji: reaction.emoji, action: mine ? 'remove' : 'add',
      }));
      bar.append(button);
    }
    if (canWrite) {
      for (const emoji of REACTION_CHOICES.filter((choice) => !reactions.some((reaction) => reaction.emoji === choice))) {
        const button = element('button', {
          className: 'reaction reaction-new', text: `+${emoji}`,
          attrs: { type: 'button', 'data-action': `react-${emoji}`, 'aria-label': `React with ${emoji}` },
        });
        button.addEventListener('click', () => room.connection.send({ type: 'reaction', message_id: message.id, emoji, action: 'add' }));
        bar.append(button);
      }
    }
    return bar;
  }

  // The composer writes a new message, a reply in a thread, or an edit of an own message.
  function setComposer(context) {
    if (room) room.composer = context;
    const input = byId('chat-input');
    byId('composer-context').hidden = !context;
    byId('chat-submit').textContent = context && context.mode === 'edit' ? 'Save' : 'Send';
    if (!context) return;
    const who = context.message.username || 'system';
    byId('composer-context-text').textContent = context.mode === 'edit' ? 'Editing your message' : `Replying to ${who}`;
    if (context.mode === 'edit') input.value = context.message.content;
    input.focus();
  }

  byId('composer-cancel').addEventListener('click', () => {
    if (room && room.composer && room.composer.mode === 'edit') byId('chat-input').value = '';
    setComposer(null);
    byId('chat-input').focus();
  });

  byId('chat-input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      byId('chat-form').requestSubmit();
    }
  });

  byId('chat-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = byId('chat-input');
    const content = input.value.trim();
    if (!content || !room) return;
    const context = room.composer;
    let frame = { type: 'chat_message', content };
    if (context && context.mode === 'reply') frame = { type: 'chat_message', content, parent_id: context.message.id };
    if (context && context.mode === 'edit') frame = { type: 'edit_message', message_id: context.message.id, content };
    if (await room.connection.send(frame)) {
      input.value = '';
      setComposer(null);
    }
  });

  byId('comment-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = formValues(event.target);
    const data = { file: values.file, line: Number(values.line), content: values.content };
    if (values.code_snippet) data.code_snippet = values.code_snippet;
    if (await room.connection.send({ type: 'code_comment', data })) {
      byId('comment-content').value = '';
      byId('comment-snippet').value = '';
    }
  });

  // ---- Live metrics ----

  function scheduleMetricsRefresh() {
    clearTimeout(room.metricsDebounce);
    room.metricsDebounce = setTimeout(refreshMetrics, 1000);
  }

  async function refreshMetrics() {
    const current = room;
    if (!current) return;
    const id = encodeURIComponent(current.sessionId);
    let session;
    let analytics;
    try {
      [session, analytics] = await Promise.all([api(`/api/sessions/${id}`), api(`/api/analytics/sessions/${id}`)]);
    } catch {
      // The connection state already tells when the server is away; the last figures stay until the next refresh.
      return;
    }
    if (current !== room) return;
    byId('room-title').textContent = session.project_name || `${session.type} session`;
    const rows = [
      ['Status', session.status],
      ['Tokens', session.token_limit ? `${session.token_count} / ${session.token_limit}` : String(session.token_count)],
      ['Health', session.health_score === null ? '–' : String(session.health_score)],
      ['Messages', String(analytics.messages)],
      ['Code comments', String(analytics.comments)],
      ['Reactions', String(analytics.reactions)],
      ['Participants', String(analytics.participants)],
      ['Events', String(analytics.events)],
      ['Errors', String(session.error_count)],
    ];
    byId('metrics').replaceChildren(...rows.flatMap(([name, value]) => [
      element('dt', { text: name }), element('dd', { text: value, attrs: { 'data-metric': name.toLowerCase().replace(/ /g, '-') } }),
    ]));
  }

  // ---- Start ----

  // A raw frame over the current transport, for tests and the console.
  window.sessionHub = {
    send(frame) {
      if (!room) throw new Error('not in a session room');
      return room.connection.send(frame);
    },
  };

  window.addEventListener('hashchange', route);
  route();
})();
