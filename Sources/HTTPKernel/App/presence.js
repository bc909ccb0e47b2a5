// Who is in the room and where they are, and the controls for one's own position and status.
import { me } from './auth.js';
import { byId, element, formValues } from './dom.js';
import { room } from './room.js';

export function updatePresence(userId, changes) {
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

export function renderPresence() {
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

export function setUpPresenceControls() {
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
}
