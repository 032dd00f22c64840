import type { CandleBookOptions, CandleListener } from '../../actors/candles.js';
import { CandleBook } from '../../actors/candles.js';
import type { Candle, Side, Trade } from '../../schemas/records.js';

/** One listener call, in the order the book made it. */
export interface CandleEvent {
  kind: 'closed' | 'final';
  c: Candle;
}

/** A listener that records every call. */
export class Recorder implements CandleListener {
  readonly events: CandleEvent[] = [];

  onClosed(c: Candle): void {
    this.events.push({ kind: 'closed', c });
  }

  onFinal(c: Candle): void {
    this.events.push({ kind: 'final', c });
  }

  closed(): Candle[] {
    return this.events.filter((e) => e.kind === 'closed').map((e) => e.c);
  }

  finals(): Candle[] {
    return this.events.filter((e) => e.kind === 'final').map((e) => e.c);
  }

  /** Forgets what was recorded so far. */
  clear(): void {
    this.events.length = 0;
  }
}

let nextId = 1;

/** A trade on sim/TEST; ids count up unless given. */
export function trade(ts: number, price: number, size: number, side: Side = 'buy', id?: string): Trade {
  return {
    v: 1,
    type: 'trade',
    venue: 'sim',
    symbol: 'TEST',
    price,
    size,
    side,
    id: id ?? String(nextId++),
    ts,
    recvTs: ts,
  };
}

/** 1s and 1m candles, close 500 ms after the end, 2 s lateness, 1 s idle. */
export const SMALL_OPTIONS: CandleBookOptions = {
  intervals: ['1s', '1m'],
  closeDelayMs: 500,
  allowedLatenessMs: 2000,
  idleCloseMs: 1000,
};

/** A fresh book on sim/TEST with a recorder. */
export function newBook(opts: CandleBookOptions = SMALL_OPTIONS): { book: CandleBook; rec: Recorder } {
  const rec = new Recorder();
  return { book: new CandleBook('sim', 'TEST', opts, rec), rec };
}

/** Compact view of a candle for readable assertions. */
export function brief(c: Candle): string {
  return `${c.interval}@${c.start}${c.closed ? '' : ' open'} r${c.revision} n${c.trades}`;
}

/**
 * Reference for exact sums, independent of the limb code: the value of x in
 * units of 2^-64, as a BigInt. Exact for |x| >= 2^-12 (x * 2^64 is then a whole
 * number); smaller values round to nearest, ties toward +inf, as the book does.
 */
export function unitsOf(x: number): bigint {
  return BigInt(Math.round(x * 2 ** 64));
}

/** The double nearest (ties to even) to n units of 2^-64: Number(bigint) rounds correctly, the scaling is exact. */
export function readUnits(n: bigint): number {
  return Number(n) * 2 ** -64;
}
