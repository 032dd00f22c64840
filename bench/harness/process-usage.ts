/**
 * CPU and memory of the processes of a run, read from /proc: CPU as a percentage of one core over
 * a window (utime + stime of every thread), resident memory at the window's end and its largest
 * sample within the window (sampled every 250 ms).
 */
import { readCpuSeconds, readMemory } from '../engine/proc-stats.js';

/** One group of processes over one window. */
export interface UsageWindow {
  /** CPU time over wall time, % of one core (200 = two cores busy). */
  cpuPercent: number;
  /** Resident set at the end of the window, bytes (summed over the group). */
  rssEnd: number;
  /** Largest resident set sampled within the window, bytes. */
  rssMax: number;
}

interface Group {
  pids: readonly number[];
  cpuAtMark: number;
  rssMax: number;
  rssLast: number;
}

const SAMPLE_MS = 250;

function cpuOf(pids: readonly number[]): number {
  let s = 0;
  for (const pid of pids) s += readCpuSeconds(pid) ?? 0;
  return s;
}

/** Watches named groups of processes; `window()` closes a window and opens the next. */
export class UsageMonitor {
  readonly #groups = new Map<string, Group>();
  readonly #timer: NodeJS.Timeout;
  #markedAt = performance.now();

  constructor(groups: Record<string, readonly number[]>) {
    for (const [name, pids] of Object.entries(groups)) {
      this.#groups.set(name, { pids, cpuAtMark: cpuOf(pids), rssMax: 0, rssLast: 0 });
    }
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), SAMPLE_MS);
    this.#timer.unref();
  }

  #sample(): void {
    for (const g of this.#groups.values()) {
      let rss = 0;
      for (const pid of g.pids) rss += readMemory(pid)?.rss ?? 0;
      g.rssLast = rss;
      if (rss > g.rssMax) g.rssMax = rss;
    }
  }

  /** Usage of every group since the previous call (or since construction). */
  window(): Record<string, UsageWindow> {
    this.#sample();
    const now = performance.now();
    const seconds = (now - this.#markedAt) / 1000;
    this.#markedAt = now;
    const out: Record<string, UsageWindow> = {};
    for (const [name, g] of this.#groups) {
      const cpu = cpuOf(g.pids);
      out[name] = {
        // A process that ended mid-window reads as 0; never report negative time.
        cpuPercent: seconds > 0 ? Math.max(0, Math.round((1000 * (cpu - g.cpuAtMark)) / seconds) / 10) : 0,
        rssEnd: g.rssLast,
        rssMax: g.rssMax,
      };
      g.cpuAtMark = cpu;
      g.rssMax = g.rssLast;
    }
    return out;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
