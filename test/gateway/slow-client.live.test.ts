/**
 * Live infrastructure test: one client that stops reading must not slow the
 * others. Against a real nats-server: readers' delivery latency is measured
 * without and with a stalled client; the stalled client is conflated (latest
 * indicator per symbol kept), catches up with the latest values when it
 * reads again, and when it stalls for good it is closed with 4008 and a
 * reason (after the slow-client timeout, or at once past the hard limit). Latencies are reported, and bounded only loosely (timing is for
 * benchmarks).
 */

import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import t from 'tap';
import WebSocket from 'ws';
import type { ServerMessage } from '../../gateway/protocol.js';
import { encodeRecord, type IndicatorSnapshot, indicatorSubject } from '../../schemas/index.js';
import { startNats } from '../support/servers.js';
import { indicator, startTestGateway, until } from './harness.js';

const SYMBOLS = 15;
const ROUNDS = 150;
const READERS = 8;
const PAD_VALUES = 400;

const nats = await startNats({ jetstream: false });
const nc = await connect({ servers: nats.url });
const gw = await startTestGateway({
  natsUrl: nats.url,
  softBackpressureBytes: 65_536,
  hardBackpressureBytes: 8_388_608,
  slowClientTimeoutMs: 15_000,
  heartbeatMs: 60_000,
});
t.teardown(async () => {
  await gw.close();
  await nc.close();
  await nats.stop();
});

/** A client that keeps per-symbol seqs, the last value and delivery latencies, not the messages. */
class Reader {
  readonly ws: WebSocket;
  readonly seqs = new Map<string, number[]>();
  readonly lastRound = new Map<string, number>();
  latencies: number[] = [];
  updates = 0;
  closeCode: number | null = null;
  closeReason = '';

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const m = JSON.parse((data as Buffer).toString('utf8')) as ServerMessage;
      if (m.type !== 'update' && m.type !== 'snapshot') return;
      const rec = (m.type === 'update' ? m.data : m.data[0]) as IndicatorSnapshot | undefined;
      if (rec === undefined) return;
      let list = this.seqs.get(m.symbol);
      if (list === undefined) {
        list = [];
        this.seqs.set(m.symbol, list);
      }
      list.push(m.seq);
      this.lastRound.set(m.symbol, rec.values['round']!);
      if (m.type === 'update') {
        this.updates++;
        this.latencies.push(Date.now() - rec.values['sentAt']!);
      }
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  static async open(port: number): Promise<Reader> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const r = new Reader(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ op: 'subscribe', channels: ['indicators:1m'], symbols: ['slow:*'] }));
    return r;
  }

  /** The raw socket, to stop reading as a stalled client would. */
  get socket(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }
}

function bigIndicator(symbol: string, round: number): IndicatorSnapshot {
  const rec = indicator('slow', symbol, '1m', round);
  for (let i = 0; i < PAD_VALUES; i++) rec.values[`p${i}`] = i + round / 1000;
  rec.values['round'] = round;
  rec.values['sentAt'] = Date.now();
  return rec;
}

let round = 0;

async function publishRounds(n: number): Promise<void> {
  for (let k = 0; k < n; k++) {
    round++;
    for (let s = 0; s < SYMBOLS; s++) {
      nc.publish(indicatorSubject('1m', 'slow', `S${s}`), encodeRecord(bigIndicator(`S${s}`, round)));
    }
    await nc.flush();
    await sleep(3);
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

function consecutive(r: Reader, from: number, to: number): boolean {
  for (let s = 0; s < SYMBOLS; s++) {
    const seqs = (r.seqs.get(`slow:S${s}`) ?? []).filter((q) => q >= from && q <= to);
    if (seqs.length !== to - from + 1) return false;
    for (let i = 0; i < seqs.length; i++) if (seqs[i] !== from + i) return false;
  }
  return true;
}

const readers: Reader[] = [];
for (let i = 0; i < READERS; i++) readers.push(await Reader.open(gw.port));
t.teardown(() => {
  for (const r of readers) r.ws.close();
});
await sleep(100);

let baseline: number[] = [];

t.test('baseline: readers get every update in order', async (t) => {
  await publishRounds(ROUNDS);
  await until(() => readers.every((r) => r.updates >= ROUNDS * SYMBOLS), 20_000);
  for (const r of readers) t.ok(consecutive(r, 1, ROUNDS), `seq 1..${ROUNDS} for every symbol, no gaps`);
  baseline = readers.flatMap((r) => r.latencies);
  for (const r of readers) r.latencies = [];
});

let stalled: Reader;

t.test('a stalled client is conflated; readers are unaffected', async (t) => {
  stalled = await Reader.open(gw.port);
  await sleep(100);
  stalled.socket.pause();
  const conflatedBefore = await metricValue('tickflow_gateway_conflated_total');
  await publishRounds(ROUNDS);
  await until(() => readers.every((r) => r.updates >= 2 * ROUNDS * SYMBOLS), 20_000);
  for (const r of readers)
    t.ok(
      consecutive(r, ROUNDS + 1, 2 * ROUNDS),
      `seq ${ROUNDS + 1}..${2 * ROUNDS} for every symbol, no gaps`,
    );
  const withSlow = readers.flatMap((r) => r.latencies);
  t.comment(
    `reader latency ms without a stalled client: p50 ${pct(baseline, 50)} p99 ${pct(baseline, 99)} max ${pct(baseline, 100)}; ` +
      `with one: p50 ${pct(withSlow, 50)} p99 ${pct(withSlow, 99)} max ${pct(withSlow, 100)}`,
  );
  t.ok(pct(withSlow, 99) < 1000, 'readers are not held back by the stalled client');
  const conflated = (await metricValue('tickflow_gateway_conflated_total')) - conflatedBefore;
  t.ok(conflated > 0, `updates for the stalled client were conflated (${conflated})`);
  t.equal(await disconnectCount(), 0, 'still connected while within the limits');
});

t.test(
  'the stalled client catches up with the latest value of every symbol, then gets live updates again',
  async (t) => {
    stalled.socket.resume();
    await until(() => {
      for (let s = 0; s < SYMBOLS; s++) if (stalled.lastRound.get(`slow:S${s}`) !== 2 * ROUNDS) return false;
      return true;
    }, 10_000);
    const got = stalled.updates;
    t.ok(
      got < ROUNDS * SYMBOLS,
      `it received ${got} of ${ROUNDS * SYMBOLS} updates: the rest were conflated away`,
    );
    for (let s = 0; s < SYMBOLS; s++) {
      const seqs = stalled.seqs.get(`slow:S${s}`)!;
      t.equal(seqs.at(-1), 2 * ROUNDS, 'ends on the newest seq');
      t.ok(
        seqs.every((q, i) => i === 0 || q > seqs[i - 1]!),
        'seqs only increase (gaps show what was skipped)',
      );
    }
    await sleep(200);
    await publishRounds(1);
    await until(() => stalled.lastRound.get('slow:S0') === 2 * ROUNDS + 1, 5000);
    t.equal(
      stalled.seqs.get('slow:S0')!.at(-1),
      2 * ROUNDS + 1,
      'resubscribed: the next update arrives live',
    );
  },
);

t.test('a client that stays stalled is closed with 4008 and a reason; readers keep going', async (t) => {
  stalled.socket.pause();
  const before = readers[0]!.updates;
  await publishRounds(ROUNDS);
  const deadline = Date.now() + 30_000;
  while ((await disconnectCount()) === 0 && Date.now() < deadline) await sleep(50);
  t.equal(await disconnectCount(), 1, 'the gateway closed it');
  stalled.socket.resume();
  await until(() => stalled.closeCode !== null, 10_000);
  t.equal(stalled.closeCode, 4008);
  t.match(stalled.closeReason, /^slow consumer: /);
  await until(() => readers.every((r) => r.updates >= before + ROUNDS * SYMBOLS), 20_000);
  t.pass('readers received the whole burst');
});

t.test('a client whose buffer jumps past the hard limit is closed at once', async (t) => {
  const small = await startTestGateway({
    natsUrl: nats.url,
    softBackpressureBytes: 65_536,
    hardBackpressureBytes: 131_072,
    heartbeatMs: 60_000,
  });
  t.teardown(() => small.close());
  const c = await Reader.open(small.port);
  await sleep(100);
  c.socket.pause();
  let n = 0;
  const huge = (i: number) => {
    const rec = bigIndicator('H', i);
    for (let k = 0; k < 20_000; k++) rec.values[`h${k}`] = k;
    return rec;
  };
  const end = Date.now() + 30_000;
  while ((await disconnectCount(small)) === 0 && Date.now() < end) {
    nc.publish(indicatorSubject('1m', 'slow', 'H'), encodeRecord(huge(++n)));
    await nc.flush();
    await sleep(5);
  }
  t.match(
    await small.metrics.registry.metrics(),
    /tickflow_gateway_disconnects_total\{reason="backpressure"\} 1/,
  );
  c.socket.resume();
  await until(() => c.closeCode !== null, 10_000);
  t.equal(c.closeCode, 4008);
  t.match(c.closeReason, /^slow consumer: more than 131072 bytes buffered$/);
});

async function disconnectCount(g = gw): Promise<number> {
  const text = await g.metrics.registry.metrics();
  let n = 0;
  for (const m of text.matchAll(
    /tickflow_gateway_disconnects_total\{reason="(backpressure|slow_timeout)"\} (\d+)/g,
  )) {
    n += Number(m[2]);
  }
  return n;
}

async function metricValue(name: string): Promise<number> {
  const text = await gw.metrics.registry.metrics();
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}
