// Background service worker: checks the studio once a minute and keeps the toolbar badge current.
//   ON   (green) — /api/health answers and the API key is accepted
//   OFF  (red)   — the studio cannot be reached (or the extension lacks permission for it)
//   KEY  (amber) — the studio is up but the API key is missing or was rejected (401)
//   WAIT (amber) — the studio asked us to slow down (429); we pause until Retry-After
import {
  STORAGE, apiGet, getAuthBlock, hasHostPermission, loadConfig, noteAuthResult, setBadge,
} from './lib.js';

const ALARM = 'studio-health';
const PERIOD_MINUTES = 1;

async function ensureAlarm() {
  const existing = await chrome.alarms.get(ALARM);
  if (!existing || existing.periodInMinutes !== PERIOD_MINUTES) {
    await chrome.alarms.create(ALARM, { delayInMinutes: PERIOD_MINUTES, periodInMinutes: PERIOD_MINUTES });
  }
}

async function runCheck() {
  const config = await loadConfig();
  if (!config.url) {
    await setBadge('none', 'not configured: open the options to set the studio URL');
    return;
  }
  if (!(await hasHostPermission(config.url))) {
    await setBadge('off', `no permission to reach ${new URL(config.url).host}: save the URL again in the options`);
    return;
  }

  const health = await apiGet(config, '/api/health', { auth: false });
  if (!health.ok) {
    await setBadge('off', `studio unreachable (${health.message})`);
    return;
  }
  if (!config.key) {
    await setBadge('key', 'studio online, but no API key is set');
    return;
  }

  const block = await getAuthBlock(config);
  if (block) {
    await setBadge(block.kind === 'throttled' ? 'wait' : 'key', `studio online; ${block.reason}`);
    return;
  }

  const status = await apiGet(config, '/api/admin/system/status');
  await noteAuthResult(config, status);
  if (status.ok) {
    const version = typeof status.data?.app_version === 'string' ? ` (v${status.data.app_version})` : '';
    const comfy = typeof status.data?.comfyui?.status === 'string' ? ` · ComfyUI ${status.data.comfyui.status}` : '';
    await setBadge('on', `online${version}${comfy}`);
  } else if (status.kind === 'auth') {
    await setBadge('key', `studio online; API key rejected (${status.message})`);
  } else if (status.kind === 'throttled') {
    await setBadge('wait', `studio online; ${status.message}`);
  } else {
    // Health answered, so the studio is up; the status call failed for another reason.
    await setBadge('on', `online; system status failed: ${status.message}`);
  }
}

let inFlight = null;

/** Runs one check; concurrent triggers share the running one. */
function check() {
  if (!inFlight) {
    inFlight = runCheck()
      .catch(() => setBadge('off', 'check failed'))
      .finally(() => { inFlight = null; });
  }
  return inFlight;
}

chrome.runtime.onInstalled.addListener(() => {
  ensureAlarm();
  check();
});

chrome.runtime.onStartup.addListener(() => {
  ensureAlarm();
  check();
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) check();
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local') return;
  // Only a new URL or key triggers a check: a lifted auth block waits for the next alarm, so a
  // popup "Retry" and the badge never send the same (maybe still wrong) key twice at once.
  if (STORAGE.url in changes || STORAGE.key in changes) check();
});

chrome.permissions.onAdded.addListener(() => check());
chrome.permissions.onRemoved.addListener(() => check());

// A service worker can be restarted at any time; make sure the alarm survives that.
ensureAlarm();
