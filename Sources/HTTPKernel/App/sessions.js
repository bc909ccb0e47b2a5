// The session list, a page at a time, and creating a session.
import { api } from './api.js';
import { byId, element, formValues, showAlert } from './dom.js';

let sessionsCursor = null;

export async function loadSessions(cursor = null) {
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

export function setUpSessionList() {
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
}
