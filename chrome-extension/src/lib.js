// Shared helpers for the popup, the options page and the background service worker.
// No DOM access here: this module is also loaded by the service worker.

/** chrome.storage.local keys. The key is never put in chrome.storage.sync. */
export const STORAGE = Object.freeze({
  url: 'studioUrl',
  key: 'apiKey',
  // { fp, reason, until } — set after the studio rejected the key (401) or throttled us (429),
  // so that neither the badge poll nor the popup keeps sending a wrong key (the studio locks a
  // client out after a few wrong keys, which would also block the user's own web login).
  authBlock: 'authBlock',
});

export const REQUEST_TIMEOUT_MS = 8000;

/**
 * Validates and normalises a studio URL typed by the user.
 * Accepts http/https only, trims blanks and trailing slashes, drops nothing else silently.
 * @returns {{ok: true, url: string} | {ok: false, error: string}}
 */
export function normalizeStudioUrl(input) {
  const text = String(input ?? '').trim();
  if (!text) return { ok: false, error: 'Enter the studio URL.' };
  let parsed;
  try {
    parsed = new URL(text);
  } catch {
    return { ok: false, error: 'This is not a valid URL (example: https://abc123-8000.proxy.runpod.net).' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, error: 'The URL must start with http:// or https://.' };
  }
  if (!parsed.hostname) return { ok: false, error: 'The URL has no host name.' };
  if (parsed.username || parsed.password) {
    return { ok: false, error: 'Do not put a user name or password in the URL; use the API key field.' };
  }
  if (parsed.search || parsed.hash) {
    return { ok: false, error: 'The URL must not contain a query (?…) or a fragment (#…).' };
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${parsed.origin}${path}` };
}

/** Host permission match pattern for a studio URL (any port of that host). */
export function originPattern(url) {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}/*`;
}

/** Whether the extension holds the host permission for the studio URL. */
export async function hasHostPermission(url) {
  try {
    return await chrome.permissions.contains({ origins: [originPattern(url)] });
  } catch {
    return false;
  }
}

/** @returns {Promise<{url: string, key: string}>} empty strings when not configured */
export async function loadConfig() {
  const stored = await chrome.storage.local.get([STORAGE.url, STORAGE.key]);
  const url = typeof stored[STORAGE.url] === 'string' ? stored[STORAGE.url] : '';
  const key = typeof stored[STORAGE.key] === 'string' ? stored[STORAGE.key] : '';
  return { url, key };
}

/** Pulls a human-readable message out of an error body, whichever shape the studio used. */
export function errorMessage(body) {
  if (!body || typeof body !== 'object') return null;
  const err = body.error;
  if (err && typeof err === 'object' && typeof err.message === 'string' && err.message.trim()) {
    return err.message.trim();
  }
  if (typeof err === 'string' && err.trim()) return err.trim();
  if (typeof body.detail === 'string' && body.detail.trim()) return body.detail.trim();
  if (Array.isArray(body.detail) && body.detail.length && typeof body.detail[0]?.msg === 'string') {
    return body.detail[0].msg;
  }
  if (typeof body.message === 'string' && body.message.trim() && body.status === 'error') {
    return body.message.trim();
  }
  return null;
}

/**
 * GET a studio API path. Never throws.
 * @returns {Promise<
 *   {ok: true, status: number, data: any} |
 *   {ok: false, kind: 'network'|'timeout'|'auth'|'throttled'|'http'|'format', status: number,
 *    message: string, retryAfter?: number}>}
 */
export async function apiGet(config, path, { auth = true, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  const headers = { Accept: 'application/json' };
  if (auth) headers['X-API-Key'] = config.key;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let response;
    try {
      response = await fetch(`${config.url}${path}`, {
        method: 'GET',
        headers,
        credentials: 'omit', // the key alone must work; never ride on a browser login cookie
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      return controller.signal.aborted
        ? { ok: false, kind: 'timeout', status: 0, message: 'Timed out' }
        : { ok: false, kind: 'network', status: 0, message: 'Unreachable' };
    }

    let text = '';
    try {
      text = await response.text();
    } catch {
      return controller.signal.aborted
        ? { ok: false, kind: 'timeout', status: response.status, message: 'Timed out' }
        : { ok: false, kind: 'network', status: response.status, message: 'Connection dropped' };
    }
    let body;
    let isJson = false;
    if (text) {
      try {
        body = JSON.parse(text);
        isJson = true;
      } catch {
        body = undefined;
      }
    }

    const status = response.status;
    const serverMessage = isJson ? errorMessage(body) : null;
    if (status === 401) {
      return { ok: false, kind: 'auth', status, message: serverMessage ?? 'API key rejected' };
    }
    if (status === 429) {
      const header = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
      const retryAfter = Number.isFinite(header) && header > 0 ? header : 60;
      return {
        ok: false, kind: 'throttled', status, retryAfter,
        message: serverMessage ?? `Too many requests; try again in ${retryAfter} s`,
      };
    }
    if (!response.ok) {
      return { ok: false, kind: 'http', status, message: serverMessage ?? `HTTP ${status}` };
    }
    if (!isJson) {
      // e.g. a login page after a redirect, or a proxy's HTML page
      const toLogin = response.redirected
        && new URL(response.url).pathname.replace(/\/+$/, '').endsWith('/login');
      return toLogin
        ? { ok: false, kind: 'auth', status: 401, message: 'API key rejected' }
        : { ok: false, kind: 'format', status, message: 'Unexpected response (not JSON)' };
    }
    return { ok: true, status, data: body };
  } finally {
    clearTimeout(timer);
  }
}

/** Some endpoints may wrap their payload as {status, data}; return the object that holds `field`. */
export function unwrap(body, field) {
  if (body && typeof body === 'object') {
    if (field in body) return body;
    if (body.data && typeof body.data === 'object' && field in body.data) return body.data;
  }
  return null;
}

// ---- auth block (stop re-sending a rejected key) ----------------------------------------------

async function fingerprint(config) {
  const bytes = new TextEncoder().encode(`${config.url}\n${config.key}`);
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The active block for this URL+key, or null. `until` null means until the user changes something. */
export async function getAuthBlock(config) {
  const stored = (await chrome.storage.local.get(STORAGE.authBlock))[STORAGE.authBlock];
  if (!stored || typeof stored !== 'object') return null;
  if (stored.fp !== (await fingerprint(config))) return null;
  if (typeof stored.until === 'number' && stored.until <= Date.now()) return null;
  return stored;
}

export async function setAuthBlock(config, kind, reason, until = null) {
  await chrome.storage.local.set({
    [STORAGE.authBlock]: { fp: await fingerprint(config), kind, reason, until },
  });
}

export async function clearAuthBlock() {
  const stored = await chrome.storage.local.get(STORAGE.authBlock);
  if (stored[STORAGE.authBlock] !== undefined) await chrome.storage.local.remove(STORAGE.authBlock);
}

/** Records what an authenticated call told us about the key. */
export async function noteAuthResult(config, result) {
  if (result.ok) {
    await clearAuthBlock();
  } else if (result.kind === 'auth') {
    await setAuthBlock(config, 'auth', 'API key rejected', null);
  } else if (result.kind === 'throttled') {
    await setAuthBlock(config, 'throttled', result.message, Date.now() + result.retryAfter * 1000);
  }
}

// ---- toolbar badge ---------------------------------------------------------------------------

const BADGES = Object.freeze({
  on: { text: 'ON', color: '#2e7d32', textColor: '#ffffff' },
  off: { text: 'OFF', color: '#c62828', textColor: '#ffffff' },
  key: { text: 'KEY', color: '#f9a825', textColor: '#000000' },
  wait: { text: 'WAIT', color: '#f9a825', textColor: '#000000' },
  none: { text: '', color: '#757575', textColor: '#ffffff' },
});

/** Sets the toolbar badge: state is one of on | off | key | wait | none. */
export async function setBadge(state, title) {
  const badge = BADGES[state] ?? BADGES.none;
  try {
    await chrome.action.setBadgeBackgroundColor({ color: badge.color });
    if (chrome.action.setBadgeTextColor) await chrome.action.setBadgeTextColor({ color: badge.textColor });
    await chrome.action.setBadgeText({ text: badge.text });
    await chrome.action.setTitle({ title: title ? `ComfyStudio — ${title}` : 'ComfyStudio' });
  } catch {
    // the badge is cosmetic; never let it break a caller
  }
}

// ---- formatting ------------------------------------------------------------------------------

export function toNumber(value) {
  const n = typeof value === 'string' ? Number.parseFloat(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

export function clampPercent(value) {
  const n = toNumber(value);
  return n === null ? null : Math.min(100, Math.max(0, n));
}

/** normal below 65 %, warn 65–85 %, danger above 85 % */
export function gaugeLevel(percent) {
  if (percent === null) return 'none';
  if (percent > 85) return 'danger';
  if (percent >= 65) return 'warn';
  return 'normal';
}

// Sizes, speeds and times as the studio writes them on every page: decimal units (1 GB = 1,000,000,000
// bytes, as the registry and the API documents write them), speeds in MB/s, times on a 24-hour clock with
// the zone shown.

/** `500 MB`, `23.8 GB`, `900 B` */
export function formatBytes(bytes) {
  const n = toNumber(bytes);
  if (n === null || n < 0) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(value) : trimZero(value.toFixed(1))} ${units[unit]}`;
}

/** `12.5 MB/s` from the API's `*_mbps` fields (MB, 10^6 bytes, per second) */
export function formatSpeed(megabytesPerSecond) {
  const n = toNumber(megabytesPerSecond);
  return n === null || n < 0 ? '–' : `${n.toFixed(1)} MB/s`;
}

/** `14:05:09 UTC+1`: the browser's local time on a 24-hour clock, the zone shown */
export function formatClock(date) {
  const pad = (v) => String(v).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${zoneLabel(date)}`;
}

/** `UTC`, `UTC+1`, `UTC-5`, `UTC+5:30` for the browser's zone at that date */
export function zoneLabel(date) {
  const minutes = -date.getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : ''}`;
}

function trimZero(text) {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

export function formatPercent(percent) {
  if (percent === null) return '–';
  const rounded = Math.round(percent * 10) / 10;
  return `${rounded >= 10 || Number.isInteger(rounded) ? Math.round(rounded) : rounded.toFixed(1)} %`;
}

export function formatDuration(seconds) {
  const s = toNumber(seconds);
  if (s === null || s < 0) return '';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
