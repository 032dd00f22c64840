import type { Candle, Interval, Quote, Trade } from '../../../schemas/records.js';
import { INTERVAL_MS } from '../../../schemas/records.js';

/** A minute boundary (2023-11-14T22:14:00.000Z), so bucket arithmetic in tests is easy to follow. */
export const T0 = 1_700_000_040_000;

export const VENUE = 'binance';
export const SYMBOL = 'BTC/USDT';

/** A valid trade at event time `ts`, received at `recvTs` (default: the same instant). */
export function trade(price: number, ts: number, extra: Partial<Trade> = {}): Trade {
  return {
    v: 1,
    type: 'trade',
    venue: VENUE,
    symbol: SYMBOL,
    price,
    size: 1,
    side: 'buy',
    id: String(ts),
    ts,
    recvTs: ts,
    ...extra,
  };
}

/** A valid quote at event time `ts`. */
export function quote(bidPrice: number, askPrice: number, ts: number, extra: Partial<Quote> = {}): Quote {
  return {
    v: 1,
    type: 'quote',
    venue: VENUE,
    symbol: SYMBOL,
    bidPrice,
    bidSize: 1,
    askPrice,
    askSize: 1,
    ts,
    recvTs: ts,
    ...extra,
  };
}

/** A closed, revision-0 candle of `interval` starting at `start` with the given volume. */
export function candle(volume: number, start: number, extra: Partial<Candle> = {}): Candle {
  const interval: Interval = extra.interval ?? '1m';
  return {
    v: 1,
    type: 'candle',
    venue: VENUE,
    symbol: SYMBOL,
    interval,
    start,
    end: start + INTERVAL_MS[interval],
    open: 100,
    high: 100,
    low: 100,
    close: 100,
    volume,
    notional: volume * 100,
    vwap: 100,
    trades: 1,
    buyVolume: volume,
    sellVolume: 0,
    firstTradeTs: start,
    lastTradeTs: start,
    closed: true,
    revision: 0,
    ...extra,
  };
}
