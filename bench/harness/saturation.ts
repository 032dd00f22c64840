/**
 * When a step of the ramp counts as sustained, and which step is the saturation point. A step is
 * sustained when the load reached at least 90% of its target, its p99 publish -> WebSocket
 * latency stayed under the bound, the consumer backlog did not grow over it, and the gateway
 * disconnected no client (a client that fell past its hard limit was not served, whatever the
 * latency of the others). The saturation
 * point is the last sustained step before the first one that is not.
 *
 * The ramp stops at the first unsustained step, with one exception: while no step has been
 * sustained yet (the latency bound is out of reach at every rate so far), it goes on as long as
 * the pipeline keeps up, so the run still shows how latency grows with rate and where throughput
 * gives out.
 */
import type { WindowMeasurement } from './measure-window.js';

/** Thresholds of {@link judgeStep}. */
export interface RampCriteria {
  /** Bound on p99 publish -> WS latency, ms. */
  p99BoundMs: number;
}

/** Least fraction of the target rate a step must reach. */
export const MIN_ACHIEVED_FRACTION = 0.9;
/**
 * Backlog growth tolerated over a step, whichever is larger: this many messages (a few fetch
 * batches; the backlog saws up and down as partitions pull) …
 */
export const LAG_GROWTH_FLOOR_MESSAGES = 1000;
/** … or this fraction of the messages published during the step. */
export const LAG_GROWTH_FRACTION = 0.05;

/** The verdict on one step. */
export interface StepVerdict {
  sustained: boolean;
  /** The load itself fell short of the target: going higher measures nothing new. */
  underdelivered: boolean;
  lagGrowing: boolean;
  /** The pipeline kept up with the load (latency aside): rate reached and backlog not growing. */
  keptUp: boolean;
  /** One sentence per failed criterion. */
  reasons: string[];
}

/** Backlog growth tolerated over a window that published `messages` messages. */
export function lagTolerance(messages: number): number {
  return Math.max(LAG_GROWTH_FLOOR_MESSAGES, Math.round(LAG_GROWTH_FRACTION * messages));
}

/**
 * The backlog grows when both the fitted trend over the window and the end-minus-start difference
 * exceed the tolerance, so one sample caught mid-pull at either end does not decide.
 */
export function lagGrowing(m: WindowMeasurement): boolean {
  const tol = lagTolerance(m.tradesIn.messages);
  return m.lag.slopePerSec * m.seconds > tol && m.lag.end - m.lag.start > tol;
}

/** Judges one step run at `targetRate` trades/s. */
export function judgeStep(targetRate: number, m: WindowMeasurement, c: RampCriteria): StepVerdict {
  const reasons: string[] = [];
  const underdelivered = m.tradesIn.perSec < MIN_ACHIEVED_FRACTION * targetRate;
  if (underdelivered) {
    reasons.push(
      `the load reached ${Math.round(m.tradesIn.perSec)} trades/s, under ${MIN_ACHIEVED_FRACTION * 100}% of the ` +
        `${targetRate} trades/s target`,
    );
  }
  const ws = m.latency.ws;
  if (ws.samples === 0) reasons.push('no candle update reached the timed WebSocket clients');
  else if (ws.p99 > c.p99BoundMs) {
    reasons.push(
      `p99 publish -> WebSocket latency ${ws.p99.toFixed(1)} ms is over the ${c.p99BoundMs} ms bound`,
    );
  }
  const closed = Math.max(m.drops.gatewayDisconnects, m.drops.clientsClosed);
  if (closed > 0) {
    reasons.push(`the gateway disconnected ${closed} WebSocket clients that fell behind`);
  }
  const growing = lagGrowing(m);
  if (growing) {
    reasons.push(
      `the consumer backlog grew from ${m.lag.start} to ${m.lag.end} messages ` +
        `(trend ${Math.round(m.lag.slopePerSec)}/s; tolerance ${lagTolerance(m.tradesIn.messages)})`,
    );
  }
  return {
    sustained: reasons.length === 0,
    underdelivered,
    lagGrowing: growing,
    keptUp: !underdelivered && !growing,
    reasons,
  };
}

/** Index of the last sustained step before the first unsustained one; null if the first failed. */
export function saturationIndex(verdicts: readonly StepVerdict[]): number | null {
  let last: number | null = null;
  for (let i = 0; i < verdicts.length; i++) {
    if (!verdicts[i]!.sustained) break;
    last = i;
  }
  return last;
}

/** Whether the ramp goes on to the next step after `verdicts` (the steps run so far). */
export function continueRamp(verdicts: readonly StepVerdict[]): boolean {
  const last = verdicts.at(-1);
  if (last === undefined || last.sustained) return true;
  return last.keptUp && !verdicts.some((v) => v.sustained);
}
