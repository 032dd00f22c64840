// tickflow dashboard: a plain browser client of the gateway. It uses the same
// WebSocket protocol and REST API as any client (docs/websocket-protocol.md),
// authenticates with an API key kept in sessionStorage, and reads /metrics for
// the system panel. No framework; lightweight-charts is the global
// `LightweightCharts` loaded by index.html from the gateway itself.

const KEY_STORAGE = 'tickflow.key';
const ENGINE_STORAGE = 'tickflow.engine';
const INTERVALS = ['1s', '1m', '5m', '15m', '1h'];
const INTERVAL_MS = { '1s': 1e3, '1m': 6e4, '5m': 3e5, '15m': 9e5, '1h': 36e5 };
const HISTORY_BARS = 500;
const OVERVIEW_WINDOW_MS = 24 * 36e5;
const OVERLAYS = [
  { key: 'sma20', label: 'SMA 20', color: '#f0b429', on: true },
  { key: 'ema20', label: 'EMA 20', color: '#b48cff', on: true },
  { key: 'bbUpper', label: 'BB upper', color: '#4aa3ff', on: true, group: 'bb' },
  { key: 'bbMiddle', label: 'BB mid', color: '#4aa3ff', on: true, group: 'bb', dashed: true },
  { key: 'bbLower', label: 'BB lower', color: '#4aa3ff', on: true, group: 'bb' },
];
const METRICS_EVERY_MS = 2000;

const $ = (id) => document.getElementById(id);

const state = {
  key: null,
  engineUrl: null,
  venues: [],
  ws: null,
  wsOpened: false,
  retryMs: 500,
  nextId: 1,
  /** `venue:symbol` → { venue, symbol, bars: Map<start, candle> } from candles:1m. */
  overview: new Map(),
  selected: null,
  interval: '1m',
  /** Bars of the chart by start ms; revisions replace by start. */
  bars: new Map(),
  /** Overlay key → Map<ts ms, value>. */
  lines: new Map(),
  /** `channel|venue:symbol` → last seq, to drop the duplicate of a stream subscribed twice. */
  seqs: new Map(),
  chartStreams: null,
  alerts: [],
  lastMetrics: null,
};

let chart = null;
let candleSeries = null;
const lineSeries = new Map();

// ---- key handling ---------------------------------------------------------

function readSettings() {
  const params = new URLSearchParams(location.search);
  const key = params.get('key');
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  const engine = params.get('engine');
  if (engine) sessionStorage.setItem(ENGINE_STORAGE, engine);
  const venues = params.get('venues');
  if (venues) state.venues = venues.split(',').filter((v) => v.length > 0);
  if (key) {
    // The key stays in this tab's sessionStorage, not in the address bar or history.
    params.delete('key');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : ''));
  }
  state.key = sessionStorage.getItem(KEY_STORAGE);
  state.engineUrl = sessionStorage.getItem(ENGINE_STORAGE);
}

function keyRefused() {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  askForKey('The gateway refused this key (401). Enter a valid API key.');
}

function askForKey(message) {
  const text = $('prompt-text');
  if (message) {
    text.textContent = message;
    text.className = 'error';
  }
  $('prompt').hidden = false;
  $('key-input').focus();
}

$('key-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const key = $('key-input').value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY_STORAGE, key);
  state.key = key;
  $('prompt').hidden = true;
  void start();
});

$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  if (state.ws) state.ws.close();
  askForKey('Enter the API key to use.');
});

// ---- REST -------------------------------------------------------------------

async function api(path, params) {
  const qs = new URLSearchParams(params).toString();
  const res = await fetch(`${path}${qs ? `?${qs}` : ''}`, {
    headers: { authorization: `Bearer ${state.key}` },
  });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

// ---- formatting -------------------------------------------------------------

function fmtPrice(p) {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  const abs = Math.abs(p);
  const digits = abs >= 1000 ? 2 : abs >= 1 ? 4 : 6;
  return p.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits });
}

function fmtCompact(n) {
  if (!Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 2 });
}

function fmtTime(ms) {
  return new Date(ms).toISOString().slice(11, 19);
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

// ---- overview ---------------------------------------------------------------

function overviewCandle(c) {
  const id = `${c.venue}:${c.symbol}`;
  let row = state.overview.get(id);
  if (row === undefined) {
    row = { venue: c.venue, symbol: c.symbol, bars: new Map() };
    state.overview.set(id, row);
  }
  row.bars.set(c.start, c);
  const horizon = c.start - OVERVIEW_WINDOW_MS;
  for (const start of row.bars.keys()) if (start < horizon) row.bars.delete(start);
  if (state.selected === null) selectSymbol(c.venue, c.symbol);
  scheduleOverview();
}

let overviewQueued = false;
function scheduleOverview() {
  if (overviewQueued) return;
  overviewQueued = true;
  requestAnimationFrame(() => {
    overviewQueued = false;
    renderOverview();
  });
}

function renderOverview() {
  const body = $('overview-rows');
  const ids = [...state.overview.keys()].sort();
  body.textContent = '';
  for (const id of ids) {
    const row = state.overview.get(id);
    let first = null;
    let last = null;
    let volume = 0;
    for (const c of row.bars.values()) {
      if (first === null || c.start < first.start) first = c;
      if (last === null || c.start > last.start) last = c;
      volume += c.volume;
    }
    const change = first && first.open !== 0 ? ((last.close - first.open) / first.open) * 100 : 0;
    const tr = document.createElement('tr');
    tr.dataset.symbol = id;
    if (state.selected && `${state.selected.venue}:${state.selected.symbol}` === id)
      tr.className = 'selected';
    cell(tr, id);
    cell(tr, fmtPrice(last.close), 'num last');
    cell(tr, `${change >= 0 ? '+' : ''}${change.toFixed(2)}%`, `num ${change >= 0 ? 'up' : 'down'}`);
    cell(tr, fmtCompact(volume), 'num');
    tr.addEventListener('click', () => selectSymbol(row.venue, row.symbol));
    body.appendChild(tr);
  }
  if (ids.length === 0) {
    const tr = document.createElement('tr');
    tr.className = 'empty';
    const td = cell(tr, 'waiting for candles…');
    td.colSpan = 4;
    body.appendChild(tr);
  }
}

// ---- chart ------------------------------------------------------------------

function setupChart() {
  const LC = window.LightweightCharts;
  chart = LC.createChart($('chart'), {
    autoSize: true,
    layout: { background: { color: '#171b21' }, textColor: '#aab4c0' },
    grid: { vertLines: { color: '#20262e' }, horzLines: { color: '#20262e' } },
    timeScale: { timeVisible: true, secondsVisible: true, borderColor: '#262c35' },
    rightPriceScale: { borderColor: '#262c35' },
    crosshair: { mode: LC.CrosshairMode.Normal },
  });
  candleSeries = chart.addCandlestickSeries({
    upColor: '#26a69a',
    downColor: '#ef5350',
    borderVisible: false,
    wickUpColor: '#26a69a',
    wickDownColor: '#ef5350',
  });
  for (const o of OVERLAYS) {
    const s = chart.addLineSeries({
      color: o.color,
      lineWidth: 1,
      lineStyle: o.dashed ? LC.LineStyle.Dashed : LC.LineStyle.Solid,
      priceLineVisible: false,
      lastValueVisible: false,
      crosshairMarkerVisible: false,
      visible: o.on,
    });
    lineSeries.set(o.key, s);
    state.lines.set(o.key, new Map());
  }
  const group = $('intervals');
  for (const i of INTERVALS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = i;
    b.dataset.interval = i;
    b.addEventListener('click', () => setInterval_(i));
    group.appendChild(b);
  }
  const toggles = $('overlays');
  for (const o of OVERLAYS) {
    if (o.group === 'bb' && o.key !== 'bbUpper') continue;
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = o.on;
    box.addEventListener('change', () => {
      for (const p of OVERLAYS)
        if (p.key === o.key || (o.group && p.group === o.group))
          lineSeries.get(p.key).applyOptions({ visible: box.checked });
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(o.group === 'bb' ? 'Bollinger' : o.label));
    toggles.appendChild(label);
  }
  markInterval();
}

function markInterval() {
  for (const b of $('intervals').children)
    b.classList.toggle('active', b.dataset.interval === state.interval);
}

const toBar = (c) => ({ time: c.start / 1000, open: c.open, high: c.high, low: c.low, close: c.close });

function redrawChart() {
  const starts = [...state.bars.keys()].sort((a, b) => a - b);
  candleSeries.setData(starts.map((s) => toBar(state.bars.get(s))));
  for (const [key, points] of state.lines) {
    const ts = [...points.keys()].sort((a, b) => a - b);
    lineSeries.get(key).setData(ts.map((t) => ({ time: t / 1000, value: points.get(t) })));
  }
}

function lastStart() {
  let max = -Infinity;
  for (const s of state.bars.keys()) if (s > max) max = s;
  return max;
}

function chartCandle(c) {
  // A revision of an older bar cannot go through series.update (it only
  // accepts the newest time), so it redraws the whole series.
  const newest = lastStart();
  state.bars.set(c.start, c);
  if (c.start >= newest) candleSeries.update(toBar(c));
  else redrawChart();
  $('chart-last').textContent = fmtPrice(state.bars.get(lastStart()).close);
}

function chartIndicator(snap) {
  let redraw = false;
  for (const [key, points] of state.lines) {
    const v = snap.values[key];
    if (v === null || v === undefined) continue;
    let newest = -Infinity;
    for (const t of points.keys()) if (t > newest) newest = t;
    points.set(snap.ts, v);
    if (snap.ts >= newest) lineSeries.get(key).update({ time: snap.ts / 1000, value: v });
    else redraw = true;
  }
  if (redraw) redrawChart();
}

function setInterval_(interval) {
  if (interval === state.interval) return;
  state.interval = interval;
  markInterval();
  if (state.selected) void loadChart();
}

function selectSymbol(venue, symbol) {
  if (state.selected && state.selected.venue === venue && state.selected.symbol === symbol) return;
  state.selected = { venue, symbol };
  scheduleOverview();
  void loadChart();
}

let chartLoad = 0;
async function loadChart() {
  const load = ++chartLoad;
  const { venue, symbol } = state.selected;
  const interval = state.interval;
  $('chart-title').textContent = `${venue}:${symbol} · ${interval}`;
  $('chart').dataset.symbol = `${venue}:${symbol}`;
  $('chart').dataset.interval = interval;
  state.bars = new Map();
  for (const points of state.lines.values()) points.clear();
  redrawChart();
  // Subscribe first, so nothing between the history read and the live stream is missed;
  // bars are keyed by start, so an overlap simply replaces.
  if (state.chartStreams) send({ op: 'unsubscribe', ...state.chartStreams });
  state.chartStreams = {
    channels: [`candles:${interval}`, `indicators:${interval}`],
    symbols: [`${venue}:${symbol}`],
  };
  for (const ch of state.chartStreams.channels) state.seqs.delete(`${ch}|${venue}:${symbol}`);
  send({ op: 'subscribe', ...state.chartStreams });
  const from = Date.now() - HISTORY_BARS * INTERVAL_MS[interval];
  const note = $('chart-note');
  try {
    const { status, body } = await api('/api/v1/candles', {
      venue,
      symbol,
      interval,
      from: String(from),
      limit: String(HISTORY_BARS),
    });
    if (load !== chartLoad) return;
    if (status === 200) {
      for (const c of body.data) if (!state.bars.has(c.start)) state.bars.set(c.start, c);
      note.textContent = `${body.data.length} historical bars from /api/v1/candles, then live updates`;
    } else if (status === 401) {
      keyRefused();
      return;
    } else {
      note.textContent = `history unavailable (${status} ${body?.error?.code ?? ''}); showing live updates only`;
    }
  } catch (err) {
    note.textContent = `history unavailable (${err}); showing live updates only`;
  }
  redrawChart();
  // A short history would sit in a corner of the default bar spacing.
  if (state.bars.size < 150) chart.timeScale().fitContent();
  else chart.timeScale().scrollToRealTime();
}

// ---- alerts -----------------------------------------------------------------

function addAlert(a) {
  const id = `${a.ts}|${a.venue}|${a.symbol}|${a.kind}`;
  if (state.alerts.some((x) => x.id === id)) return;
  state.alerts.push({ id, a });
  state.alerts.sort((x, y) => y.a.ts - x.a.ts);
  if (state.alerts.length > 100) state.alerts.length = 100;
  const list = $('alert-list');
  list.textContent = '';
  for (const { a: x } of state.alerts) {
    const li = document.createElement('li');
    const sev = document.createElement('span');
    sev.className = `sev ${x.severity}`;
    sev.textContent = x.severity;
    li.appendChild(sev);
    li.appendChild(
      document.createTextNode(`${fmtTime(x.ts)} ${x.venue}:${x.symbol} ${x.kind} — ${x.message}`),
    );
    list.appendChild(li);
  }
}

// ---- WebSocket --------------------------------------------------------------

function send(msg) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN)
    state.ws.send(JSON.stringify({ id: state.nextId++, ...msg }));
}

function setConn(text, cls) {
  const el = $('conn');
  el.textContent = text;
  el.className = `badge ${cls}`;
}

function fresh(m) {
  // A stream subscribed via both venue:* and venue:symbol arrives twice with the same seq.
  const k = `${m.channel}|${m.symbol}`;
  const last = state.seqs.get(k);
  if (last !== undefined && m.seq <= last && m.seq !== 0) return false;
  state.seqs.set(k, m.seq);
  return true;
}

function onRecord(channel, rec) {
  if (rec.type === 'candle') {
    if (channel === 'candles:1m') overviewCandle(rec);
    const sel = state.selected;
    if (sel && rec.venue === sel.venue && rec.symbol === sel.symbol && rec.interval === state.interval)
      chartCandle(rec);
  } else if (rec.type === 'indicator') {
    const sel = state.selected;
    if (sel && rec.venue === sel.venue && rec.symbol === sel.symbol && rec.interval === state.interval)
      chartIndicator(rec);
  } else if (rec.type === 'alert') {
    addAlert(rec);
  }
}

function onMessage(m) {
  switch (m.type) {
    case 'snapshot':
      // Always applied: bars are keyed by time, and a stream already followed through venue:*
      // gets a snapshot carrying a seq this page has seen (the chart still needs its bar).
      fresh(m);
      for (const rec of m.data) onRecord(m.channel, rec);
      break;
    case 'update':
      if (fresh(m)) onRecord(m.channel, m.data);
      break;
    case 'heartbeat':
      $('clock').textContent = `server ${fmtTime(m.ts)} UTC`;
      break;
    case 'error':
      $('chart-note').textContent = `gateway error ${m.code}: ${m.message}`;
      break;
    default:
      break;
  }
}

function connect() {
  if (!state.key) return;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(state.key)}`);
  state.ws = ws;
  state.wsOpened = false;
  setConn('connecting', 'wait');
  ws.addEventListener('open', () => {
    state.wsOpened = true;
    state.retryMs = 500;
    state.seqs.clear();
    setConn('live', 'on');
    const all = state.venues.map((v) => `${v}:*`);
    if (all.length > 0) send({ op: 'subscribe', channels: ['candles:1m', 'alerts'], symbols: all });
    if (state.selected) {
      state.chartStreams = null;
      void loadChart();
    }
  });
  ws.addEventListener('message', (ev) => {
    try {
      onMessage(JSON.parse(ev.data));
    } catch (err) {
      console.error('bad message', err);
    }
  });
  ws.addEventListener('close', (ev) => {
    if (state.ws !== ws) return;
    state.ws = null;
    if (!state.key) return;
    if (!state.wsOpened) {
      // Browsers hide the HTTP status of a refused upgrade; REST tells a bad key from the rest.
      setConn('refused', 'off');
      void api('/api/v1/symbols', {}).then(({ status }) => {
        if (status === 401) keyRefused();
        else
          $('chart-note').textContent =
            'WebSocket refused: check that this page’s origin is in the gateway’s --allowed-origins.';
      });
    } else {
      setConn(`closed ${ev.code}`, 'off');
    }
    setTimeout(connect, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, 15_000);
  });
}

// ---- system panel -----------------------------------------------------------

/** Parses Prometheus text into name → [{labels, value}]. */
function parseMetrics(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const p of m[3].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]] = p[2];
    if (!out.has(m[1])) out.set(m[1], []);
    out.get(m[1]).push({ labels, value: Number(m[4]) });
  }
  return out;
}

const sum = (metrics, name) => (metrics.get(name) ?? []).reduce((a, s) => a + s.value, 0);

/** Quantile from cumulative `_bucket` samples, interpolated inside the bucket as Prometheus does. */
function quantile(metrics, name, q) {
  const buckets = (metrics.get(`${name}_bucket`) ?? [])
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), n: s.value }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.length ? buckets[buckets.length - 1].n : 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevN = 0;
  for (const b of buckets) {
    if (b.n >= rank) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevN)) / Math.max(b.n - prevN, 1);
    }
    prevLe = b.le;
    prevN = b.n;
  }
  return prevLe;
}

function rate(prev, now, name, dt) {
  if (!prev || dt <= 0) return null;
  return Math.max(0, sum(now, name) - sum(prev, name)) / dt;
}

function fillList(el, rows) {
  el.textContent = '';
  for (const [k, v] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dd.dataset.metric = k;
    el.appendChild(dt);
    el.appendChild(dd);
  }
}

const perSec = (v) => (v === null ? '…' : `${fmtCompact(v)}/s`);
const micros = (s) => (s === null ? '–' : `${(s * 1e6).toFixed(0)} µs`);

let prevGateway = null;
let prevEngine = null;
async function pollMetrics() {
  const t = performance.now() / 1000;
  try {
    const g = parseMetrics(await (await fetch('/metrics')).text());
    const dt = prevGateway ? t - prevGateway.t : 0;
    const p = prevGateway?.m;
    const native = (g.get('tickflow_gateway_native') ?? []).find((s) => s.value === 1)?.labels.impl ?? '?';
    fillList($('system-gateway'), [
      ['connections', String(sum(g, 'tickflow_gateway_connections'))],
      ['subscriptions', String(sum(g, 'tickflow_gateway_subscriptions'))],
      ['records in', perSec(rate(p, g, 'tickflow_gateway_records_in_total', dt))],
      ['messages out', perSec(rate(p, g, 'tickflow_gateway_messages_out_total', dt))],
      ['bytes out', perSec(rate(p, g, 'tickflow_gateway_bytes_out_total', dt))],
      ['drops (total)', String(sum(g, 'tickflow_gateway_drops_total'))],
      ['disconnects (total)', String(sum(g, 'tickflow_gateway_disconnects_total'))],
      ['implementation', native],
    ]);
    prevGateway = { t, m: g };
  } catch (err) {
    fillList($('system-gateway'), [['metrics', `unavailable (${err})`]]);
  }
  const note = $('system-note');
  if (!state.engineUrl) {
    note.textContent =
      'Engine metrics: open the page with ?engine=http://host:9464 (needs CORS on that URL).';
    fillList($('system-engine'), []);
    return;
  }
  try {
    const e = parseMetrics(await (await fetch(`${state.engineUrl.replace(/\/$/, '')}/metrics`)).text());
    const dt = prevEngine ? t - prevEngine.t : 0;
    const p = prevEngine?.m;
    fillList($('system-engine'), [
      ['trades', perSec(rate(p, e, 'tickflow_engine_trades_total', dt))],
      ['consumer lag', fmtCompact(sum(e, 'tickflow_engine_consumer_lag'))],
      ['processing p50', micros(quantile(e, 'tickflow_engine_processing_latency_seconds', 0.5))],
      ['processing p99', micros(quantile(e, 'tickflow_engine_processing_latency_seconds', 0.99))],
      ['backpressure shards', String(sum(e, 'tickflow_engine_backpressure'))],
      ['worker restarts', String(sum(e, 'tickflow_engine_worker_restarts_total'))],
      ['dead letters', String(sum(e, 'tickflow_engine_dead_letters_total'))],
    ]);
    note.textContent = `engine: ${state.engineUrl}`;
    prevEngine = { t, m: e };
  } catch {
    fillList($('system-engine'), []);
    note.textContent = `Engine metrics at ${state.engineUrl} are not readable from this page (cross-origin or down); gateway metrics only.`;
  }
}

// ---- start ------------------------------------------------------------------

let started = false;
async function start() {
  if (!state.key) {
    askForKey();
    return;
  }
  const { status, body } = await api('/api/v1/symbols', {}).catch(() => ({ status: 0, body: null }));
  if (status === 401) {
    keyRefused();
    return;
  }
  if (status === 200 && state.venues.length === 0) {
    const venues = new Set();
    for (const s of body.data) venues.add(s.venue);
    state.venues = [...venues].sort();
  }
  if (status !== 200) $('chart-note').textContent = `symbol list unavailable (${status}); live data only`;
  if (state.venues.length === 0)
    $('chart-note').textContent = 'No venues known yet: open the page with ?venues=binance,sim to pick them.';
  if (status === 200 && state.venues.length > 0) {
    const alerts = await api('/api/v1/alerts', {
      from: String(Date.now() - OVERVIEW_WINDOW_MS),
      limit: '100',
    });
    if (alerts.status === 200) for (const a of alerts.body.data) addAlert(a);
  }
  if (started) {
    if (state.ws) state.ws.close();
    else connect();
    return;
  }
  started = true;
  connect();
  void pollMetrics();
  setInterval(pollMetrics, METRICS_EVERY_MS);
}

readSettings();
setupChart();
void start();
