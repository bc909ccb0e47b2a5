// The session room: its state, entering and leaving it, its history, and every frame the live connection brings.
import { api } from './api.js';
import { me } from './auth.js';
import { RoomConnection } from './connection.js';
import { byId, showAlert, showView } from './dom.js';
import { renderMessage, setComposer, upsertMessage } from './messages.js';
import { scheduleMetricsRefresh, startMetrics, stopMetrics } from './metrics.js';
import { renderPresence, updatePresence } from './presence.js';

// The room on screen, or null.
export let room = null;

export function enterRoom(sessionId) {
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
  startMetrics();
  loadParticipants();
}

export function leaveRoom() {
  if (!room) return;
  room.connection.close();
  stopMetrics();
  room = null;
}

async function loadParticipants() {
  const current = room;
  try {
    const participants = await api(`/api/sessions/${encodeURIComponent(current.sessionId)}/participants?limit=200`);
    for (const participant of participants.items) current.usernames.set(participant.user_id, participant.username);
    // Mentions are highlighted by username: those shown before the names were known are drawn again, and only
    // those, so a screen reader does not hear the whole conversation again.
    if (current === room) {
      for (const message of current.messages.values()) if (message.mentions?.length) renderMessage(message);
    }
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
  if (connection.wasMissed(frame) && ['chat_message', 'code_comment', 'direct_message'].includes(frame.type)
      && posted && !room.messages.has(posted.id)) {
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
    case 'users_joined':
      for (const user of frame.users || [frame.user]) {
        room.presence.set(user.user_id, user);
        room.usernames.set(user.user_id, user.username);
      }
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
  // Every `connected` (each reconnect) repeats the role: messages are drawn again only when it changed.
  const changed = room && room.role !== role;
  if (room) room.role = role;
  const canWrite = role === 'host' || role === 'editor';
  byId('room-role').textContent = role ? `You are ${role}` : '';
  byId('chat-form').hidden = !canWrite;
  byId('comment-form').hidden = !canWrite;
  byId('viewer-note').hidden = canWrite || !role;
  if (changed) for (const message of room.messages.values()) renderMessage(message);
}
