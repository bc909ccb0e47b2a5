// The login: tokens kept in sessionStorage, their renewal, the signed-in user, and signing in and out.
import { ApiError, api, loginEnded, request } from './api.js';
import { byId, formValues, showAlert, showView } from './dom.js';
import { leaveRoom, room } from './room.js';

export const tokens = {
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

// The signed-in user (GET /api/auth/me), or null.
export let me = null;

// One refresh at a time: a refresh token works once, so two concurrent refreshes would end the login.
let refreshInFlight = null;
export function refreshTokens() {
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
  refreshTimer = setTimeout(() => refreshTokens().catch((error) => {
    // A server that is away (restarting, unreachable) is tried again; only a refused refresh ends the login.
    if (loginEnded(error)) signedOut('Your login has ended; please log in again.');
    else refreshTimer = setTimeout(scheduleRefresh, 5000);
  }), delay);
}

export function signedOut(message) {
  leaveRoom();
  clearTimeout(refreshTimer);
  tokens.clear();
  me = null;
  if (message) showAlert(message);
  showView('auth');
  byId('login-username').focus();
}

// Whether someone is signed in, reading the user once per login; without a usable login the page shows the form.
export async function signedIn() {
  if (!tokens.access) {
    showView('auth');
    return false;
  }
  if (!me) {
    try {
      me = await api('/api/auth/me');
    } catch (error) {
      if (loginEnded(error)) signedOut();
      else showAlert('The server is not answering; reload the page to try again.');
      return false;
    }
    byId('account-name').textContent = me.username;
    scheduleRefresh();
  }
  return true;
}

// The login, registration and logout controls; `onSignedIn` shows the page for the new login.
export function setUpAuthForms(onSignedIn) {
  async function logIn(username, password) {
    tokens.store(await request('/api/auth/login', { method: 'POST', body: { username, password }, authorized: false }));
    await onSignedIn();
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
}
