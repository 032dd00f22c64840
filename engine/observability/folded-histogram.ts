import type { Registry } from 'prom-client';
import { Histogram } from 'prom-client';

type HistogramExport = Awaited<ReturnType<Histogram<string>['get']>>;

/**
 * An unlabelled prom-client histogram that also accepts whole bucket arrays. Worker threads cannot
 * share the main registry, so they count observations in plain bucket arrays and the main thread
 * folds those in here; local observations go through `record`. prom-client's own `observe` and
 * `startTimer` are not used (their state is not exported by this class).
 */
export class FoldedHistogram extends Histogram<string> {
  /** Upper bounds, inclusive (`le`), ascending; the +Inf bucket is implicit. */
  readonly bounds: readonly number[];
  /** Non-cumulative counts per bound, then the +Inf overflow at the end. */
  private readonly counts: Float64Array;
  private total = 0;
  private sumSeconds = 0;
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(config: { name: string; help: string; buckets: readonly number[]; registers?: Registry[] }) {
    super({
      name: config.name,
      help: config.help,
      buckets: [...config.buckets],
      registers: config.registers ?? [],
    });
    this.metricName = config.name;
    this.metricHelp = config.help;
    this.bounds = Object.freeze([...config.buckets]);
    this.counts = new Float64Array(config.buckets.length + 1);
  }

  /** Adds one observation. */
  record(value: number): void {
    this.counts[bucketIndex(this.bounds, value)]! += 1;
    this.total += 1;
    this.sumSeconds += value;
  }

  /**
   * Adds pre-bucketed observations laid out like `bounds` plus a final +Inf slot. Returns false and
   * changes nothing when the layout does not match (a worker built with other buckets).
   */
  fold(counts: ArrayLike<number>, sum: number, count: number): boolean {
    if (counts.length !== this.counts.length || !Number.isFinite(sum) || !Number.isFinite(count))
      return false;
    for (let i = 0; i < counts.length; i++) this.counts[i]! += counts[i]!;
    this.total += count;
    this.sumSeconds += sum;
    return true;
  }

  /** Cumulative counts per `le` bound, +Inf last, as exposed; for tests and dashboards. */
  cumulative(): number[] {
    const out: number[] = [];
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i]!;
      out.push(acc);
    }
    return out;
  }

  get count(): number {
    return this.total;
  }

  get sum(): number {
    return this.sumSeconds;
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before this class's fields exist.
    if (this.counts === undefined) return;
    this.counts.fill(0);
    this.total = 0;
    this.sumSeconds = 0;
  }

  override async get(): Promise<HistogramExport> {
    return this.getForPromString();
  }

  /** The registry calls this when present; same shape prom-client's histogram produces. */
  async getForPromString(): Promise<HistogramExport> {
    const bucketName = `${this.metricName}_bucket`;
    const values: HistogramExport['values'] = [];
    let acc = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      acc += this.counts[i]!;
      values.push({ metricName: bucketName, labels: { le: this.bounds[i]! }, value: acc });
    }
    values.push({ metricName: bucketName, labels: { le: '+Inf' }, value: this.total });
    values.push({ metricName: `${this.metricName}_sum`, labels: {}, value: this.sumSeconds });
    values.push({ metricName: `${this.metricName}_count`, labels: {}, value: this.total });
    return {
      name: this.metricName,
      help: this.metricHelp,
      // prom-client types `type` as a declaration-only enum; the registry reads the string.
      type: 'histogram',
      values,
      aggregator: 'sum',
    } as unknown as HistogramExport;
  }
}

/** Index of the first bound >= value (Prometheus `le` is inclusive); bounds.length for +Inf. */
export function bucketIndex(bounds: readonly number[], value: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= bounds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
