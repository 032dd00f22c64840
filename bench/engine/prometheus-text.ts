/** Reading a Prometheus text exposition (a `/metrics` answer) the way the benchmarks need it. */

/** Sum of a metric's samples over every label set; `name` is the full metric name. */
export function sumMetric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const next = line.charCodeAt(name.length);
    // Exactly this metric: followed by labels or by the value, not by a longer name.
    if (next !== 123 /* { */ && next !== 32 /* space */) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** GET `url` (a /metrics endpoint) and return its text; rejects after `timeoutMs`. */
export async function scrapeMetrics(url: string, timeoutMs = 10_000): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return res.text();
}

/**
 * The upper bound of the bucket holding quantile `q` of a histogram (cumulative `_bucket` lines,
 * unlabelled apart from `le`), in the metric's unit; Infinity when it is past the last bound, NaN
 * when the histogram is empty.
 */
export function histogramQuantile(text: string, name: string, q: number): number {
  const buckets: [number, number][] = [];
  const prefix = `${name}_bucket{le="`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const le = line.slice(prefix.length, line.indexOf('"', prefix.length));
    buckets.push([
      le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le),
      Number(line.slice(line.lastIndexOf(' ') + 1)),
    ]);
  }
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  for (const [le, count] of buckets) if (count >= q * total) return le;
  return Number.POSITIVE_INFINITY;
}
