/**
 * Coinbase Exchange WebSocket feed messages (`wss://ws-feed.exchange.coinbase.com`) and their
 * mapping to our records. Prices and sizes arrive as decimal strings, times as ISO 8601 UTC
 * with microseconds (`2014-11-07T08:19:27.028459Z`).
 *
 * `side` on a match is the MAKER order's side: `"sell"` means a resting sell was hit by a buy,
 * so the aggressor (our `Trade.side`) is the opposite.
 */
import { type Quote, SCHEMA_VERSION, type Side, type Trade } from '../../../schemas/index.js';

/** The public endpoint. */
export const COINBASE_WS_URL = 'wss://ws-feed.exchange.coinbase.com';

/** Venue code of Coinbase records. */
export const COINBASE_VENUE = 'coinbase';

/** Channels the connector subscribes to. */
export const COINBASE_CHANNELS = ['heartbeat', 'matches', 'ticker'] as const;

/** `match` / `last_match` on the matches channel. */
export interface CoinbaseMatch {
  type: 'match' | 'last_match';
  trade_id: number;
  sequence: number;
  maker_order_id: string;
  taker_order_id: string;
  time: string;
  product_id: string;
  size: string;
  price: string;
  side: 'buy' | 'sell';
}

/** `ticker`: the last trade plus the best bid and ask after it. */
export interface CoinbaseTicker {
  type: 'ticker';
  sequence: number;
  product_id: string;
  price: string;
  best_bid: string;
  best_bid_size: string;
  best_ask: string;
  best_ask_size: string;
  side: 'buy' | 'sell';
  time: string;
  trade_id: number;
  last_size: string;
}

/** `heartbeat`: once a second per product on the heartbeat channel. */
export interface CoinbaseHeartbeat {
  type: 'heartbeat';
  sequence: number;
  last_trade_id: number;
  product_id: string;
  time: string;
}

/** The `subscribe` request. */
export interface CoinbaseSubscribe {
  type: 'subscribe' | 'unsubscribe';
  product_ids: string[];
  channels: Array<string | { name: string; product_ids: string[] }>;
}

/** The `subscriptions` reply listing what the connection now receives. */
export interface CoinbaseSubscriptions {
  type: 'subscriptions';
  channels: Array<{ name: string; product_ids: string[] }>;
}

/** An `error` message (bad request, unknown product, …). */
export interface CoinbaseErrorMessage {
  type: 'error';
  message: string;
  reason?: string;
}

/** The subscribe message for `products` on {@link COINBASE_CHANNELS}. */
export function coinbaseSubscribe(products: readonly string[]): CoinbaseSubscribe {
  return { type: 'subscribe', product_ids: [...products], channels: [...COINBASE_CHANNELS] };
}

/**
 * Epoch ms with the microseconds as a fraction, from `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`; NaN for
 * anything else. `Date.parse` alone would drop the last three digits.
 */
export function parseIsoMicros(s: string): number {
  if (typeof s !== 'string' || s.length < 20 || s.charCodeAt(s.length - 1) !== 90) return Number.NaN;
  const whole = Date.parse(`${s.slice(0, 19)}Z`);
  if (s.length === 20) return whole;
  if (s.charCodeAt(19) !== 46 || s.length > 30) return Number.NaN;
  // Integer microseconds (digits beyond six are nanoseconds and dropped), then one division.
  let micros = 0;
  let digits = 0;
  for (let i = 20; i < s.length - 1; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    if (digits < 6) {
      micros = micros * 10 + d;
      digits++;
    }
  }
  while (digits < 6) {
    micros *= 10;
    digits++;
  }
  return whole + micros / 1000;
}

/** The aggressor side of a match whose maker side is `makerSide`. */
export function aggressorSide(makerSide: unknown): Side {
  return makerSide === 'sell' ? 'buy' : makerSide === 'buy' ? 'sell' : 'unknown';
}

/** A Trade from a match; fields are not validated here (the publisher validates). */
export function matchToTrade(m: CoinbaseMatch, recvTs: number): Trade {
  return {
    v: SCHEMA_VERSION,
    type: 'trade',
    venue: COINBASE_VENUE,
    symbol: m.product_id,
    price: Number(m.price),
    size: Number(m.size),
    side: aggressorSide(m.side),
    id: String(m.trade_id),
    ts: parseIsoMicros(m.time),
    recvTs,
    seq: m.sequence,
  };
}

/** A Quote (best bid and ask) from a ticker. */
export function tickerToQuote(t: CoinbaseTicker, recvTs: number): Quote {
  return {
    v: SCHEMA_VERSION,
    type: 'quote',
    venue: COINBASE_VENUE,
    symbol: t.product_id,
    bidPrice: Number(t.best_bid),
    bidSize: Number(t.best_bid_size),
    askPrice: Number(t.best_ask),
    askSize: Number(t.best_ask_size),
    ts: parseIsoMicros(t.time),
    recvTs,
    seq: t.sequence,
  };
}
