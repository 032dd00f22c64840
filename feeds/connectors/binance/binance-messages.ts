/**
 * Binance spot WebSocket market streams (`wss://stream.binance.com:9443`) and their mapping to our
 * records. On a combined-stream connection (`/stream`) every event arrives wrapped as
 * `{"stream":"btcusdt@trade","data":{…}}`; stream names use the lower-case symbol, payloads the
 * upper-case one (`BTCUSDT`), which is how our records spell it.
 *
 * `m` on a trade is "the buyer is the market maker": true means a resting buy was hit by a sell,
 * so the aggressor is the seller.
 */
import { type Quote, SCHEMA_VERSION, type Trade } from '../../../schemas/index.js';

/** The public endpoint (port 443 works too). */
export const BINANCE_WS_URL = 'wss://stream.binance.com:9443';

/** Venue code of Binance records. */
export const BINANCE_VENUE = 'binance';

/** Streams per connection Binance accepts. */
export const BINANCE_MAX_STREAMS_PER_CONNECTION = 1024;

/** Incoming messages per second per connection Binance accepts (pings, pongs, JSON requests). */
export const BINANCE_MAX_MESSAGES_PER_SECOND = 5;

/** `<symbol>@trade` payload. */
export interface BinanceTrade {
  e: 'trade';
  /** Event time, ms. */
  E: number;
  s: string;
  /** Trade id, consecutive per symbol. */
  t: number;
  p: string;
  q: string;
  /** Trade time, ms. */
  T: number;
  /** Buyer is the maker. */
  m: boolean;
  M?: boolean;
}

/** `<symbol>@bookTicker` payload (spot: no event time). */
export interface BinanceBookTicker {
  /** Order book update id. */
  u: number;
  s: string;
  b: string;
  B: string;
  a: string;
  A: string;
  /** Present on futures streams only. */
  E?: number;
  T?: number;
}

/** A combined-stream envelope. */
export interface BinanceEnvelope<T> {
  stream: string;
  data: T;
}

/** `SUBSCRIBE` / `UNSUBSCRIBE` / `LIST_SUBSCRIPTIONS` request. */
export interface BinanceRequest {
  method: 'SUBSCRIBE' | 'UNSUBSCRIBE' | 'LIST_SUBSCRIPTIONS';
  params?: string[];
  id: number;
}

/** The streams the connector subscribes per symbol. */
export function binanceStreamsOf(symbol: string): [string, string] {
  const s = symbol.toLowerCase();
  return [`${s}@trade`, `${s}@bookTicker`];
}

/** A Trade from a trade event; `ts` is the trade time `T`. */
export function binanceTradeToTrade(d: BinanceTrade, recvTs: number): Trade {
  return {
    v: SCHEMA_VERSION,
    type: 'trade',
    venue: BINANCE_VENUE,
    symbol: d.s,
    price: Number(d.p),
    size: Number(d.q),
    side: d.m ? 'sell' : 'buy',
    id: String(d.t),
    ts: d.T,
    recvTs,
    seq: d.t,
  };
}

/**
 * A Quote from a bookTicker event. Spot bookTicker carries no time, so `ts` is the receive time
 * (futures streams carry `T`/`E`, used when present).
 */
export function binanceBookTickerToQuote(d: BinanceBookTicker, recvTs: number): Quote {
  return {
    v: SCHEMA_VERSION,
    type: 'quote',
    venue: BINANCE_VENUE,
    symbol: d.s,
    bidPrice: Number(d.b),
    bidSize: Number(d.B),
    askPrice: Number(d.a),
    askSize: Number(d.A),
    ts: typeof d.T === 'number' ? d.T : typeof d.E === 'number' ? d.E : recvTs,
    recvTs,
    seq: d.u,
  };
}
