/**
 * Options of the harness: shape, defaults and the command-line parser side by side. A bad flag is
 * reported as one sentence naming it and the accepted values.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Everything a harness run is configured by. */
export interface HarnessOptions {
  /** Target trades/s of each step, ascending. */
  steps: number[];
  stepSeconds: number;
  /** Seconds at each new rate before its window opens. */
  warmupSeconds: number;
  /** Seconds at the first rate before the first window (JIT, QuestDB's first partitions, caches). */
  startWarmupSeconds: number;
  clients: number;
  clientProcs: number;
  symbols: number;
  /** Trades per message (1 = one trade per message). */
  frame: number;
  /**
   * Longest time a frame waits for more trades before it is sent, as the feeds do (5 ms): that
   * wait is part of publish -> WS latency. 0 sends a frame at the next turn of the load's loop,
   * which at a paced rate is about one trade per message (measured: 397,312 trades in as many
   * messages), i.e. the unframed pipeline.
   */
  frameDelayMs: number;
  partitions: number;
  shards: number;
  /** Bound on p99 publish -> WS latency for a step to count as sustained, ms. */
  p99BoundMs: number;
  /** Stop the ramp past the saturation point (see saturation.ts for the exact rule). */
  stopAtSaturation: boolean;
  /** 0: no soak. */
  soakSeconds: number;
  /** Soak rate; undefined: 70% of the saturation point. */
  soakRate: number | undefined;
  soakSampleSeconds: number;
  baselines: boolean;
  record: boolean;
  outDir: string;
  qdbHeap: string;
  seed: number;
}

/** The repository's bench/results folder. */
export const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../../bench/results', import.meta.url));

/** Defaults of every option. */
export const HARNESS_DEFAULTS: Readonly<HarnessOptions> = {
  steps: [500, 1000, 2000, 5000, 10_000, 20_000, 50_000],
  stepSeconds: 20,
  warmupSeconds: 3,
  startWarmupSeconds: 10,
  clients: 100,
  clientProcs: 2,
  symbols: 500,
  frame: 64,
  frameDelayMs: 5,
  partitions: 8,
  shards: Math.min(256, Math.max(1, availableParallelism())),
  p99BoundMs: 250,
  stopAtSaturation: true,
  soakSeconds: 0,
  soakRate: undefined,
  soakSampleSeconds: 60,
  baselines: false,
  record: true,
  outDir: DEFAULT_OUT_DIR,
  qdbHeap: '1g',
  seed: 1,
};

/** Help text of `node build/bench/harness/run.js`. */
export const HARNESS_HELP = `Usage: node build/bench/harness/run.js [options]

Stepped load test of the whole pipeline (simulated feed -> NATS JetStream -> engine -> NATS and
QuestDB -> gateway -> WebSocket clients) on its own NATS and QuestDB, with the saturation point.

  --steps LIST          target trades/s per step, ascending (${HARNESS_DEFAULTS.steps.join(',')})
  --step-seconds N      measured seconds per step (${HARNESS_DEFAULTS.stepSeconds})
  --warmup-seconds N    seconds at each new rate before measuring (${HARNESS_DEFAULTS.warmupSeconds})
  --start-warmup-seconds N  seconds at the first rate before the first step (${HARNESS_DEFAULTS.startWarmupSeconds})
  --clients N           WebSocket clients subscribed to candles:1s of every symbol (${HARNESS_DEFAULTS.clients})
  --client-procs N      processes the clients are spread over (${HARNESS_DEFAULTS.clientProcs})
  --symbols N           simulated symbols, Zipf-skewed activity (${HARNESS_DEFAULTS.symbols})
  --frame N             trades per message, 1 = unframed (${HARNESS_DEFAULTS.frame})
  --frame-delay-ms N    longest wait of a frame for more trades, counted in the latency; 0 is about unframed (${HARNESS_DEFAULTS.frameDelayMs})
  --partitions N        stream partitions (${HARNESS_DEFAULTS.partitions})
  --shards N            engine shard threads (cores: ${HARNESS_DEFAULTS.shards})
  --p99-bound MS        p99 publish -> WS latency bound of a sustained step (${HARNESS_DEFAULTS.p99BoundMs})
  --no-stop             run every step, also past the saturation point
                        (by default the ramp stops at the first unsustained step, or, while no step
                        met the latency bound, at the first step that does not keep up)
  --soak DURATION       then soak for DURATION (e.g. 30m, 90s, 1h) at 70% of the saturation rate
  --soak-rate N         soak at N trades/s instead
  --soak-sample DURATION  one sample per DURATION (${HARNESS_DEFAULTS.soakSampleSeconds}s)
  --baselines           also measure the raw JetStream ceiling, the ws fan-out and tardis-dev bars, and print ratios
  --no-record           do not append to bench/RESULTS.md
  --out DIR             where the JSON and SVG go (bench/results)
  --qdb-heap SIZE       QuestDB JVM heap (${HARNESS_DEFAULTS.qdbHeap})
  --seed N              simulator seed (${HARNESS_DEFAULTS.seed})
  --help
`;

/** A flag the harness cannot run with; `message` is a sentence naming it. */
export class HarnessUsageError extends Error {
  readonly code = 'TF_ERR_BENCH_USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'HarnessUsageError';
  }
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!(n >= min && n <= max)) {
    throw new HarnessUsageError(
      `--${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** `90`, `90s`, `30m`, `1h`, `1.5h` -> seconds. */
export function parseDuration(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(raw.trim());
  const seconds = m === null ? Number.NaN : Number(m[1]) * UNITS[m[2] ?? '']!;
  if (!(seconds >= 1 && seconds <= 7 * 86_400)) {
    throw new HarnessUsageError(
      `--${flag} must be a duration from 1s to 7 days such as 90s, 30m or 1h, got ${JSON.stringify(raw)}`,
    );
  }
  return seconds;
}

function steps(raw: string): number[] {
  const out = raw.split(',').map((s) => integer('steps', s, 1, 10_000_000));
  for (let i = 1; i < out.length; i++) {
    if (out[i]! <= out[i - 1]!) {
      throw new HarnessUsageError(`--steps must be ascending target rates, got ${JSON.stringify(raw)}`);
    }
  }
  return out;
}

/** Parses the command line; throws {@link HarnessUsageError}. `help` is true for --help. */
export function parseHarnessArgs(argv: readonly string[]): { options: HarnessOptions; help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        steps: { type: 'string' },
        'step-seconds': { type: 'string' },
        'warmup-seconds': { type: 'string' },
        'start-warmup-seconds': { type: 'string' },
        clients: { type: 'string' },
        'client-procs': { type: 'string' },
        symbols: { type: 'string' },
        frame: { type: 'string' },
        'frame-delay-ms': { type: 'string' },
        partitions: { type: 'string' },
        shards: { type: 'string' },
        'p99-bound': { type: 'string' },
        'no-stop': { type: 'boolean' },
        soak: { type: 'string' },
        'soak-rate': { type: 'string' },
        'soak-sample': { type: 'string' },
        baselines: { type: 'boolean' },
        'no-record': { type: 'boolean' },
        out: { type: 'string' },
        'qdb-heap': { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new HarnessUsageError((err as Error).message);
  }
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const int = (k: string, fallback: number, min: number, max: number): number => {
    const raw = str(k);
    return raw === undefined ? fallback : integer(k, raw, min, max);
  };
  const d = HARNESS_DEFAULTS;
  const o: HarnessOptions = {
    steps: str('steps') === undefined ? [...d.steps] : steps(str('steps')!),
    stepSeconds: int('step-seconds', d.stepSeconds, 2, 3600),
    warmupSeconds: int('warmup-seconds', d.warmupSeconds, 0, 600),
    startWarmupSeconds: int('start-warmup-seconds', d.startWarmupSeconds, 0, 3600),
    clients: int('clients', d.clients, 1, 100_000),
    clientProcs: int('client-procs', d.clientProcs, 1, 64),
    symbols: int('symbols', d.symbols, 1, 1_000_000),
    frame: int('frame', d.frame, 1, 10_000),
    frameDelayMs: int('frame-delay-ms', d.frameDelayMs, 0, 60_000),
    partitions: int('partitions', d.partitions, 1, 1024),
    shards: int('shards', d.shards, 1, 256),
    p99BoundMs: int('p99-bound', d.p99BoundMs, 1, 600_000),
    stopAtSaturation: values['no-stop'] !== true,
    soakSeconds: str('soak') === undefined ? 0 : parseDuration('soak', str('soak')!),
    soakRate:
      str('soak-rate') === undefined ? undefined : integer('soak-rate', str('soak-rate')!, 1, 10_000_000),
    soakSampleSeconds:
      str('soak-sample') === undefined
        ? d.soakSampleSeconds
        : parseDuration('soak-sample', str('soak-sample')!),
    baselines: values.baselines === true,
    record: values['no-record'] !== true,
    outDir: str('out') === undefined ? d.outDir : resolve(str('out')!),
    qdbHeap: str('qdb-heap') ?? d.qdbHeap,
    seed: int('seed', d.seed, 0, 2 ** 31 - 1),
  };
  if (o.clientProcs > o.clients) {
    throw new HarnessUsageError(
      `--client-procs (${o.clientProcs}) must not exceed --clients (${o.clients}): every process holds a timed client`,
    );
  }
  if (!/^\d+[mg]$/i.test(o.qdbHeap)) {
    throw new HarnessUsageError(
      `--qdb-heap must be a JVM heap size such as 512m or 1g, got ${JSON.stringify(o.qdbHeap)}`,
    );
  }
  if (o.soakSeconds > 0 && o.soakSeconds < 8) {
    throw new HarnessUsageError(`--soak must be at least 8s (four samples of 2 s), got ${str('soak')}`);
  }
  if (o.soakSampleSeconds < 2) {
    throw new HarnessUsageError(`--soak-sample must be at least 2s, got ${str('soak-sample')}`);
  }
  // The verdict compares quarters: at least four samples.
  if (o.soakSeconds > 0 && o.soakSeconds < 4 * o.soakSampleSeconds) o.soakSampleSeconds = o.soakSeconds / 4;
  return { options: o, help: values.help === true };
}
