/**
 * Binance spot connector: `<symbol>@trade` and `<symbol>@bookTicker` for a list of symbols,
 * spread over as many combined-stream connections as the 1024-streams-per-connection limit needs.
 *
 * - Liveness: the server pings every 20 s (answered by `ws`); any frame counts as proof of life
 *   and `idleTimeoutMs` of silence drops the connection.
 * - Reconnect with full-jitter backoff after any close, the server's 24-hour disconnect included,
 *   then subscribe again.
 * - Gaps: trade ids `t` are consecutive per symbol; a skip is counted, logged and published as a
 *   `sequence_gap` alert. bookTicker update ids `u` are not consecutive (the book changes without
 *   the top changing), so they only drop stale updates.
 */
import type { BackoffOptions } from '../backoff.js';
import {
  type AlertSink,
  type Connector,
  type ConnectorLogger,
  type ConnectorStats,
  emptyConnectorStats,
  type RecordSink,
  SILENT_LOGGER,
} from '../connector.js';
import { ConnectorError } from '../errors.js';
import { reportSequenceGap } from '../gap-alert.js';
import { SequenceGaps } from '../sequence-gaps.js';
import { BinanceConnection, type BinanceEventHandler } from './binance-connection.js';
import {
  BINANCE_MAX_MESSAGES_PER_SECOND,
  BINANCE_MAX_STREAMS_PER_CONNECTION,
  BINANCE_VENUE,
  BINANCE_WS_URL,
  type BinanceBookTicker,
  type BinanceTrade,
  binanceBookTickerToQuote,
  binanceStreamsOf,
  binanceTradeToTrade,
} from './binance-messages.js';

/** Options of a {@link BinanceConnector}. */
export interface BinanceConnectorOptions {
  /** Symbols as Binance spells them, e.g. `BTCUSDT`. */
  symbols: readonly string[];
  sink: RecordSink;
  /** Where `sequence_gap` alerts go (core NATS). Without it gaps are only counted and logged. */
  alerts?: AlertSink;
  /** Base URL without a path. Default {@link BINANCE_WS_URL}. */
  url?: string;
  /** Streams per connection, at most 1024 (the default). */
  maxStreamsPerConnection?: number;
  /** Streams per SUBSCRIBE request. Default 200. */
  streamsPerRequest?: number;
  /** Control messages per second per connection, below Binance's 5. Default 4. */
  messagesPerSecond?: number;
  /** Silence that counts as a dead connection, ms. Default 50000 (two missed 20 s pings). */
  idleTimeoutMs?: number;
  backoff?: BackoffOptions;
  logger?: ConnectorLogger;
  /** Epoch ms, for `recvTs`. Default `Date.now`. */
  clock?: () => number;
}

const SYMBOL = /^[A-Z0-9]{2,30}$/;

function integerOption(name: string, value: number, min: number, max: number): number {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new ConnectorError(
      'TF_ERR_CONNECTOR_OPTION',
      `options.${name} must be an integer in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value;
}

/** Streams Binance trades and best bid/ask into a publisher. */
export class BinanceConnector implements Connector, BinanceEventHandler {
  /** One per group of up to `maxStreamsPerConnection` streams. */
  readonly connections: readonly BinanceConnection[];
  private readonly sink: RecordSink;
  private readonly alerts: AlertSink | undefined;
  private readonly logger: ConnectorLogger;
  private readonly s: ConnectorStats = emptyConnectorStats();
  private readonly tradeIds = new SequenceGaps();
  private readonly bookIds = new SequenceGaps();
  private readonly symbolSet: Set<string>;
  private pausedOn: BinanceConnection[] = [];

  constructor(o: BinanceConnectorOptions) {
    if (o.symbols.length === 0) {
      throw new ConnectorError('TF_ERR_CONNECTOR_OPTION', 'options.symbols must name at least one symbol');
    }
    for (const sym of o.symbols) {
      if (!SYMBOL.test(sym)) {
        throw new ConnectorError(
          'TF_ERR_CONNECTOR_OPTION',
          `options.symbols: '${sym}' is not a Binance symbol such as BTCUSDT (upper case letters and digits)`,
        );
      }
    }
    const perConnection = integerOption(
      'maxStreamsPerConnection',
      o.maxStreamsPerConnection ?? BINANCE_MAX_STREAMS_PER_CONNECTION,
      2,
      BINANCE_MAX_STREAMS_PER_CONNECTION,
    );
    const perRequest = integerOption('streamsPerRequest', o.streamsPerRequest ?? 200, 1, 1024);
    const perSecond = integerOption(
      'messagesPerSecond',
      o.messagesPerSecond ?? BINANCE_MAX_MESSAGES_PER_SECOND - 1,
      1,
      BINANCE_MAX_MESSAGES_PER_SECOND - 1,
    );
    const idleTimeoutMs = integerOption('idleTimeoutMs', o.idleTimeoutMs ?? 50_000, 100, 3_600_000);
    this.symbolSet = new Set(o.symbols);
    this.sink = o.sink;
    this.alerts = o.alerts;
    this.logger = o.logger ?? SILENT_LOGGER;
    const streams: string[] = [];
    for (const sym of this.symbolSet) streams.push(...binanceStreamsOf(sym));
    // Both streams of a symbol stay on one connection so its trades and quotes share one socket's order.
    const perConn = perConnection - (perConnection % 2);
    const connections: BinanceConnection[] = [];
    for (let i = 0; i < streams.length; i += perConn) {
      connections.push(
        new BinanceConnection(
          {
            url: o.url ?? BINANCE_WS_URL,
            index: connections.length,
            streams: streams.slice(i, i + perConn),
            streamsPerRequest: perRequest,
            messagesPerSecond: perSecond,
            idleTimeoutMs,
            ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
            logger: this.logger,
            stats: this.s,
            clock: o.clock ?? Date.now,
          },
          this,
        ),
      );
    }
    this.connections = connections;
  }

  start(): void {
    for (const c of this.connections) c.socket.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.socket.stop()));
  }

  stats(): ConnectorStats {
    return { ...this.s };
  }

  /** True once every connection's subscriptions were acknowledged. */
  get subscribed(): boolean {
    for (const c of this.connections) if (!c.subscribed) return false;
    return true;
  }

  /** @internal BinanceConnection callback. */
  onEvent(stream: string, data: unknown, recvTs: number): void {
    if (typeof data !== 'object' || data === null) {
      this.onBad('stream event without a data object', stream);
      return;
    }
    const d = data as { e?: unknown; s?: unknown; t?: unknown; u?: unknown };
    if (typeof d.s !== 'string' || !this.symbolSet.has(d.s)) {
      this.onBad('event for a symbol not subscribed', data);
      return;
    }
    if (d.e === 'trade') {
      if (typeof d.t !== 'number') {
        this.onBad('trade without a numeric trade id t', data);
        return;
      }
      const prev = this.tradeIds.lastOf(d.s);
      const verdict = this.tradeIds.observe(d.s, d.t);
      if (verdict === 'stale') {
        this.s.stale++;
        return;
      }
      const trade = binanceTradeToTrade(data as BinanceTrade, recvTs);
      if (verdict === 'gap') {
        const gap = { venue: BINANCE_VENUE, symbol: d.s, ts: trade.ts, prevId: prev!, id: d.t };
        reportSequenceGap(gap, this.s, this.alerts, this.logger);
      }
      this.s.trades++;
      this.publish(trade);
      return;
    }
    if (d.e === undefined && typeof d.u === 'number') {
      if (this.bookIds.observe(d.s, d.u) === 'stale') {
        this.s.stale++;
        return;
      }
      this.s.quotes++;
      this.publish(binanceBookTickerToQuote(data as BinanceBookTicker, recvTs));
      return;
    }
    this.onBad('event is neither a trade nor a bookTicker', data);
  }

  /** @internal BinanceConnection callback. */
  onBad(problem: string, message: unknown): void {
    this.s.badMessages++;
    this.s.lastError = problem;
    this.logger.warn({ venue: BINANCE_VENUE, problem, message }, 'dropped a message');
  }

  private publish(record: Parameters<RecordSink['publish']>[0]): void {
    const wait = this.sink.publish(record);
    if (wait === undefined) return;
    // Backpressure: stop reading every socket until the publisher has room again.
    if (this.pausedOn.length === 0) {
      for (const c of this.connections) c.socket.pause();
      this.pausedOn = [...this.connections];
      wait.then(this.resume, this.resume);
    }
  }

  private readonly resume = (): void => {
    const paused = this.pausedOn;
    this.pausedOn = [];
    for (const c of paused) c.socket.resume();
  };
}
