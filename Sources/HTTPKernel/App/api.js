// The REST API: plain requests, and authorized calls that renew an expired access token once.
import { refreshTokens, signedOut, tokens } from './auth.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = problem && problem.error_code;
  }
}

export async function request(path, { method = 'GET', body, authorized = true } = {}) {
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

// Whether a failed refresh means the login is over (the server refused the refresh token), rather than that the
// server could not be reached: only then are the tokens dropped.
export function loginEnded(error) {
  return error instanceof ApiError && (error.status === 400 || error.status === 401);
}

// An authorized call that survives an expired access token; a login that cannot be renewed ends at the form.
export async function api(path, options) {
  try {
    return await request(path, options);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || !tokens.refresh) throw error;
    try {
      await refreshTokens();
    } catch (refreshError) {
      if (loginEnded(refreshError)) signedOut('Your login has ended; please log in again.');
      throw refreshError;
    }
    return request(path, options);
  }
}
