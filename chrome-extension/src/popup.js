// Popup: health, resource gauges, ComfyUI status and queue, running downloads, links.
// Every value from the studio goes into the DOM through textContent / attributes only.
import {
  STORAGE, apiGet, clampPercent, clearAuthBlock, formatBytes, formatClock, formatDuration, formatPercent, formatSpeed,
  gaugeLevel, getAuthBlock, hasHostPermission, loadConfig, noteAuthResult, setBadge, toNumber, unwrap,
} from './lib.js';

const REFRESH_MS = 5000;
const ACTIVE_DOWNLOAD_STATES = new Set(['downloading', 'queued', 'paused']);

const $ = (id) => document.getElementById(id);

let config = { url: '', key: '' };
let timer = null;
let refreshing = false;
let ready = false; // URL, key and host permission are all there
let stopped = false; // true after a 401: wait for the user before sending the key again
let generation = 0; // bumps when the settings change, so stale refreshes are dropped

// ---- small DOM helpers -----------------------------------------------------------------------

function setDot(state, label) {
  const dot = $('dot');
  dot.className = `dot ${state}`;
  dot.setAttribute('aria-label', label);
  dot.title = label;
}

function showSetup(text) {
  $('setup-text').textContent = text;
  $('setup').hidden = false;
  $('main').hidden = true;
  $('banner').hidden = true;
}

function showBanner(level, title, detail, { retry = false, options = false } = {}) {
  const banner = $('banner');
  banner.className = level === 'warn' ? 'banner warn' : 'banner';
  $('banner-title').textContent = title;
  $('banner-detail').textContent = detail ?? '';
  $('banner-detail').hidden = !detail;
  $('banner-retry').hidden = !retry;
  $('banner-options').hidden = !options;
  banner.hidden = false;
}

function hideBanner() {
  $('banner').hidden = true;
}

function markStale(stale) {
  $('main').classList.toggle('stale', stale);
}

function setUpdated(text) {
  $('updated').textContent = text;
}

function openOptions() {
  chrome.runtime.openOptionsPage();
  window.close();
}

function openStudio(path) {
  if (!config.url) return;
  chrome.tabs.create({ url: `${config.url}${path}` });
  window.close();
}

// ---- rendering -------------------------------------------------------------------------------

function renderGauge(id, percentValue, { valueText, sub } = {}) {
  const gauge = $(id);
  const percent = clampPercent(percentValue);
  gauge.className = `gauge level-${gaugeLevel(percent)}`;
  gauge.querySelector('.gauge-value').textContent = valueText ?? formatPercent(percent);
  gauge.querySelector('.fill').style.width = `${percent ?? 0}%`;
  gauge.querySelector('.gauge-sub').textContent = sub ?? '';
  const bar = gauge.querySelector('.bar');
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', '100');
  if (percent === null) bar.removeAttribute('aria-valuenow');
  else bar.setAttribute('aria-valuenow', String(Math.round(percent)));
}

/** percent field if present, else used / total */
function percentOf(percent, used, total) {
  const p = toNumber(percent);
  if (p !== null) return p;
  const u = toNumber(used);
  const t = toNumber(total);
  return u !== null && t ? (u / t) * 100 : null;
}

function usedOfTotal(used, total) {
  const t = toNumber(total);
  if (!t) return toNumber(used) ? `${formatBytes(used)} used` : '';
  return `${formatBytes(used)} / ${formatBytes(total)}`;
}

function renderTelemetry(result) {
  const error = $('telemetry-error');
  if (!result.ok || !result.data || typeof result.data !== 'object') {
    for (const id of ['gauge-vram', 'gauge-ram', 'gauge-disk', 'gauge-cpu']) renderGauge(id, null);
    error.textContent = `Telemetry unavailable: ${result.ok ? 'unexpected response' : result.message}`;
    error.hidden = false;
    return;
  }
  error.hidden = true;
  const t = result.data;

  const gpu = t.gpu;
  if (!gpu || typeof gpu !== 'object') {
    renderGauge('gauge-vram', null, { valueText: 'No GPU' });
  } else {
    const parts = [usedOfTotal(gpu.vram_used, gpu.vram_total)];
    if (typeof gpu.name === 'string' && gpu.name) parts.push(gpu.name);
    const util = toNumber(gpu.util_percent);
    if (util !== null) parts.push(`util ${Math.round(util)} %`);
    const temp = toNumber(gpu.temp_c);
    if (temp !== null) parts.push(`${Math.round(temp)} °C`);
    renderGauge('gauge-vram', percentOf(gpu.vram_percent, gpu.vram_used, gpu.vram_total),
      { sub: parts.filter(Boolean).join(' · ') });
  }

  renderGauge('gauge-ram', percentOf(t.ram_percent, t.ram_used, t.ram_total),
    { sub: usedOfTotal(t.ram_used, t.ram_total) });
  renderGauge('gauge-disk', percentOf(t.disk_percent, t.disk_used, t.disk_total),
    { sub: usedOfTotal(t.disk_used, t.disk_total) });
  renderGauge('gauge-cpu', t.cpu_percent, { sub: toNumber(t.cpu_percent) === null ? '' : 'load average per core' });
}

function renderComfyStatus(statusResult) {
  const pill = $('comfy-status');
  const value = statusResult.ok ? statusResult.data?.comfyui?.status : null;
  if (typeof value !== 'string' || !value) {
    pill.textContent = '–';
    pill.className = 'pill';
    pill.title = statusResult.ok ? '' : statusResult.message;
    return;
  }
  pill.textContent = value;
  pill.title = '';
  const normalized = value.toLowerCase();
  pill.className = normalized === 'running' ? 'pill ok'
    : normalized === 'error' || normalized === 'unreachable' ? 'pill bad' : 'pill';
}

function countOf(value) {
  if (Array.isArray(value)) return value.length;
  const n = toNumber(value);
  return n !== null && n >= 0 ? Math.round(n) : null;
}

function renderQueue(result) {
  const el = $('queue');
  const body = result.ok ? unwrap(result.data, 'queue_running') ?? unwrap(result.data, 'queue_pending') : null;
  const running = body ? countOf(body.queue_running) : null;
  const pending = body ? countOf(body.queue_pending) : null;
  if (running === null && pending === null) {
    el.textContent = '–';
    el.title = result.ok ? 'Unexpected response' : result.message;
    return;
  }
  const total = (running ?? 0) + (pending ?? 0);
  el.textContent = `${total} (${running ?? 0} running · ${pending ?? 0} pending)`;
  el.title = '';
}

// The running generation, from the studio's own record: its name (or id), the node it is on and the step.
function renderRunning(result) {
  const row = $('running-row');
  const bar = $('running-progress');
  const g = result.ok && Array.isArray(result.data?.history) ? result.data.history[0] : null;
  if (!g) {
    row.hidden = true;
    bar.hidden = true;
    return;
  }
  const step = g.running && Number.isFinite(g.running.value) && Number.isFinite(g.running.max) && g.running.max > 0 ? g.running : null;
  const name = typeof g.name === 'string' && g.name ? g.name : String(g.prompt_id ?? '').slice(0, 8);
  const node = g.running?.node ? ` · node ${g.running.node}` : '';
  $('running').textContent = `${name}${node}${step && step.max > 1 ? ` · ${step.value}/${step.max}` : ''}`;
  $('running').title = String(g.prompt_id ?? '');
  row.hidden = false;
  bar.hidden = !step;
  if (step) bar.value = Math.round((100 * step.value) / step.max);
}

function downloadName(d) {
  for (const key of ['name', 'preset_name', 'preset_id', 'filename', 'file_name']) {
    if (typeof d[key] === 'string' && d[key].trim()) return d[key].trim();
  }
  if (typeof d.current_file === 'string' && d.current_file) return d.current_file.split('/').pop();
  return d.id != null ? String(d.id) : 'Download';
}

function downloadItem(d) {
  const status = String(d.status ?? '').toLowerCase();
  const percent = clampPercent(d.progress ?? d.percent);

  const li = document.createElement('li');
  li.className = `dl-${status}`;

  const head = document.createElement('div');
  head.className = 'dl-head';
  const name = document.createElement('span');
  name.className = 'dl-name';
  name.textContent = downloadName(d);
  name.title = name.textContent;
  const pct = document.createElement('span');
  pct.className = 'dl-percent';
  pct.textContent = formatPercent(percent);
  head.append(name, pct);

  const bar = document.createElement('div');
  bar.className = 'bar';
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', '100');
  if (percent !== null) bar.setAttribute('aria-valuenow', String(Math.round(percent)));
  bar.setAttribute('aria-label', name.textContent);
  const fill = document.createElement('div');
  fill.className = 'fill';
  fill.style.width = `${percent ?? 0}%`;
  bar.append(fill);

  const metaParts = [status];
  const speed = toNumber(d.speed_mbps);
  if (status === 'downloading' && speed !== null && speed > 0) metaParts.push(formatSpeed(speed));
  const eta = status === 'downloading' ? formatDuration(d.eta_seconds) : '';
  if (eta) metaParts.push(`ETA ${eta}`);
  if (typeof d.current_file === 'string' && d.current_file && downloadName(d) !== d.current_file.split('/').pop()) {
    metaParts.push(d.current_file);
  }
  const meta = document.createElement('div');
  meta.className = 'dl-meta muted';
  meta.textContent = metaParts.filter(Boolean).join(' · ');
  meta.title = meta.textContent;

  li.append(head, bar, meta);
  return li;
}

function renderDownloads(result) {
  const list = $('downloads');
  const empty = $('downloads-empty');
  const count = $('downloads-count');
  let items = null;
  if (result.ok) {
    if (Array.isArray(result.data)) items = result.data;
    else {
      const body = unwrap(result.data, 'downloads');
      if (body && Array.isArray(body.downloads)) items = body.downloads;
    }
  }
  if (!items) {
    list.replaceChildren();
    // A 404 only means this studio has no downloads endpoint (yet): a bare dash is enough.
    const why = result.ok ? 'unexpected response' : result.status === 404 ? '' : result.message;
    empty.textContent = why ? `– (${why})` : '–';
    empty.title = result.ok ? '' : result.message;
    empty.hidden = false;
    count.textContent = '';
    return;
  }
  const active = items.filter((d) => d && typeof d === 'object'
    && ACTIVE_DOWNLOAD_STATES.has(String(d.status ?? '').toLowerCase()));
  list.replaceChildren(...active.map(downloadItem));
  count.textContent = active.length ? `(${active.length})` : '';
  empty.textContent = 'No running downloads';
  empty.title = '';
  empty.hidden = active.length > 0;
}

// ---- refresh loop ----------------------------------------------------------------------------

function schedule(delay = REFRESH_MS) {
  clearTimeout(timer);
  timer = ready && !stopped ? setTimeout(refresh, delay) : null;
}

async function showKeyProblem(kind, message, until) {
  if (kind === 'throttled') {
    setDot('warn', 'Studio online — requests paused');
    showBanner('warn', 'The studio asked us to wait', message, { options: true });
    await setBadge('wait', `studio online; ${message}`);
    const wait = typeof until === 'number' ? Math.max(REFRESH_MS, until - Date.now()) : 60000;
    setUpdated(`Paused for ${formatDuration(wait / 1000)}`);
    return wait;
  }
  stopped = true;
  setDot('warn', 'Studio online — API key rejected');
  showBanner('warn', 'API key rejected',
    message && message !== 'API key rejected'
      ? `${message}. Check the key in the options, then retry.`
      : 'Check the key in the options, then retry.',
    { retry: true, options: true });
  await setBadge('key', 'studio online; API key rejected');
  setUpdated('Auto-refresh stopped');
  return null;
}

async function refresh() {
  if (refreshing || !ready) return;
  refreshing = true;
  clearTimeout(timer);
  const myGeneration = generation;
  let nextDelay = REFRESH_MS;
  try {
    const health = await apiGet(config, '/api/health', { auth: false });
    if (myGeneration !== generation) return;
    if (!health.ok) {
      setDot('down', 'Studio unreachable');
      const why = health.kind === 'http' || health.kind === 'format'
        ? `GET /api/health answered: ${health.message}. `
        : health.kind === 'timeout' ? 'No answer in time. ' : '';
      showBanner('error', 'Studio unreachable', `${why}Is the pod running and the URL right?`, { options: true });
      markStale(true);
      await setBadge('off', `studio unreachable (${health.message})`);
      setUpdated(`Last try ${formatClock(new Date())}`);
      return;
    }

    const block = await getAuthBlock(config);
    if (block) {
      const wait = await showKeyProblem(block.kind, block.reason, block.until);
      if (wait !== null) nextDelay = wait;
      return;
    }

    // One authenticated call first: with a wrong key only this one fails (the studio locks a
    // client out after a few wrong keys).
    const status = await apiGet(config, '/api/admin/system/status');
    if (myGeneration !== generation) return;
    await noteAuthResult(config, status);
    if (!status.ok && (status.kind === 'auth' || status.kind === 'throttled')) {
      const wait = await showKeyProblem(status.kind, status.message,
        status.kind === 'throttled' ? Date.now() + status.retryAfter * 1000 : null);
      if (wait !== null) nextDelay = wait;
      return;
    }

    const [telemetry, queue, downloads, running] = await Promise.all([
      apiGet(config, '/api/admin/telemetry'),
      apiGet(config, '/api/comfyui/queue'),
      apiGet(config, '/api/downloads'),
      apiGet(config, '/api/comfyui/history?status=running&per_page=1'),
    ]);
    if (myGeneration !== generation) return;
    const keyTrouble = [telemetry, queue, downloads].find((r) => !r.ok && (r.kind === 'auth' || r.kind === 'throttled'));
    if (keyTrouble) {
      await noteAuthResult(config, keyTrouble);
      const wait = await showKeyProblem(keyTrouble.kind, keyTrouble.message,
        keyTrouble.kind === 'throttled' ? Date.now() + keyTrouble.retryAfter * 1000 : null);
      if (wait !== null) nextDelay = wait;
      return;
    }

    const version = status.ok && typeof status.data?.app_version === 'string' ? status.data.app_version : '';
    $('version').textContent = version ? `v${version}` : '';
    if (status.ok) {
      setDot('ok', version ? `Studio online — v${version}` : 'Studio online');
      hideBanner();
    } else {
      setDot('warn', 'Studio online — system status failed');
      showBanner('warn', 'System status failed', status.message);
    }

    renderComfyStatus(status);
    renderTelemetry(telemetry);
    renderQueue(queue);
    renderRunning(running);
    renderDownloads(downloads);
    $('main').hidden = false;
    markStale(false);

    const comfy = status.ok && typeof status.data?.comfyui?.status === 'string' ? ` · ComfyUI ${status.data.comfyui.status}` : '';
    await setBadge('on', `online${version ? ` (v${version})` : ''}${comfy}`);
    setUpdated(`Updated ${formatClock(new Date())}`);
  } catch (err) {
    showBanner('error', 'Something went wrong', String(err?.message ?? err));
  } finally {
    refreshing = false;
    // After a settings change mid-refresh, start the new loop at once.
    schedule(myGeneration === generation ? nextDelay : 0);
  }
}

async function retry() {
  stopped = false;
  hideBanner();
  setUpdated('Retrying…');
  await clearAuthBlock();
  refresh();
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  generation += 1;
  ready = false;
  stopped = false;
  clearTimeout(timer);
  config = await loadConfig();

  $('links').hidden = !config.url;
  $('version').textContent = '';
  setUpdated('');

  if (!config.url || !config.key) {
    setDot('unknown', 'Not configured');
    showSetup(!config.url
      ? 'Set the studio URL and API key to get started.'
      : 'Enter the studio\'s API key to see its status.');
    return;
  }
  if (!(await hasHostPermission(config.url))) {
    setDot('unknown', 'Permission missing');
    showSetup(`The extension is not allowed to reach ${new URL(config.url).host} yet. Open the options, press Save and allow access.`);
    return;
  }

  $('setup').hidden = true;
  ready = true;
  setDot('unknown', 'Checking…');
  setUpdated('Loading…');
  refresh();
}

$('open-options').addEventListener('click', openOptions);
$('setup-options').addEventListener('click', openOptions);
$('banner-options').addEventListener('click', openOptions);
$('banner-retry').addEventListener('click', retry);
$('refresh').addEventListener('click', () => {
  if (stopped) retry();
  else refresh();
});
for (const link of document.querySelectorAll('#links button[data-path]')) {
  link.addEventListener('click', () => openStudio(link.dataset.path));
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && (STORAGE.url in changes || STORAGE.key in changes)) start();
});

start();
