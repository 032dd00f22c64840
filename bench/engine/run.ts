/**
 * bench/engine: in one run, on its own NATS and QuestDB (free ports, temp dirs),
 *   1. sustained throughput of the engine against the raw JetStream ceiling (consume + decode +
 *      ack of the same messages with the same partitions, fetch batch and threads), for framed
 *      input and for one trade per message;
 *   2. latency from publish to the open 1s-candle update on NATS at a fixed rate;
 *   3. peak RSS of the engine process.
 * Each throughput side consumes a backlog published before it starts; both are timed by the same
 * consumer-info poll (first delivery -> nothing pending, nothing awaiting ack).
 *
 * Run: make bench-engine   (or: node build/bench/engine/run.js [--framed-trades N] [--no-record] …)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { defaultEngineConfig } from '../../engine/config/index.js';
import { partitionConsumerName, provisionStreams, STREAMS } from '../../engine/nats/index.js';
import { describeMachine } from '../machine.js';
import { recordResult } from '../results-file.js';
import { type BenchStack, startBenchStack } from './bench-stack.js';
import { runCandleLatency } from './candle-latency.js';
import { type DrainTimes, watchDrain } from './drain-watch.js';
import { readEngineDiagnostics } from './engine-diagnostics.js';
import { benchEngineConfig, type EngineMemory, type EngineProcess, spawnEngine } from './engine-process.js';
import { runRawCeiling } from './raw-ceiling.js';
import { publishTrades, simulatedTrades } from './trade-load.js';

const defaults = defaultEngineConfig();
const { values } = parseArgs({
  options: {
    'framed-trades': { type: 'string', default: '400000' },
    frame: { type: 'string', default: '64' },
    'unframed-trades': { type: 'string', default: '100000' },
    symbols: { type: 'string', default: '2000' },
    partitions: { type: 'string', default: String(defaults.streams.partitions) },
    shards: { type: 'string', default: String(defaults.engine.shards) },
    'latency-rate': { type: 'string', default: '20000' },
    'latency-seconds': { type: 'string', default: '20' },
    'latency-warmup': { type: 'string', default: '3' },
    'latency-frame': { type: 'string', default: '1' },
    'qdb-heap': { type: 'string', default: '1g' },
    'no-record': { type: 'boolean', default: false },
  },
});
const FRAMED = Number(values['framed-trades']);
const FRAME = Number(values.frame);
const UNFRAMED = Number(values['unframed-trades']);
const SYMBOLS = Number(values.symbols);
const PARTITIONS = Number(values.partitions);
const SHARDS = Number(values.shards);
const LATENCY_RATE = Number(values['latency-rate']);
const LATENCY_SECONDS = Number(values['latency-seconds']);
const LATENCY_WARMUP = Number(values['latency-warmup']);
const LATENCY_FRAME = Number(values['latency-frame']);
/** Event-time rate of the pre-published backlogs: a busy but plausible venue. */
const BACKLOG_EVENT_RATE = 20_000;
const DRAIN_TIMEOUT_MS = 180_000;
const RUN = Date.now().toString(36);

const s = defaults.streams;
const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;

/** The engine's config file: defaults, except where the servers are and the ops port (any free one). */
function engineConfig(stack: BenchStack): object {
  return benchEngineConfig(stack, { id: 'bench-engine', partitions: PARTITIONS, shards: SHARDS });
}

interface Side {
  messages: number;
  records: number;
  seconds: number;
}

function sideOf(times: DrainTimes, messages: number, records: number): Side {
  return { messages, records, seconds: (times.drained - times.firstDelivery) / 1000 };
}

function describeSide(name: string, x: Side): string {
  return (
    `${name}: ${fmt(x.records / x.seconds)} trades/s, ${fmt(x.messages / x.seconds)} msg/s ` +
    `(${fmt(x.messages)} msgs, ${fmt(x.records)} trades in ${x.seconds.toFixed(2)} s)`
  );
}

const engineConsumers = Array.from({ length: PARTITIONS }, (_, p) => ({
  stream: STREAMS.trades,
  name: partitionConsumerName(STREAMS.trades, p),
}));

async function streamLastSeq(nc: Awaited<ReturnType<typeof connect>>): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(STREAMS.trades)).state.last_seq;
}

// Other work on the machine shifts both sides of a ratio unevenly (the engine also needs QuestDB's CPU).
const LOAD_AT_START = loadavg()[0]!.toFixed(1);
console.log(
  `bench/engine: ${PARTITIONS} partitions, ${SHARDS} shards, fetch batch ${s.fetchBatch}, ` +
    `${SYMBOLS} symbols (Zipf 1.1); ${describeMachine()}; load average ${LOAD_AT_START} at start`,
);
const stack = await startBenchStack(values['qdb-heap']);
const peaks: EngineMemory[] = [];
let engine: EngineProcess | null = null;
let nc: Awaited<ReturnType<typeof connect>> | null = null;
try {
  nc = await connect({ servers: [stack.natsUrl], name: 'bench-driver' });
  // The same stream and consumer settings the engine provisions itself, made before publishing.
  await provisionStreams(nc, {
    partitions: PARTITIONS,
    inputMaxAgeMs: s.maxAgeMs,
    duplicateWindowMs: s.duplicateWindowMs,
    ackWaitMs: s.ackWaitMs,
    maxAckPending: s.maxAckPending,
  });
  const rawOptions = {
    servers: [stack.natsUrl],
    stream: STREAMS.trades,
    partitions: PARTITIONS,
    threads: SHARDS,
    fetchBatch: s.fetchBatch,
    fetchExpiresMs: s.fetchExpiresMs,
    ackWaitMs: s.ackWaitMs,
    maxAckPending: s.maxAckPending,
    timeoutMs: DRAIN_TIMEOUT_MS,
  };

  const throughput = async (
    label: string,
    tag: string,
    trades: number,
    frame: number,
  ): Promise<{ raw: Side; eng: Side; memory: EngineMemory }> => {
    if (nc === null) throw new Error('unreachable');
    const batch = simulatedTrades(trades, SYMBOLS, tag === 'F' ? 42 : 43, BACKLOG_EVENT_RATE);
    const fromSeq = (await streamLastSeq(nc)) + 1;
    const pub = await publishTrades(nc, batch, {
      partitions: PARTITIONS,
      frame,
      msgIdPrefix: `bench-${RUN}-${tag}`,
    });
    console.log(
      `${label}: published ${fmt(pub.records)} trades in ${fmt(pub.messages)} messages ` +
        `(${fmt(pub.records / pub.seconds)} trades/s)`,
    );
    const r = await runRawCeiling(nc, { ...rawOptions, fromSeq, tag });
    const raw = sideOf(r.times, r.messages, r.records);
    console.log(
      `  ${describeSide('raw consume+decode+ack', raw)}; redelivered ${r.times.redelivered}, ` +
        `failed pulls ${r.pullErrors}, undecodable ${r.undecodable}`,
    );
    engine = spawnEngine(stack.dir, `engine-${tag}`, engineConfig(stack));
    const times = await watchDrain(nc, engineConsumers, { everyMs: 20, timeoutMs: DRAIN_TIMEOUT_MS });
    const eng = sideOf(times, pub.messages, pub.records);
    const memory = engine.memory();
    console.log(`  ${describeSide('engine', eng)}; redelivered ${times.redelivered}`);
    // Worker metrics reach the ops server once a second.
    await new Promise((r) => setTimeout(r, 1500));
    const d = await readEngineDiagnostics(await engine.opsPort());
    console.log(
      `  engine internals: ${fmt(d.flushes)} QuestDB flushes, mean ${((1000 * d.flushSeconds) / Math.max(d.flushes, 1)).toFixed(1)} ms ` +
        `(${d.flushSeconds.toFixed(1)} s summed over shards), ${d.backpressureSeconds.toFixed(1)} s under backpressure, ` +
        `mean processing latency ${((1000 * d.processingSeconds) / Math.max(d.processed, 1)).toFixed(1)} ms; ` +
        `${fmt(d.rows)} rows stored, ${fmt(d.candlesClosed)} candles closed, ${fmt(d.revisions)} revised, ${fmt(d.lateTrades)} late trades; ` +
        `shard event-loop delay mean ${(1000 * d.loopDelayMean).toFixed(1)} ms, p99 <= ${(1000 * d.loopDelayP99).toFixed(0)} ms, max <= ${(1000 * d.loopDelayMax).toFixed(0)} ms`,
    );
    console.log(
      `  engine / raw: ${((100 * eng.records) / eng.seconds / (raw.records / raw.seconds)).toFixed(1)}% ` +
        `(target >= ${frame > 1 ? 70 : 80}%); engine RSS now ${mib(memory.lastRss)}`,
    );
    return { raw, eng, memory };
  };

  const framed = await throughput(`framed (${FRAME} per message)`, 'F', FRAMED, FRAME);
  // The next backlog must be published while no engine consumes it.
  peaks.push(await (engine as EngineProcess | null)!.stop());
  engine = null;
  const unframed = await throughput('unframed (1 per message)', 'U', UNFRAMED, 1);

  console.log(
    `latency: ${fmt(LATENCY_RATE)} trades/s for ${LATENCY_SECONDS} s (first ${LATENCY_WARMUP} s not counted), ` +
      `${LATENCY_FRAME === 1 ? 'one trade per message' : `frames of up to ${LATENCY_FRAME}`}, ${SYMBOLS} symbols`,
  );
  const lat = await runCandleLatency(nc, {
    servers: [stack.natsUrl],
    partitions: PARTITIONS,
    symbols: SYMBOLS,
    ratePerSec: LATENCY_RATE,
    seconds: LATENCY_SECONDS,
    warmupSeconds: LATENCY_WARMUP,
    frame: LATENCY_FRAME,
    msgIdPrefix: `bench-${RUN}-L`,
    settled: async () => {
      if (nc !== null) await watchDrain(nc, engineConsumers, { everyMs: 50, timeoutMs: DRAIN_TIMEOUT_MS });
    },
  });
  if (lat.achievedRate < 0.95 * LATENCY_RATE) {
    console.log(
      `  WARNING: only ${fmt(lat.achievedRate)} of ${fmt(LATENCY_RATE)} trades/s were published: ` +
        'NATS or the engine is saturated, so the latency below includes queueing',
    );
  }
  const rep = lat.report;
  const ms = (us: number): string => (us / 1000).toFixed(2);
  console.log(
    `  published ${fmt(lat.trades)} trades in ${lat.seconds.toFixed(1)} s (${fmt(lat.achievedRate)}/s); ${fmt(rep.samples)} candle updates timed ` +
      `(${fmt(rep.received)} received): p50 ${ms(rep.p50)} ms, p90 ${ms(rep.p90)} ms, p99 ${ms(rep.p99)} ms, ` +
      `p99.9 ${ms(rep.p999)} ms, max ${ms(rep.max)} ms`,
  );
  peaks.push(await (engine as EngineProcess | null)!.stop());
  engine = null;
  let peak = 0;
  let sampled = 0;
  for (const m of peaks) {
    peak = Math.max(peak, m.peakRss);
    sampled = Math.max(sampled, m.sampledMaxRss);
  }
  console.log(
    `engine peak RSS (VmHWM): ${mib(peak)} (framed run ${mib(peaks[0]!.peakRss)}, unframed + latency run ` +
      `${mib(peaks[1]!.peakRss)}); largest sampled VmRSS ${mib(sampled)}`,
  );

  if (!values['no-record']) {
    const ratio = (x: { raw: Side; eng: Side }): string =>
      `${((100 * x.eng.records) / x.eng.seconds / (x.raw.records / x.raw.seconds)).toFixed(1)}%`;
    const both = (x: { raw: Side; eng: Side }, per: 'trades' | 'messages'): string => {
      const rate = (y: Side): number => (per === 'trades' ? y.records : y.messages) / y.seconds;
      return `raw ${fmt(rate(x.raw))}/s, engine ${fmt(rate(x.eng))}/s`;
    };
    const setup =
      `${PARTITIONS} partitions, ${SHARDS} shards, fetch ${s.fetchBatch}, ${SYMBOLS} symbols, ` +
      `load avg ${LOAD_AT_START} at start`;
    await recordResult(
      'bench/engine — sustained throughput, framed input, vs raw JetStream consume + decode + ack',
      `${fmt(FRAMED)} trades in frames of ${FRAME} (${fmt(framed.eng.messages)} msgs), ${setup}: ` +
        `${both(framed, 'trades')} trades, **${ratio(framed)} of raw** (target ≥ 70%)`,
    );
    await recordResult(
      'bench/engine — sustained throughput, one trade per message, vs raw JetStream consume + decode + ack',
      `${fmt(UNFRAMED)} messages, ${setup}: ${both(unframed, 'messages')} msgs, ` +
        `**${ratio(unframed)} of raw** (target ≥ 80%)`,
    );
    await recordResult(
      'bench/engine — latency, trade published → open 1s candle update on NATS',
      `${fmt(lat.achievedRate)} trades/s achieved of ${fmt(LATENCY_RATE)} asked, ${lat.seconds.toFixed(0)} s ` +
        `(${LATENCY_WARMUP} s warm-up), ` +
        `${LATENCY_FRAME === 1 ? 'unframed' : `frames ≤ ${LATENCY_FRAME}`}, ${setup}, ${fmt(rep.samples)} updates: ` +
        `**p50 ${ms(rep.p50)} ms, p99 ${ms(rep.p99)} ms, p99.9 ${ms(rep.p999)} ms** (max ${ms(rep.max)} ms; ` +
        'event times are whole ms, so up to +1 ms)',
    );
    await recordResult(
      'bench/engine — peak RSS of the engine process',
      `default config, ${setup}, over the throughput and latency runs: **VmHWM ${mib(peak)}** ` +
        `(framed ${mib(peaks[0]!.peakRss)}, unframed + latency ${mib(peaks[1]!.peakRss)})`,
    );
  }
} finally {
  if (engine !== null) await (engine as EngineProcess).stop().catch(() => undefined);
  await nc?.close().catch(() => undefined);
  await stack.stop();
}
