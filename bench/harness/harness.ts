/**
 * The harness run: its own NATS and QuestDB, the engine and the gateway as child processes, WS
 * client processes subscribed to 1s candles of every symbol, and the simulated feed stepped up a
 * ramp of target rates; per step one measurement window, a verdict, and the saturation point;
 * then an optional soak and optional baselines. Everything started is stopped, also on failure.
 */
import { loadavg } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { partitionConsumerName, STREAMS } from '../../engine/nats/index.js';
import type { PublisherStats } from '../../feeds/publisher/publisher.js';
import type { Trade } from '../../schemas/index.js';
import { BenchEngineError } from '../engine/bench-error.js';
import { type BenchStack, startBenchStack } from '../engine/bench-stack.js';
import { consumerTotals, type WatchedConsumer, watchDrain } from '../engine/drain-watch.js';
import { benchEngineConfig, type EngineProcess, spawnEngine } from '../engine/engine-process.js';
import { describeMachine } from '../machine.js';
import {
  type ActorsBaseline,
  type FanoutBaseline,
  measureActorsBaseline,
  measureFanoutBaseline,
  measureRawCeiling,
  type RawBaseline,
} from './baselines.js';
import { type GatewayProcess, startGatewayProcess } from './gateway-process.js';
import { SteppedLoad } from './load-driver.js';
import { measureWindow, type Probes, type WindowMeasurement } from './measure-window.js';
import type { HarnessOptions } from './options.js';
import { UsageMonitor } from './process-usage.js';
import { type Receiver, startNatsProbe, startWsClients } from './receivers.js';
import { describeWindow, fmt } from './report.js';
import {
  continueRamp,
  judgeStep,
  LAG_GROWTH_FLOOR_MESSAGES,
  type StepVerdict,
  saturationIndex,
} from './saturation.js';
import { judgeSoak, SOAK_FRACTION, type SoakVerdict } from './soak.js';

/** One step of the ramp. */
export interface StepResult extends WindowMeasurement {
  index: number;
  targetRate: number;
  verdict: StepVerdict;
}

/** The soak phase. */
export interface SoakResult {
  targetRate: number;
  /** Where the rate came from. */
  basis: 'saturation' | 'soak-rate';
  sampleSeconds: number;
  samples: WindowMeasurement[];
  verdict: SoakVerdict;
}

/** Baselines and the ratios against them (null where a side is missing). */
export interface BaselineResult {
  raw: RawBaseline;
  fanout: FanoutBaseline;
  actors: ActorsBaseline;
  /** Saturation rate / raw ceiling (target >= 0.7 for framed input). */
  engineVsRaw: number | null;
}

/** Everything a run measured; written as the JSON result. */
export interface HarnessResult {
  version: 1;
  startedAt: string;
  finishedAt: string;
  machine: string;
  loadAverageAtStart: number[];
  options: HarnessOptions;
  steps: StepResult[];
  /** Index into `steps`, or null when no step was sustained. */
  saturation: number | null;
  soak: SoakResult | null;
  baselines: BaselineResult | null;
  /** Publisher totals over the whole load (ramp and soak). */
  published: { trades: number; messages: number; rejected: number; failed: number; errors: number };
  /** Kernel high-water marks of resident memory, bytes. */
  peakRss: { engine: number; gateway: number };
}

/** Ways for a caller (the test) to look inside a run. */
export interface HarnessHooks {
  /** Sees every trade handed to the publisher. */
  onTrade?: (t: Trade) => void;
  /**
   * Called after the load stopped and the engine consumed and acked everything published, while
   * every server still runs.
   */
  afterDrain?: (ctx: { natsUrl: string; qdbHttpUrl: string; published: PublisherStats }) => Promise<void>;
  /** Progress lines; default: stdout. */
  log?: (line: string) => void;
}

const SETTLE_TIMEOUT_MS = 120_000;
const DRAIN_TIMEOUT_MS = 300_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new BenchEngineError('TF_ERR_BENCH_TIMEOUT', `${url} did not answer 200 within ${timeoutMs} ms`);
    }
    await sleep(250);
  }
}

/** Runs the harness; resolves with everything measured. */
export async function runHarness(o: HarnessOptions, hooks: HarnessHooks = {}): Promise<HarnessResult> {
  const log = hooks.log ?? ((line: string) => console.log(line));
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const tag = Date.now().toString(36);
  let stack: BenchStack | null = null;
  let engine: EngineProcess | null = null;
  let gateway: GatewayProcess | null = null;
  let nats: Receiver | null = null;
  let ws: Receiver[] = [];
  let nc: NatsConnection | null = null;
  let load: SteppedLoad | null = null;
  let usage: UsageMonitor | null = null;
  const peakRss = { engine: 0, gateway: 0 };
  const steps: StepResult[] = [];
  let soak: SoakResult | null = null;
  let baselines: BaselineResult | null = null;
  let published: PublisherStats | null = null;
  try {
    log(`starting NATS and QuestDB (heap ${o.qdbHeap}) on free ports`);
    stack = await startBenchStack(o.qdbHeap);
    engine = spawnEngine(
      stack.dir,
      'engine',
      benchEngineConfig(stack, { id: 'bench-harness', partitions: o.partitions, shards: o.shards }),
    );
    const opsPort = await engine.opsPort();
    await waitReady(`http://127.0.0.1:${opsPort}/ready`, 60_000);
    gateway = await startGatewayProcess(stack.dir, {
      natsUrl: stack.natsUrl,
      qdbHttpUrl: stack.qdbHttpUrl,
      connections: o.clients + 8,
    });
    log(
      `engine pid ${engine.pid} (${o.partitions} partitions, ${o.shards} shards, ops :${opsPort}); ` +
        `gateway pid ${gateway.pid} on :${gateway.port}; logs in ${stack.dir}`,
    );
    nats = await startNatsProbe([stack.natsUrl], 'md.candle.1s.>');
    ws = await startWsClients(o.clientProcs, o.clients, {
      port: gateway.port,
      path: `/ws?token=${encodeURIComponent(gateway.key)}`,
      subscribe: JSON.stringify({ op: 'subscribe', id: 1, channels: ['candles:1s'], symbols: ['sim:*'] }),
      channel: 'candles:1s',
    });
    log(`${o.clients} WebSocket clients in ${o.clientProcs} processes subscribed to candles:1s of sim:*`);
    nc = await connect({ servers: [stack.natsUrl], name: 'bench-harness' });
    const jsm = await jetstreamManager(nc);
    const consumers: WatchedConsumer[] = [];
    for (let p = 0; p < o.partitions; p++) {
      consumers.push({ stream: STREAMS.trades, name: partitionConsumerName(STREAMS.trades, p) });
    }
    const clientPids = ws.map((r) => r.pid).filter((p): p is number => p !== undefined);
    usage = new UsageMonitor({
      engine: [engine.pid],
      gateway: [gateway.pid],
      nats: [stack.natsPid],
      questdb: [stack.questDbPid],
      driver: [process.pid],
      clients: clientPids,
    });
    const activeLoad = new SteppedLoad(nc, {
      partitions: o.partitions,
      symbols: o.symbols,
      seed: o.seed,
      frame: o.frame,
      frameDelayMs: o.frameDelayMs,
      msgIdPrefix: `harness-${tag}`,
      ...(hooks.onTrade === undefined ? {} : { onTrade: hooks.onTrade }),
    });
    load = activeLoad;
    const probes: Probes = {
      publisherStats: () => activeLoad.stats(),
      nats,
      ws,
      clients: o.clients,
      usage,
      jsm,
      consumers,
      engineMetricsUrl: `http://127.0.0.1:${opsPort}/metrics`,
      gatewayMetricsUrl: `http://127.0.0.1:${gateway.port}/metrics`,
    };
    const running = { engine, gateway };
    const alive = (): void => {
      // Throws with the child's log tail if either died.
      running.engine.memory();
      running.gateway.memory();
    };

    // The ramp.
    for (let i = 0; i < o.steps.length; i++) {
      const target = o.steps[i]!;
      activeLoad.setRate(target);
      await sleep((i === 0 ? o.startWarmupSeconds : o.warmupSeconds) * 1000);
      const m = await measureWindow(probes, o.stepSeconds);
      alive();
      const verdict = judgeStep(target, m, { p99BoundMs: o.p99BoundMs });
      steps.push({ index: i, targetRate: target, verdict, ...m });
      log(
        describeWindow(`step ${i + 1}/${o.steps.length} target ${fmt(target)}/s`, m) +
          (verdict.sustained ? ' -- sustained' : ` -- NOT sustained: ${verdict.reasons.join('; ')}`),
      );
      if (o.stopAtSaturation && !continueRamp(steps.map((s) => s.verdict))) break;
    }
    const sat = saturationIndex(steps.map((s) => s.verdict));

    // The soak.
    if (o.soakSeconds > 0) {
      const basis = o.soakRate === undefined ? 'saturation' : 'soak-rate';
      const satStep = sat === null ? null : steps[sat]!;
      if (o.soakRate === undefined && satStep === null) {
        log(
          'soak skipped: no step was sustained, so there is no saturation rate to take 70% of; give --soak-rate',
        );
      } else {
        const rate = o.soakRate ?? Math.max(1, Math.round(SOAK_FRACTION * satStep!.tradesIn.perSec));
        activeLoad.setRate(rate);
        // Let the backlog of the last (unsustained) step drain before the first sample.
        const settleEnd = Date.now() + SETTLE_TIMEOUT_MS;
        while (Date.now() < settleEnd) {
          await sleep(1000);
          if ((await consumerTotals(jsm, consumers)).pending < LAG_GROWTH_FLOOR_MESSAGES) break;
        }
        await sleep(o.warmupSeconds * 1000);
        const n = Math.max(4, Math.round(o.soakSeconds / o.soakSampleSeconds));
        log(`soak: ${fmt(rate)} trades/s (${basis}) for ${n} samples of ${o.soakSampleSeconds} s`);
        const samples: WindowMeasurement[] = [];
        for (let k = 0; k < n; k++) {
          const m = await measureWindow(probes, o.soakSampleSeconds);
          alive();
          samples.push(m);
          log(describeWindow(`soak ${k + 1}/${n}`, m));
        }
        soak = {
          targetRate: rate,
          basis,
          sampleSeconds: o.soakSampleSeconds,
          samples,
          verdict: judgeSoak(samples),
        };
      }
    }

    published = await activeLoad.stop();
    load = null;
    if (hooks.afterDrain !== undefined) {
      await watchDrain(nc, consumers, { everyMs: 100, timeoutMs: DRAIN_TIMEOUT_MS });
      await hooks.afterDrain({ natsUrl: stack.natsUrl, qdbHttpUrl: stack.qdbHttpUrl, published });
    }
    for (const r of ws) await r.stop();
    ws = [];
    await nats.stop();
    nats = null;
    usage.stop();
    peakRss.gateway = (await gateway.stop()).peakRss;
    gateway = null;
    peakRss.engine = (await engine.stop()).peakRss;
    engine = null;

    if (o.baselines) {
      log('baselines: raw JetStream ceiling (consume + decode + ack of a framed backlog)');
      const raw = await measureRawCeiling(nc, {
        natsUrl: stack.natsUrl,
        partitions: o.partitions,
        threads: o.shards,
        trades: 200_000,
        frame: o.frame,
        symbols: o.symbols,
        tag,
      });
      await nc.close();
      nc = null;
      await stack.stop();
      stack = null;
      log(`baselines: gateway vs ws fan-out at ${o.clients} clients`);
      const fanout = await measureFanoutBaseline(o.clients);
      log('baselines: actors vs tardis-dev computeTradeBars (bench/actors)');
      const actors = await measureActorsBaseline(200_000);
      const satRate = sat === null ? null : steps[sat]!.tradesIn.perSec;
      baselines = { raw, fanout, actors, engineVsRaw: satRate === null ? null : satRate / raw.tradesPerSec };
    }
  } finally {
    if (load !== null) await load.stop().catch(() => undefined);
    for (const r of ws) await r.stop().catch(() => undefined);
    await nats?.stop().catch(() => undefined);
    usage?.stop();
    if (gateway !== null) peakRss.gateway = (await gateway.stop().catch(() => ({ peakRss: 0 }))).peakRss;
    if (engine !== null) peakRss.engine = (await engine.stop().catch(() => ({ peakRss: 0 }))).peakRss;
    await nc?.close().catch(() => undefined);
    await stack?.stop();
  }
  if (published === null) throw new BenchEngineError('TF_ERR_BENCH_PUBLISH', 'the load never stopped');
  return {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: describeMachine(),
    loadAverageAtStart,
    options: o,
    steps,
    saturation: saturationIndex(steps.map((s) => s.verdict)),
    soak,
    baselines,
    published: {
      trades: published.ackedRecords,
      messages: published.acked,
      rejected: published.rejected,
      failed: published.failed,
      errors: published.errors,
    },
    peakRss,
  };
}
