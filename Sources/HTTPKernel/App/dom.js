// Element helpers, alerts and the switch between the page's views. Everything a user typed is put in the page with
// textContent only.

export const byId = (id) => document.getElementById(id);

export function element(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

export function showAlert(text) {
  const alerts = byId('alerts');
  alerts.append(element('p', { text }));
  // Only the latest few stay: old refusals are noise once the user has moved on.
  while (alerts.childElementCount > 3) alerts.firstElementChild.remove();
}

export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

export function showView(name) {
  byId('loading').hidden = true;
  for (const view of ['auth-view', 'sessions-view', 'room-view']) byId(view).hidden = view !== `${name}-view`;
  byId('account').hidden = name === 'auth';
  byId('connection-state').hidden = name !== 'room';
}
