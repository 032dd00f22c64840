/**
 * bench/gateway latency: end to end from a trade published on NATS to the
 * candle update it produced arriving at a WebSocket client, through a real
 * engine (JetStream consumers, shards, actors, NATS outputs) and the gateway,
 * with `--clients` WebSocket clients subscribed to the same candles
 * (one measuring client in this process, the rest in forked client
 * processes). Each trade has a price unique within its symbol, so a candle
 * update is matched to the trade that is its close; latency is measured for
 * those trades (one per symbol per engine batch), on one clock.
 *
 * Run: npx tsc -p . && node build/bench/gateway/latency.js [--rate 1000] [--clients 100] [--seconds 10] [--no-record]
 */

import { type ChildProcess, fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import type * as hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { defaultEngineConfig } from '../../engine/config/index.js';
import { startEngine } from '../../engine/runtime/engine-main.js';
import {
  type Candle,
  decodePayload,
  encodeRecord,
  escapeSymbol,
  partitionOf,
  type Trade,
  tradeSubject,
} from '../../schemas/index.js';
import { startNats, startQuestDb } from '../../test/support/servers.js';
import { latencyHistogram } from '../engine/open-candle-latency.js';
import { recordResult } from '../results-file.js';
import type { ClientReport, ClientStart, FromServer, ToServer } from './messages.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '100' },
    symbols: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'no-record': { type: 'boolean', default: false },
  },
});
const RATE = Number(values.rate);
const CLIENTS = Number(values.clients);
const SYMBOLS = Number(values.symbols);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const TICK_MS = 5;
const VENUE = 'lat';
const CHANNEL = 'candles:1s';

const CLIENT = fileURLToPath(new URL('./client-process.js', import.meta.url));
const SERVER = fileURLToPath(new URL('./server-process.js', import.meta.url));
const nowMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const [nats, qdb] = await Promise.all([startNats({ jetstream: true }), startQuestDb()]);
const config = defaultEngineConfig();
config.nats.servers = [nats.url];
config.questdb.ilpUrl = qdb.httpUrl;
config.questdb.httpUrl = qdb.httpUrl;
config.http.host = '127.0.0.1';
config.http.port = 0;
config.log.level = 'warn';
const engine = await startEngine(config);
const P = config.streams.partitions;
// The gateway in a process of its own, as deployed: this one hosts the engine's main thread and the load.
const gatewayProcess = fork(SERVER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
gatewayProcess.send({ type: 'start', impl: 'gateway', natsUrl: nats.url } satisfies ToServer);
const gatewayPort = await new Promise<number>((resolve, reject) => {
  gatewayProcess.on('message', (m: FromServer) => {
    if (m.type === 'listening') resolve(m.port);
  });
  gatewayProcess.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)));
});
const symbols: string[] = [];
const subjects: string[] = [];
for (let i = 0; i < SYMBOLS; i++) {
  const symbol = `L${i}/USD`;
  symbols.push(symbol);
  subjects.push(tradeSubject(VENUE, symbol, partitionOf(VENUE, escapeSymbol(symbol), P)));
}
const subscribe = JSON.stringify({ op: 'subscribe', id: 1, channels: [CHANNEL], symbols: [`${VENUE}:*`] });

// Load clients in other processes, the measuring one here.
const children: ChildProcess[] = [];
const others = Math.max(0, CLIENTS - 1);
const procs = Math.min(4, Math.ceil(others / 100));
const ready: Promise<void>[] = [];
for (let p = 0; p < procs; p++) {
  const child = fork(CLIENT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  ready.push(
    new Promise((resolve) => {
      child.on('message', (m: ClientReport) => {
        if (m.type === 'ready') resolve();
      });
    }),
  );
  const count = Math.floor(others / procs) + (p < others % procs ? 1 : 0);
  child.send({ port: gatewayPort, count, subscribe } satisfies ClientStart);
}
await Promise.all(ready);

/** `symbol|price` → publish time (epoch ms, sub-ms resolution). */
const sent = new Map<string, number>();
const histogram = latencyHistogram(600_000_000);
/** The gateway's share: the candle seen on NATS by this process → the same update at the WS client. */
const hop = latencyHistogram(600_000_000);
/** `symbol|close` of candles:1s seen on NATS → when. */
const onNats = new Map<string, number>();
let measuring = false;
let matched = 0;
const ws = new WebSocket(`ws://127.0.0.1:${gatewayPort}/ws`);
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
ws.on('message', (data) => {
  const at = nowMs();
  const m = JSON.parse(String(data)) as {
    type: string;
    channel?: string;
    data?: { symbol: string; close: number };
  };
  if (m.type !== 'update' || m.channel !== CHANNEL || m.data === undefined) return;
  const key = `${m.data.symbol}|${m.data.close}`;
  const n = onNats.get(key);
  if (n !== undefined) {
    onNats.delete(key);
    if (measuring) hop.recordValue(Math.max(1, Math.round((at - n) * 1000)));
  }
  const t = sent.get(key);
  if (t === undefined) return;
  sent.delete(key);
  if (!measuring) return;
  histogram.recordValue(Math.max(1, Math.round((at - t) * 1000)));
  matched++;
});
ws.send(subscribe);

const nc = await connect({ servers: nats.url });
nc.subscribe(`md.candle.1s.${VENUE}.>`, {
  callback: (_err, msg) => {
    const at = nowMs();
    const d = decodePayload(msg.data);
    if (!d.ok) return;
    for (const r of d.records) {
      const c = r as Candle;
      onNats.set(`${c.symbol}|${c.close}`, at);
    }
    if (onNats.size > 100_000) onNats.clear();
  },
});
let seq = 0;
let published = 0;
const started = performance.now();
// Paced by elapsed time, not by tick count: a loaded machine fires timers late.
const ticker = setInterval(() => {
  const n = Math.floor(((performance.now() - started) / 1000) * RATE) - published;
  const ts = Date.now();
  for (let k = 0; k < n; k++) {
    const i = seq++;
    const s = i % SYMBOLS;
    // Unique within the symbol for the run: ticks of 1e-4 over a 1e6-step cycle.
    const price = Math.round((100 + (Math.floor(i / SYMBOLS) % 1_000_000) * 1e-4) * 1e4) / 1e4;
    const trade: Trade = {
      v: 1,
      type: 'trade',
      venue: VENUE,
      symbol: symbols[s]!,
      price,
      size: 1,
      side: i % 2 === 0 ? 'buy' : 'sell',
      id: String(i + 1),
      ts,
      recvTs: ts,
    };
    sent.set(`${trade.symbol}|${price}`, nowMs());
    nc.publish(subjects[s]!, encodeRecord(trade));
    published++;
  }
  // Entries never matched (not a candle's close) are forgotten after a while.
  if (sent.size > RATE * 30) sent.clear();
}, TICK_MS);

await sleep(WARMUP * 1000);
measuring = true;
const p0 = published;
const t0 = performance.now();
await sleep(SECONDS * 1000);
measuring = false;
const seconds = (performance.now() - t0) / 1000;
const rate = (published - p0) / seconds;
clearInterval(ticker);

const ms = (h: hdr.Histogram, p: number): string => `${(h.getValueAtPercentile(p) / 1000).toFixed(2)} ms`;
const summary =
  `${Math.round(rate)} trades/s, ${CLIENTS} clients, ${SYMBOLS} symbols: p50 ${ms(histogram, 50)}, ` +
  `p99 ${ms(histogram, 99)}, p99.9 ${ms(histogram, 99.9)}, max ${ms(histogram, 100)} over ${matched} candle updates; ` +
  `gateway hop (candle on NATS → WS client) p50 ${ms(hop, 50)}, p99 ${ms(hop, 99)}, p99.9 ${ms(hop, 99.9)}`;
console.log(`trade published on NATS → ${CHANNEL} update at a WS client (engine + gateway): ${summary}`);
console.log('targets (at 50k trades/s, 1,000 clients): p50 ≤ 1 ms, p99 ≤ 5 ms, p99.9 ≤ 20 ms');

ws.close();
for (const c of children) c.kill();
await nc.close();
gatewayProcess.kill('SIGTERM');
await engine.stop();
await Promise.all([nats.stop(), qdb.stop()]);
if (!values['no-record'])
  await recordResult(
    'End-to-end latency, trade → candle at a WS client (bench/gateway/latency)',
    `${summary} (load average ${loadavg()[0]!.toFixed(1)})`,
  );
