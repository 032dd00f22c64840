/**
 * Baselines measured in the same run as the ramp, so every ratio the harness claims is side by
 * side on the same machine: the raw JetStream ceiling (consume + decode + ack of a backlog with
 * the engine's partitions, fetch batch and threads), the gateway's fan-out against the same
 * protocol served with `ws`, and the actors against tardis-dev's computeTradeBars. Each reuses
 * the benchmark that owns it: bench/engine's raw ceiling, bench/gateway's fan-out measurement,
 * and bench/actors run as a child process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { defaultEngineConfig } from '../../engine/config/index.js';
import { STREAMS } from '../../engine/nats/index.js';
import { BenchEngineError } from '../engine/bench-error.js';
import { runRawCeiling } from '../engine/raw-ceiling.js';
import { publishTrades, simulatedTrades } from '../engine/trade-load.js';
import { measureFanout } from '../gateway/fanout-measure.js';

/** Raw consume + decode + ack of a framed backlog. */
export interface RawBaseline {
  trades: number;
  messages: number;
  frame: number;
  tradesPerSec: number;
  messagesPerSec: number;
}

/** Messages/s delivered to the same clients by the gateway and by the `ws` baseline. */
export interface FanoutBaseline {
  clients: number;
  gatewayPerSec: number;
  wsPerSec: number;
  ratio: number;
}

/** Trades/s on one core: the actors (closes only) against tardis-dev bars (1s + 1m). */
export interface ActorsBaseline {
  trades: number;
  tickflowPerSec: number;
  tardisPerSec: number;
  ratio: number;
}

/**
 * Publishes `trades` simulated trades in frames of `frame` while no engine consumes, then runs
 * the raw ceiling over exactly them.
 */
export async function measureRawCeiling(
  nc: NatsConnection,
  o: {
    natsUrl: string;
    partitions: number;
    threads: number;
    trades: number;
    frame: number;
    symbols: number;
    tag: string;
  },
): Promise<RawBaseline> {
  const s = defaultEngineConfig().streams;
  const batch = simulatedTrades(o.trades, o.symbols, 44, 20_000);
  const jsm = await jetstreamManager(nc);
  const fromSeq = (await jsm.streams.info(STREAMS.trades)).state.last_seq + 1;
  await publishTrades(nc, batch, {
    partitions: o.partitions,
    frame: o.frame,
    msgIdPrefix: `harness-raw-${o.tag}`,
  });
  const r = await runRawCeiling(nc, {
    servers: [o.natsUrl],
    stream: STREAMS.trades,
    partitions: o.partitions,
    threads: o.threads,
    fetchBatch: s.fetchBatch,
    fetchExpiresMs: s.fetchExpiresMs,
    ackWaitMs: s.ackWaitMs,
    maxAckPending: s.maxAckPending,
    fromSeq,
    tag: o.tag,
    timeoutMs: 180_000,
  });
  const seconds = (r.times.drained - r.times.firstDelivery) / 1000;
  return {
    trades: r.records,
    messages: r.messages,
    frame: o.frame,
    tradesPerSec: r.records / seconds,
    messagesPerSec: r.messages / seconds,
  };
}

/** One gateway run and one `ws` run at `clients` clients (bench/gateway's measurement). */
export async function measureFanoutBaseline(clients: number): Promise<FanoutBaseline> {
  const timing = { seconds: 4, warmup: 1 };
  const gw = await measureFanout('gateway', clients, timing);
  const ws = await measureFanout('ws', clients, timing);
  return { clients, gatewayPerSec: gw.delivered, wsPerSec: ws.delivered, ratio: gw.delivered / ws.delivered };
}

const ACTORS = fileURLToPath(new URL('../actors/run.js', import.meta.url));

function perSec(stdout: string, pattern: RegExp, what: string): number {
  const m = pattern.exec(stdout);
  if (m === null) {
    throw new BenchEngineError(
      'TF_ERR_BENCH_WORKER',
      `bench/actors printed no ${what} figure; its output was:\n${stdout}`,
    );
  }
  return Number(m[1]!.replace(/,/g, ''));
}

/** Runs bench/actors (without recording) over `trades` trades and reads its two rates. */
export async function measureActorsBaseline(trades: number): Promise<ActorsBaseline> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', ACTORS, '--trades', String(trades), '--memory-symbols', '2000', '--no-record'],
    { maxBuffer: 1 << 20 },
  );
  const tickflowPerSec = perSec(
    stdout,
    /tickflow actor, closes[^:]*:\s*([\d,]+) trades\/s/,
    'tickflow actor',
  );
  const tardisPerSec = perSec(stdout, /tardis-dev computeTradeBars[^:]*:\s*([\d,]+) trades\/s/, 'tardis-dev');
  return { trades, tickflowPerSec, tardisPerSec, ratio: tickflowPerSec / tardisPerSec };
}
