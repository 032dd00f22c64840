/**
 * Live infrastructure test of the dashboard page in a real browser: NATS and
 * QuestDB servers, a gateway with auth on and one generated API key, candle,
 * indicator and alert records published on the engine's NATS subjects, and
 * headless Chromium (playwright-core) loading GET /?key=…. Checks the key
 * prompt, history from REST, live updates, the interval switch, alerts and
 * the system panel, and saves a screenshot to test-artifacts/dashboard.png.
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { chromium, type Page } from 'playwright-core';
import t from 'tap';
import { freePorts } from '../../engine/stack/ports.js';
import { addApiKey } from '../../gateway/auth/api-keys.js';
import { GATEWAY_DEFAULTS } from '../../gateway/options.js';
import { startGateway } from '../../gateway/server.js';
import {
  type Alert,
  alertSubject,
  type Candle,
  candleSubject,
  encodeRecord,
  INTERVAL_MS,
  type IndicatorSnapshot,
  type Interval,
  indicatorSubject,
  questDbDdl,
} from '../../schemas/index.js';
import { startNats, startQuestDb } from '../support/servers.js';
import { testLogger } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const VENUE = 'sim';
const SYMBOL = 'AAA/USD';
const ID = `${VENUE}:${SYMBOL}`;
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

function candle(interval: Interval, start: number, close: number, revision = 0): Candle {
  const open = 100;
  return {
    v: 1,
    type: 'candle',
    venue: VENUE,
    symbol: SYMBOL,
    interval,
    start,
    end: start + INTERVAL_MS[interval],
    open,
    high: Math.max(open, close) + 0.5,
    low: Math.min(open, close) - 0.5,
    close,
    volume: 10,
    notional: 10 * close,
    vwap: close,
    trades: 5,
    buyVolume: 6,
    sellVolume: 4,
    firstTradeTs: start,
    lastTradeTs: start + 1,
    closed: false,
    revision,
  };
}

function indicator(interval: Interval, ts: number, sma: number): IndicatorSnapshot {
  return {
    v: 1,
    type: 'indicator',
    venue: VENUE,
    symbol: SYMBOL,
    interval,
    ts,
    closed: false,
    revision: 0,
    values: { sma20: sma, ema20: sma + 0.25, bbUpper: sma + 2, bbMiddle: sma, bbLower: sma - 2, rsi14: null },
  };
}

const floorTo = (ms: number, interval: Interval): number => ms - (ms % INTERVAL_MS[interval]);

/** Polls the text of `selector` until `ok` accepts it; returns it, or fails with the last text seen. */
async function waitForText(
  page: Page,
  selector: string,
  ok: (text: string) => boolean,
  ms = 10_000,
): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    last =
      (await page
        .locator(selector)
        .first()
        .textContent({ timeout: ms })
        .catch(() => null)) ?? '';
    if (ok(last)) return last;
    if (Date.now() > end)
      throw new Error(`${selector}: text ${JSON.stringify(last)} not as expected within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  // --- servers ---------------------------------------------------------------------------------------

  const nats = await startNats({ jetstream: false });
  const qdb = await startQuestDb();
  t.teardown(() => nats.stop());
  t.teardown(() => qdb.stop());
  for (const ddl of questDbDdl({ indicatorColumns: ['sma20', 'ema20', 'bb_upper', 'bb_middle', 'bb_lower'] }))
    await qdb.exec(ddl);

  // 30 stored 1m candles ending before the live minute: the chart's history comes from REST.
  const liveMinute = floorTo(Date.now(), '1m');
  const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');
  const rows: string[] = [];
  for (let i = 30; i >= 1; i--) {
    const s = liveMinute - i * 60_000;
    const close = 100 + (30 - i) * 0.1;
    rows.push(
      `('${iso(s)}','${VENUE}','${SYMBOL}','1m','${iso(s + 60_000)}',100,${close + 0.5},99.5,${close},10,${10 * close},${close},5,6,4,'${iso(s)}','${iso(s + 1)}',true,0)`,
    );
  }
  await qdb.exec(
    'INSERT INTO candles(ts, venue, symbol, interval, end_ts, open, high, low, close, volume, notional, vwap, trade_count, buy_volume, sell_volume, first_trade_ts, last_trade_ts, closed, revision) VALUES ' +
      rows.join(','),
  );
  // WAL tables apply inserts asynchronously.
  for (let i = 0; ; i++) {
    const r = await qdb.exec(`SELECT count() FROM candles WHERE symbol = '${SYMBOL}'`);
    if (Number(r.dataset[0]?.[0]) === 30) break;
    if (i > 300) throw new Error('QuestDB did not apply the candle rows');
    await new Promise((r2) => setTimeout(r2, 100));
  }

  const dir = mkdtempSync(join(tmpdir(), 'tickflow-dash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const keysFile = join(dir, 'keys.json');
  const { key } = addApiKey(keysFile, {
    name: 'dashboard',
    channels: ['candles', 'indicators', 'alerts', 'trades'],
    maxConnections: 20,
    ratePerSecond: 100,
    burst: 200,
  });

  // The page's own origin must be allowed: browsers send Origin on every WebSocket upgrade.
  const [port] = await freePorts(1);
  const origin = `http://127.0.0.1:${port}`;
  const gateway = await startGateway(
    {
      ...GATEWAY_DEFAULTS,
      host: '127.0.0.1',
      port: port!,
      natsUrl: nats.url,
      questdbUrl: qdb.httpUrl,
      auth: true,
      keysFile,
      allowedOrigins: [origin],
      logLevel: 'silent',
    },
    { log: testLogger() },
  );
  t.teardown(() => gateway.close());

  const nc = await connect({ servers: nats.url });
  t.teardown(() => nc.close());

  /** The live 1m close; each published candle moves it, and `expectClose` waits for the page to show it. */
  let liveClose = 103;
  const publishLive = (close: number): void => {
    liveClose = close;
    nc.publish(candleSubject('1m', VENUE, SYMBOL), encodeRecord(candle('1m', liveMinute, close)));
    nc.publish(indicatorSubject('1m', VENUE, SYMBOL), encodeRecord(indicator('1m', liveMinute, close - 1)));
  };
  // A steady stream, as the engine would publish while trades arrive.
  const ticker = setInterval(() => publishLive(liveClose), 150);
  t.teardown(() => clearInterval(ticker));
  publishLive(103);

  // --- browser --------------------------------------------------------------------------------------

  const profile = mkdtempSync(join(tmpdir(), 'tickflow-chromium-'));
  t.teardown(() => rmSync(profile, { recursive: true, force: true }));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
  });
  t.teardown(() => browser.close());

  t.test('without a key the page asks for one', async (t) => {
    const page = await browser.newPage();
    await page.goto(`${origin}/dashboard`);
    await page.waitForSelector('#prompt:not([hidden])', { timeout: 10_000 });
    t.match(await page.textContent('#prompt h2'), 'API key required');
    await page.close();
  });

  t.test('a refused key is reported as such', async (t) => {
    const page = await browser.newPage();
    await page.goto(`${origin}/?key=tfk_wrong`);
    await page.waitForSelector('#prompt:not([hidden])', { timeout: 10_000 });
    t.match(await page.textContent('#prompt-text'), /refused this key \(401\)/);
    await page.close();
  });

  t.test('candles render, update live, and follow the interval switch', async (t) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/?key=${encodeURIComponent(key)}`);

    // The key moves to sessionStorage and out of the address bar.
    t.equal(new URL(page.url()).search, '', 'key removed from the URL');
    t.equal(await page.evaluate("sessionStorage.getItem('tickflow.key')"), key);

    const row = `#overview-rows tr[data-symbol="${ID}"]`;
    await page.waitForSelector(row, { timeout: 15_000 });
    t.equal(await page.textContent('#chart-title'), `${ID} · 1m`);
    t.ok((await page.locator('#chart canvas').count()) > 0, 'the chart draws on canvases');
    t.equal(
      await waitForText(page, '#chart-note', (s) => s.startsWith('30 ')),
      '30 historical bars from /api/v1/candles, then live updates',
    );

    // Last price follows newly published candles (same start: the bar is replaced by time).
    publishLive(104.25);
    await waitForText(page, `${row} .last`, (s) => s === '104.25', 5_000);
    t.equal(await page.textContent('#chart-last'), '104.25');
    publishLive(105.5);
    t.equal(await waitForText(page, '#chart-last', (s) => s === '105.50', 5_000), '105.50');
    // Overview counts the candles:1m received since load (here the live bar: open 100, volume 10).
    t.equal(await waitForText(page, `${row} td:nth-child(3)`, (s) => s === '+5.50%'), '+5.50%');
    t.equal(await page.textContent(`${row} td:nth-child(4)`), '10');

    // Interval switch: the chart resubscribes to candles:5m and shows only 5m bars.
    await page.click('#intervals button[data-interval="5m"]');
    t.equal(await waitForText(page, '#chart-title', (s) => s.endsWith('5m')), `${ID} · 5m`);
    t.equal(await page.getAttribute('#intervals button.active', 'data-interval'), '5m', '5m marked active');
    await waitForText(page, '#chart-note', (s) => s.startsWith('0 '));
    const start5 = floorTo(Date.now(), '5m');
    const pump5 = setInterval(() => {
      nc.publish(candleSubject('5m', VENUE, SYMBOL), encodeRecord(candle('5m', start5, 111.75)));
    }, 100);
    try {
      t.equal(await waitForText(page, '#chart-last', (s) => s === '111.75', 5_000), '111.75');
    } finally {
      clearInterval(pump5);
    }

    // Alerts arrive over the alerts channel.
    const alert: Alert = {
      v: 1,
      type: 'alert',
      venue: VENUE,
      symbol: SYMBOL,
      kind: 'price_spike',
      severity: 'critical',
      ts: Date.now(),
      value: 7.5,
      threshold: 5,
      message: 'price moved 7.5% in 1m',
    };
    nc.publish(alertSubject(VENUE, SYMBOL), encodeRecord(alert));
    await waitForText(page, '#alert-list', (s) => s.includes('price moved 7.5% in 1m'), 5_000);
    t.equal(await page.textContent('#alert-list li .sev'), 'critical');

    // System panel: parsed from the gateway's /metrics.
    const conns = await waitForText(
      page,
      '#system-gateway dd[data-metric="connections"]',
      (s) => Number(s) >= 1,
    );
    t.ok(Number(conns) >= 1, `connections shown: ${conns}`);
    t.match(await page.textContent('#system-gateway dd[data-metric="implementation"]'), /^(uws|fallback)$/);

    await page.click('#intervals button[data-interval="1m"]');
    await waitForText(page, '#chart-note', (s) => s.startsWith('30 '));
    await page.waitForTimeout(500);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') });
    t.ok(existsSync(join(ARTIFACTS, 'dashboard.png')), 'screenshot saved');
    t.same(errors, [], 'no page errors');
    await page.close();
  });

  t.test('the static files are served from the gateway itself', async (t) => {
    const lib = await fetch(`${origin}/dashboard/vendor/lightweight-charts.js`);
    t.equal(lib.status, 200);
    t.match(lib.headers.get('content-type'), 'text/javascript');
    t.match(await lib.text(), 'Lightweight Charts');
    const page = await fetch(`${origin}/`);
    t.equal(page.status, 200);
    t.match(page.headers.get('content-security-policy'), "script-src 'self'");
    t.match(await page.text(), '<script src="/dashboard/vendor/lightweight-charts.js">');
  });
}

if (existsSync(CHROMIUM)) await main();
else
  t.plan(
    0,
    `chromium is not installed at ${CHROMIUM} (apt-get install -y chromium); dashboard browser test skipped`,
  );
