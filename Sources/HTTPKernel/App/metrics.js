// The room's live metrics: the session's figures and analytics, refreshed on a timer and soon after every stored event.
import { api } from './api.js';
import { byId, element } from './dom.js';
import { room } from './room.js';

const METRICS_REFRESH_MS = 15000;

export function startMetrics() {
  refreshMetrics();
  room.metricsTimer = setInterval(refreshMetrics, METRICS_REFRESH_MS);
}

export function stopMetrics() {
  clearInterval(room.metricsTimer);
  clearTimeout(room.metricsDebounce);
}

export function scheduleMetricsRefresh() {
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
