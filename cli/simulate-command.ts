import { parseArgs } from 'node:util';
import type { PublisherStats } from '../feeds/publisher/index.js';
import { runSimulation, type SimulationOptions } from '../feeds/simulator/simulate.js';
import { UsageError } from './usage-error.js';

/** `tickflow simulate --help`. */
export const SIMULATE_HELP = `tickflow simulate — publish a simulated market into NATS JetStream

Usage: tickflow simulate --nats nats://127.0.0.1:14222 [--rate 5000] [--symbols 200] [--seed 1]
                         [--duration 60s | --count N] [--partitions 8] [--frame-max 64]
                         [--late-fraction 0.01 --late-max-ms 500] [--synthetic-time]

  --nats URL            NATS server (default nats://127.0.0.1:4222)
  --rate N              records per second, trades and quotes together; 0 = as fast as acks allow (default 5000)
  --symbols N           number of symbols (default 200)
  --seed N              PRNG seed: the same seed gives the same prices and sizes (default 1)
  --venue NAME          venue code (default sim)
  --duration D          stop after D: 90, 90s, 5m, 1h (seconds when no unit)
  --count N             stop after N records
  --partitions N        partition count P of MD_TRADES / MD_QUOTES (default 8)
  --frame-max N         records per message, 1 = one record per message (default 64)
  --frame-delay-ms N    longest wait for more records of a symbol before sending its frame (default 5)
  --max-in-flight N     publish acks outstanding at most (default 256)
  --late-fraction F     fraction of trades delivered late, in [0, 1] (default 0)
  --late-max-ms N       largest lateness in ms (default 0)
  --synthetic-time      keep the market's synthetic event times (from 2026-01-05) instead of wall-clock now

Without --duration or --count it runs until Ctrl-C. SIGINT/SIGTERM flush open frames, wait
for acks and print the summary. Streams MD_TRADES (md.trade.>) and MD_QUOTES (md.quote.>)
must exist: the engine creates them. Prints progress every 2 s.
`;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  const ms = m === null ? Number.NaN : Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
  if (!(ms > 0))
    throw new UsageError(`--duration must be a positive time such as 90s, 5m or 1h, got '${text}'`);
  return ms;
}

function integer(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!(text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max)) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return n;
}

function fraction(name: string, text: string): number {
  const n = Number(text);
  if (!(text.trim() !== '' && n >= 0 && n <= 1)) {
    throw new UsageError(`--${name} must be a number from 0 to 1, got '${text}'`);
  }
  return n;
}

/** Turns argv into run options; throws {@link UsageError} naming the bad flag. Exported for tests. */
export function parseSimulateArgs(
  argv: string[],
): { help: true } | { help: false; options: SimulationOptions } {
  const { values } = parseArgs({
    args: argv,
    options: {
      nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
      rate: { type: 'string', default: '5000' },
      symbols: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      venue: { type: 'string', default: 'sim' },
      duration: { type: 'string' },
      count: { type: 'string' },
      partitions: { type: 'string', default: '8' },
      'frame-max': { type: 'string', default: '64' },
      'frame-delay-ms': { type: 'string', default: '5' },
      'max-in-flight': { type: 'string', default: '256' },
      'late-fraction': { type: 'string', default: '0' },
      'late-max-ms': { type: 'string', default: '0' },
      'synthetic-time': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  if (!/^(nats|tls|wss?):\/\/[^\s]+$/.test(values.nats)) {
    throw new UsageError(`--nats must be a URL such as nats://127.0.0.1:4222, got '${values.nats}'`);
  }
  if (values.duration !== undefined && values.count !== undefined) {
    throw new UsageError('--duration and --count cannot be used together: pick one way to stop');
  }
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(values.venue)) {
    throw new UsageError(`--venue must be 1-32 characters of a-z, 0-9, _ or -, got '${values.venue}'`);
  }
  const options: SimulationOptions = {
    natsUrl: values.nats,
    rate: integer('rate', values.rate, 0, 10_000_000),
    symbols: integer('symbols', values.symbols, 1, 1_000_000),
    seed: integer('seed', values.seed, 0, 4_294_967_295),
    venue: values.venue,
    partitions: integer('partitions', values.partitions, 1, 65_536),
    frameMaxRecords: integer('frame-max', values['frame-max'], 1, 4096),
    frameMaxDelayMs: integer('frame-delay-ms', values['frame-delay-ms'], 0, 60_000),
    maxInFlight: integer('max-in-flight', values['max-in-flight'], 1, 1_000_000),
    lateFraction: fraction('late-fraction', values['late-fraction']),
    lateMaxMs: integer('late-max-ms', values['late-max-ms'], 0, 86_400_000),
    realtime: !values['synthetic-time'],
  };
  if (options.lateFraction! > 0 && options.lateMaxMs === 0) {
    throw new UsageError('--late-fraction needs --late-max-ms > 0 (how late a late trade may be)');
  }
  if (values.duration !== undefined) options.durationMs = parseDuration(values.duration);
  if (values.count !== undefined) options.count = integer('count', values.count, 1, Number.MAX_SAFE_INTEGER);
  return { help: false, options };
}

/** One progress line. Exported for tests. */
export function progressLine(s: PublisherStats): string {
  return (
    `simulate: ${Math.round(s.ratePerSec)} rec/s, ${s.ackedRecords} records acked, ${s.acked} frames, ` +
    `${s.inFlight + s.queued} acks pending, ${s.errors} errors`
  );
}

/** `tickflow simulate`: returns the exit code (0 done, 1 publish failures or no stream, 2 usage). */
export async function simulateCommand(argv: string[]): Promise<number> {
  const parsed = parseSimulateArgs(argv);
  if (parsed.help) {
    process.stdout.write(SIMULATE_HELP);
    return 0;
  }
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const s = await runSimulation({
      ...parsed.options,
      signal: abort.signal,
      onProgress: (stats) => process.stdout.write(`${progressLine(stats)}\n`),
    });
    const st = s.stats;
    process.stdout.write(
      `simulate: done (${s.stoppedBy}) in ${(s.elapsedMs / 1000).toFixed(1)} s: ${s.records} records ` +
        `(${s.trades} trades, ${s.quotes} quotes), ${st.acked} messages acked, ${st.duplicates} duplicates, ` +
        `${Math.round(s.ratePerSec)} rec/s, ${st.rejected} rejected, ${st.failedRecords} records failed, ` +
        `${st.errors} errors${st.lastError === undefined ? '' : ` (last: ${st.lastError})`}\n`,
    );
    return st.failed > 0 ? 1 : 0;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'TF_ERR_FEED_NO_STREAM' || e.code === 'TF_ERR_FEED_CONNECT') {
      process.stderr.write(`tickflow simulate: ${e.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
