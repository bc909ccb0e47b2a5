// SessionHub live collaboration page: accounts, the session list and a session room over WebSocket (or SSE plus
// POST /actions when WebSocket is unavailable). This entry wires the modules together and follows the URL's hash.
import { setUpAuthForms, signedIn } from './auth.js';
import { showView } from './dom.js';
import { setUpMessageForms } from './messages.js';
import { setUpPresenceControls } from './presence.js';
import { enterRoom, leaveRoom, room } from './room.js';
import { loadSessions, setUpSessionList } from './sessions.js';

async function route() {
  if (!(await signedIn())) return;
  const sessionId = new URLSearchParams(location.hash.slice(1)).get('session');
  if (sessionId) {
    if (!room || room.sessionId !== sessionId) enterRoom(sessionId);
  } else {
    leaveRoom();
    showView('sessions');
    loadSessions();
  }
}

setUpAuthForms(route);
setUpSessionList();
setUpPresenceControls();
setUpMessageForms();

// A raw frame over the current transport, for tests and the console.
window.sessionHub = {
  send(frame) {
    if (!room) throw new Error('not in a session room');
    return room.connection.send(frame);
  },
};

window.addEventListener('hashchange', route);
route();
