// Options page: studio URL + API key, kept in chrome.storage.local (never sync).
import {
  STORAGE, apiGet, clearAuthBlock, hasHostPermission, loadConfig, normalizeStudioUrl,
  noteAuthResult, originPattern,
} from './lib.js';

const $ = (id) => document.getElementById(id);

const form = $('settings');
const urlInput = $('url');
const urlError = $('url-error');
const keyInput = $('key');
const toggleKey = $('toggle-key');
const saveButton = $('save');
const testButton = $('test');
const forgetButton = $('forget');
const result = $('result');

let saved = { url: '', key: '' };

/** Shows a result line. `lines` are plain strings, written with textContent only. */
function showResult(kind, ...lines) {
  result.replaceChildren();
  lines.filter(Boolean).forEach((line, i) => {
    if (i > 0) result.append(document.createElement('br'));
    if (i === 0) {
      const strong = document.createElement('strong');
      strong.textContent = line;
      result.append(strong);
    } else {
      result.append(document.createTextNode(line));
    }
  });
  result.className = `result ${kind}`;
  result.hidden = false;
}

function setBusy(busy) {
  for (const button of [saveButton, testButton, forgetButton]) button.disabled = busy;
}

function showUrlError(message) {
  urlError.textContent = message;
  urlError.hidden = false;
  urlInput.setAttribute('aria-invalid', 'true');
  urlInput.focus();
}

function clearUrlError() {
  urlError.textContent = '';
  urlError.hidden = true;
  urlInput.removeAttribute('aria-invalid');
}

/** Validates the URL field; returns the normalised URL or null (and shows why). */
function readUrl() {
  const checked = normalizeStudioUrl(urlInput.value);
  if (!checked.ok) {
    showUrlError(checked.error);
    return null;
  }
  clearUrlError();
  return checked.url;
}

/**
 * Asks for the host permission of the studio's origin. Must be the first asynchronous step of a
 * click handler: Chrome only shows the prompt during a user gesture.
 */
async function requestPermission(url) {
  try {
    return await chrome.permissions.request({ origins: [originPattern(url)] });
  } catch {
    return hasHostPermission(url);
  }
}

/** Drops the host permission of a previous URL once no saved setting needs it. */
async function releaseOldPermission(oldUrl, newUrl) {
  if (!oldUrl) return;
  try {
    const oldPattern = originPattern(oldUrl);
    if (newUrl && originPattern(newUrl) === oldPattern) return;
    await chrome.permissions.remove({ origins: [oldPattern] });
  } catch {
    // nothing to release, or the browser refused: harmless
  }
}

async function save(event) {
  event.preventDefault();
  const url = readUrl();
  if (!url) return;
  const key = keyInput.value.trim();
  setBusy(true);
  try {
    const granted = await requestPermission(url); // first await: keeps the user gesture
    const previous = saved;
    await chrome.storage.local.set({ [STORAGE.url]: url, [STORAGE.key]: key });
    await clearAuthBlock(); // a deliberate save means "try this key again"
    saved = { url, key };
    urlInput.value = url;
    await releaseOldPermission(previous.url, url);
    if (!granted) {
      showResult('warn', 'Saved, but without permission to reach this site.',
        `Chrome did not grant access to ${new URL(url).host}; the extension cannot contact the studio until you save again and allow it.`);
    } else if (!key) {
      showResult('warn', 'Saved.', 'No API key entered: only the health check will work.');
    } else {
      showResult('ok', 'Saved.', 'Use "Test connection" to check the URL and the key.');
    }
  } catch (err) {
    showResult('error', 'Could not save the settings.', String(err?.message ?? err));
  } finally {
    setBusy(false);
  }
}

async function testConnection() {
  const url = readUrl();
  if (!url) return;
  const key = keyInput.value.trim();
  const config = { url, key };
  setBusy(true);
  showResult('info', 'Testing…');
  try {
    const granted = await requestPermission(url); // first await: keeps the user gesture
    if (!granted) {
      showResult('error', 'Permission needed.',
        `Allow the extension to reach ${new URL(url).host} when Chrome asks, then test again.`);
      return;
    }

    const health = await apiGet(config, '/api/health', { auth: false });
    if (!health.ok) {
      const why = health.kind === 'http' || health.kind === 'format'
        ? `GET /api/health answered: ${health.message}.`
        : `${health.message}.`;
      showResult('error', 'Studio unreachable.', why, 'Check the URL and that the pod is running.');
      return;
    }
    if (!key) {
      showResult('warn', 'Studio reachable, but no API key entered.',
        'Enter the studio\'s API key to see status, telemetry, queue and downloads.');
      return;
    }

    const status = await apiGet(config, '/api/admin/system/status');
    const isSaved = url === saved.url && key === saved.key;
    if (isSaved) await noteAuthResult(config, status);
    const unsaved = isSaved ? '' : 'These settings are not saved yet: press Save to keep them.';

    if (status.ok) {
      const version = typeof status.data?.app_version === 'string' ? status.data.app_version : null;
      const comfy = typeof status.data?.comfyui?.status === 'string' ? status.data.comfyui.status : null;
      showResult('ok',
        version ? `Connected — ComfyStudio ${version}.` : 'Connected.',
        comfy ? `ComfyUI: ${comfy}.` : '',
        unsaved);
    } else if (status.kind === 'auth') {
      showResult('error', 'API key rejected (401).', status.message !== 'API key rejected' ? status.message : '',
        'Check the key: it is the studio\'s API_KEY (the web login password).');
    } else if (status.kind === 'throttled') {
      showResult('error', 'The studio is refusing requests for now.', status.message);
    } else {
      showResult('error', 'Studio reachable, but the status call failed.', status.message);
    }
  } catch (err) {
    showResult('error', 'The test failed.', String(err?.message ?? err));
  } finally {
    setBusy(false);
  }
}

async function forget() {
  if (!saved.url && !saved.key) {
    urlInput.value = '';
    keyInput.value = '';
    showResult('info', 'Nothing is saved.');
    return;
  }
  if (!window.confirm('Remove the saved studio URL and API key from this browser?')) return;
  setBusy(true);
  try {
    await chrome.storage.local.remove([STORAGE.url, STORAGE.key, STORAGE.authBlock]);
    await releaseOldPermission(saved.url, null);
    saved = { url: '', key: '' };
    urlInput.value = '';
    keyInput.value = '';
    clearUrlError();
    showResult('ok', 'Settings removed.');
  } finally {
    setBusy(false);
  }
}

function toggleKeyVisibility() {
  const show = keyInput.type === 'password';
  keyInput.type = show ? 'text' : 'password';
  toggleKey.textContent = show ? 'Hide' : 'Show';
  toggleKey.setAttribute('aria-pressed', String(show));
}

async function init() {
  saved = await loadConfig();
  urlInput.value = saved.url;
  keyInput.value = saved.key;
  if (saved.url && !(await hasHostPermission(saved.url))) {
    showResult('warn', 'Permission missing.',
      `The extension may not reach ${new URL(saved.url).host}. Press Save and allow access.`);
  }
}

form.addEventListener('submit', save);
testButton.addEventListener('click', testConnection);
forgetButton.addEventListener('click', forget);
toggleKey.addEventListener('click', toggleKeyVisibility);
urlInput.addEventListener('input', clearUrlError);

init();
