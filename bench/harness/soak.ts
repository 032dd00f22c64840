/**
 * The soak: a fixed rate (70% of the saturation point by default) for a long time, one
 * measurement window per sample period, and a verdict on whether latency, memory and backlog
 * stayed flat: the last quarter of the samples against the first quarter.
 */
import type { WindowMeasurement } from './measure-window.js';
import { lagTolerance } from './saturation.js';

/** Fraction of the saturation rate the soak runs at unless a rate is given. */
export const SOAK_FRACTION = 0.7;
/** p99 latency is flat when the last quarter's median p99 <= first quarter's × this + {@link LATENCY_SLACK_MS}. */
export const LATENCY_FACTOR = 1.5;
export const LATENCY_SLACK_MS = 5;
/** RSS is flat when the last quarter's mean <= first quarter's × this + {@link RSS_SLACK_BYTES}. */
export const RSS_FACTOR = 1.1;
export const RSS_SLACK_BYTES = 32 * 1024 * 1024;

/** One check of the verdict. */
export interface SoakCheck {
  flat: boolean;
  first: number;
  last: number;
  limit: number;
}

/** The verdict: every check flat, and what each compared. */
export interface SoakVerdict {
  flat: boolean;
  /** Samples in each compared quarter. */
  quarter: number;
  wsP99Ms: SoakCheck;
  engineRssBytes: SoakCheck;
  gatewayRssBytes: SoakCheck;
  backlogMessages: SoakCheck;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function check(first: number, last: number, limit: number): SoakCheck {
  return { flat: last <= limit, first, last, limit };
}

/** Judges soak samples (at least 4, so each quarter has one). */
export function judgeSoak(samples: readonly WindowMeasurement[]): SoakVerdict {
  const q = Math.max(1, Math.floor(samples.length / 4));
  const head = samples.slice(0, q);
  const tail = samples.slice(samples.length - q);
  const p99 = (xs: readonly WindowMeasurement[]): number => median(xs.map((m) => m.latency.ws.p99));
  const rss = (xs: readonly WindowMeasurement[], group: string): number =>
    mean(xs.map((m) => m.usage[group]?.rssEnd ?? 0));
  const lag = (xs: readonly WindowMeasurement[]): number => mean(xs.map((m) => m.lag.end));
  const perSample = mean(samples.map((m) => m.tradesIn.messages));
  const wsP99Ms = check(p99(head), p99(tail), p99(head) * LATENCY_FACTOR + LATENCY_SLACK_MS);
  const engineRssBytes = check(
    rss(head, 'engine'),
    rss(tail, 'engine'),
    rss(head, 'engine') * RSS_FACTOR + RSS_SLACK_BYTES,
  );
  const gatewayRssBytes = check(
    rss(head, 'gateway'),
    rss(tail, 'gateway'),
    rss(head, 'gateway') * RSS_FACTOR + RSS_SLACK_BYTES,
  );
  const backlogMessages = check(lag(head), lag(tail), lag(head) + lagTolerance(perSample));
  return {
    flat: wsP99Ms.flat && engineRssBytes.flat && gatewayRssBytes.flat && backlogMessages.flat,
    quarter: q,
    wsP99Ms,
    engineRssBytes,
    gatewayRssBytes,
    backlogMessages,
  };
}
