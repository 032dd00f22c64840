import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { resolveStackOptions, stackUp } from '../engine/stack/index.js';
import { addApiKey } from '../gateway/index.js';
import type { Candle } from '../schemas/index.js';
import { decodePayload } from '../schemas/index.js';
import { offlineDemo } from './offline-demo.js';
import { UsageError } from './usage-error.js';

export const DEMO_HELP = `tickflow demo — the whole pipeline on this machine

Usage: tickflow demo [--rate 2000] [--symbols 200] [--duration 0] [--offline]

Starts the local stack (NATS with JetStream on 14222, QuestDB on 19000), the
engine (ops on 9464), the gateway (WebSocket, REST and dashboard on 8080, with
a fresh demo API key) and a simulated market feed, then prints a live summary
every 2 seconds until Ctrl-C (or --duration seconds). The stack keeps running
afterwards so you can query it; \`make down\` stops it.

  --rate N       simulated records per second (trades and quotes)      (default 2000)
  --symbols N    simulated symbols                                      (default 200)
  --duration S   stop after S seconds; 0 runs until Ctrl-C              (default 0)
  --offline      no servers: run the actors over a generated file instead
`;

const BIN = new URL('../../bin/tickflow.js', import.meta.url).pathname;
const ENGINE_OPS = 9464;
const GATEWAY_PORT = 8080;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function questdbCount(httpUrl: string, sql: string): Promise<number | null> {
  try {
    const r = await fetch(`${httpUrl}/exec?query=${encodeURIComponent(sql)}`);
    if (!r.ok) return null;
    const body = (await r.json()) as { dataset?: unknown[][] };
    return Number(body.dataset?.[0]?.[0] ?? 0);
  } catch {
    return null;
  }
}

function child(name: string, args: string[]): ChildProcess {
  const c = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  c.stderr?.on('data', (d: Buffer) => {
    for (const line of d.toString().trim().split('\n')) process.stderr.write(`  [${name}] ${line}\n`);
  });
  return c;
}

async function stop(c: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill(signal);
  const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** The live demo: stack, engine, simulated feed, and a summary of what flows. */
export async function liveDemo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string', default: '2000' },
      symbols: { type: 'string', default: '200' },
      duration: { type: 'string', default: '0' },
      offline: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  if (values.offline) return offlineDemo();
  const rate = Number(values.rate);
  const symbols = Number(values.symbols);
  const duration = Number(values.duration);
  if (!(rate > 0)) throw new UsageError(`--rate must be a number > 0, got '${values.rate}'`);
  if (!Number.isInteger(symbols) || symbols < 1)
    throw new UsageError(`--symbols must be a whole number >= 1, got '${values.symbols}'`);
  if (!(duration >= 0))
    throw new UsageError(`--duration must be a number of seconds >= 0, got '${values.duration}'`);

  const stack = resolveStackOptions();
  process.stdout.write(
    'demo: starting the local stack (installs nats-server and fetches QuestDB if missing)\n',
  );
  await stackUp(stack, (line) => process.stdout.write(`  ${line}\n`));
  const natsUrl = `nats://127.0.0.1:${stack.natsPort}`;
  const qdbUrl = `http://127.0.0.1:${stack.qdbHttpPort}`;

  const engine = child('engine', [
    'engine',
    '--nats.servers',
    natsUrl,
    '--questdb.ilpUrl',
    qdbUrl,
    '--questdb.httpUrl',
    qdbUrl,
    '--http.port',
    String(ENGINE_OPS),
    '--log.level',
    'warn',
  ]);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${ENGINE_OPS}/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (engine.exitCode !== null || Date.now() > deadline) {
      process.stderr.write('demo: the engine did not become ready; see its messages above\n');
      await stop(engine, 'SIGTERM');
      return 1;
    }
    await sleep(250);
  }
  // A fresh key for this demo run, printed once below (the keys file keeps only its hash).
  const keysFile = join(stack.dataDir, 'demo-keys.json');
  const { key } = addApiKey(keysFile, {
    name: `demo-${Date.now()}`,
    channels: ['trades', 'quotes', 'candles', 'indicators', 'alerts'],
    maxConnections: 20,
    ratePerSecond: 20,
    burst: 40,
  });
  const gateway = child('gateway', [
    'gateway',
    '--port',
    String(GATEWAY_PORT),
    '--nats-url',
    natsUrl,
    '--questdb-url',
    qdbUrl,
    '--keys-file',
    keysFile,
    '--log-level',
    'warn',
  ]);
  const feed = child('simulate', [
    'simulate',
    '--nats',
    natsUrl,
    '--rate',
    String(rate),
    '--symbols',
    String(symbols),
  ]);

  process.stdout.write(
    `
tickflow is running:
  dashboard           http://127.0.0.1:${GATEWAY_PORT}/?key=${key}
  WebSocket           ws://127.0.0.1:${GATEWAY_PORT}/ws?token=${key}
  REST                http://127.0.0.1:${GATEWAY_PORT}/api/v1/symbols   (header Authorization: Bearer <key>)
  demo API key        ${key}   (printed once; only its hash is stored)
  QuestDB console     http://127.0.0.1:${stack.qdbHttpPort}   (try: select * from candles where symbol = 'BTC/USDT' and interval = '1m')
  engine metrics      http://127.0.0.1:${ENGINE_OPS}/metrics   health: /health  readiness: /ready
  NATS                ${natsUrl}   (candles on md.candle.<interval>.<venue>.<symbol>, e.g. md.candle.1m.sim.BTC~2FUSDT)
  simulated feed      ${rate} records/s over ${symbols} symbols

Live summary every 2 s; Ctrl-C stops the engine and the feed (make down stops NATS and QuestDB).
`,
  );

  const nc = await connect({ servers: natsUrl });
  let updates = 0;
  let last: Candle | null = null;
  const sub = nc.subscribe('md.candle.1s.sim.>');
  void (async () => {
    for await (const m of sub) {
      const d = decodePayload(m.data);
      if (!d.ok) continue;
      updates += d.records.length;
      for (const r of d.records) if ((r as Candle).symbol === 'BTC/USDT') last = r as Candle;
    }
  })();

  let stopping = false;
  const onSignal = (): void => {
    stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  while (!stopping && (duration === 0 || Date.now() - started < duration * 1000)) {
    await sleep(2000);
    const [trades, candles] = await Promise.all([
      questdbCount(qdbUrl, 'select count() from trades'),
      questdbCount(qdbUrl, 'select count() from candles'),
    ]);
    const c = last as Candle | null;
    const btc = c
      ? `BTC/USDT 1s ${new Date(c.start).toISOString().slice(11, 19)} O ${c.open} H ${c.high} L ${c.low} C ${c.close} V ${c.volume.toFixed(3)}${c.closed ? ' closed' : ''}`
      : 'waiting for BTC/USDT';
    process.stdout.write(
      `  ${new Date().toISOString().slice(11, 19)}  QuestDB: ${trades ?? '…'} trades, ${candles ?? '…'} candle rows | ` +
        `NATS: ${Math.round(updates / 2)} 1s-candle updates/s | ${btc}\n`,
    );
    updates = 0;
    if (feed.exitCode !== null) {
      process.stderr.write('demo: the simulated feed stopped; see its messages above\n');
      break;
    }
  }
  process.stdout.write('demo: stopping the feed and the engine\n');
  sub.unsubscribe();
  await nc.close();
  await stop(feed, 'SIGINT');
  await stop(gateway, 'SIGTERM');
  await stop(engine, 'SIGTERM');
  process.stdout.write(
    'demo: stopped. NATS and QuestDB keep running with the data; `make down` stops them.\n',
  );
  return 0;
}
