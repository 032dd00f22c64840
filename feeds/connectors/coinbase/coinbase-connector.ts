/**
 * Coinbase Exchange connector: one WebSocket subscribed to `heartbeat`, `matches` and `ticker`
 * for a list of products, publishing a Trade per match and a Quote per ticker.
 *
 * - Liveness: heartbeats come once a second per product; no heartbeat for `heartbeatTimeoutMs`
 *   means the connection is dead, it is dropped and reconnected.
 * - Gaps: trade ids are consecutive per product, so a match whose `trade_id` skips ahead means
 *   trades were lost (also across a reconnect: the `last_match` sent on subscribe reveals what
 *   was missed). `sequence` counts every order-book event of the product, so on the matches
 *   channel it is not consecutive and serves only to drop duplicates; it becomes `seq`.
 * - Reconnect with full-jitter backoff after any close, then subscribe again.
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
import { ReconnectingSocket } from '../reconnecting-socket.js';
import { SequenceGaps } from '../sequence-gaps.js';
import {
  COINBASE_CHANNELS,
  COINBASE_VENUE,
  COINBASE_WS_URL,
  type CoinbaseMatch,
  type CoinbaseSubscriptions,
  type CoinbaseTicker,
  coinbaseSubscribe,
  matchToTrade,
  tickerToQuote,
} from './coinbase-messages.js';

/** Options of a {@link CoinbaseConnector}. */
export interface CoinbaseConnectorOptions {
  /** Product ids as Coinbase spells them, e.g. `BTC-USD`. */
  products: readonly string[];
  sink: RecordSink;
  /** Where `sequence_gap` alerts go (core NATS). Without it gaps are only counted and logged. */
  alerts?: AlertSink;
  /** Default {@link COINBASE_WS_URL}. */
  url?: string;
  /** Silence on the heartbeat channel that counts as a dead connection, ms. Default 5000. */
  heartbeatTimeoutMs?: number;
  backoff?: BackoffOptions;
  logger?: ConnectorLogger;
  /** Epoch ms, for `recvTs`. Default `Date.now`. */
  clock?: () => number;
}

const PRODUCT = /^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/;

/** Streams Coinbase matches and tickers into a publisher. */
export class CoinbaseConnector implements Connector {
  private readonly products: readonly string[];
  private readonly productSet: Set<string>;
  private readonly sink: RecordSink;
  private readonly alerts: AlertSink | undefined;
  private readonly logger: ConnectorLogger;
  private readonly s: ConnectorStats = emptyConnectorStats();
  private readonly socket: ReconnectingSocket;
  private readonly tradeIds = new SequenceGaps();
  private readonly tickerSeqs = new SequenceGaps();
  private paused = false;
  /** True once the venue confirmed the current socket's subscriptions. */
  subscribed = false;

  constructor(o: CoinbaseConnectorOptions) {
    if (o.products.length === 0) {
      throw new ConnectorError('TF_ERR_CONNECTOR_OPTION', 'options.products must name at least one product');
    }
    for (const p of o.products) {
      if (!PRODUCT.test(p)) {
        throw new ConnectorError(
          'TF_ERR_CONNECTOR_OPTION',
          `options.products: '${p}' is not a Coinbase product id such as BTC-USD`,
        );
      }
    }
    const heartbeatTimeoutMs = o.heartbeatTimeoutMs ?? 5000;
    if (!(Number.isFinite(heartbeatTimeoutMs) && heartbeatTimeoutMs >= 1000)) {
      throw new ConnectorError(
        'TF_ERR_CONNECTOR_OPTION',
        `options.heartbeatTimeoutMs must be a number >= 1000 (heartbeats come every second), got ${heartbeatTimeoutMs}`,
      );
    }
    this.products = o.products;
    this.productSet = new Set(o.products);
    this.sink = o.sink;
    this.alerts = o.alerts;
    this.logger = o.logger ?? SILENT_LOGGER;
    this.socket = new ReconnectingSocket(
      {
        url: o.url ?? COINBASE_WS_URL,
        name: COINBASE_VENUE,
        idleTimeoutMs: heartbeatTimeoutMs,
        touchOnMessage: false,
        ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
        logger: this.logger,
        stats: this.s,
        clock: o.clock ?? Date.now,
      },
      this,
    );
  }

  start(): void {
    this.socket.start();
  }

  stop(): Promise<void> {
    return this.socket.stop();
  }

  stats(): ConnectorStats {
    return { ...this.s };
  }

  /** @internal ReconnectingSocket callback. */
  onOpen(): void {
    this.subscribed = false;
    this.socket.send(JSON.stringify(coinbaseSubscribe(this.products)));
  }

  /** @internal ReconnectingSocket callback. */
  onClose(): void {
    this.subscribed = false;
    this.paused = false;
  }

  /** @internal ReconnectingSocket callback. */
  onMessage(text: string, recvTs: number): void {
    let m: { type?: unknown; product_id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.bad('message is not JSON', text);
      return;
    }
    switch (m.type) {
      case 'match':
      case 'last_match':
        this.onMatch(m as CoinbaseMatch, recvTs);
        return;
      case 'ticker':
        this.onTicker(m as CoinbaseTicker, recvTs);
        return;
      case 'heartbeat':
        if (this.productSet.has(m.product_id as string)) this.socket.touch();
        return;
      case 'subscriptions':
        this.onSubscriptions(m as CoinbaseSubscriptions);
        return;
      case 'error': {
        const e = m as { message?: unknown; reason?: unknown };
        this.s.subscribeErrors++;
        this.s.lastError = `${String(e.message)}: ${String(e.reason)}`;
        this.logger.error(
          { venue: COINBASE_VENUE, error: e.message, reason: e.reason },
          'coinbase error message',
        );
        return;
      }
      default:
        // Other channels' messages are not ours to map; ignoring them keeps the feed forward compatible.
        return;
    }
  }

  private onMatch(m: CoinbaseMatch, recvTs: number): void {
    if (
      typeof m.trade_id !== 'number' ||
      typeof m.sequence !== 'number' ||
      !this.productSet.has(m.product_id)
    ) {
      this.bad('match without a numeric trade_id and sequence of a subscribed product', m);
      return;
    }
    const trades = this.tradeIds;
    const prev = trades.lastOf(m.product_id);
    const verdict = trades.observe(m.product_id, m.trade_id);
    if (verdict === 'stale') {
      this.s.stale++;
      return;
    }
    const trade = matchToTrade(m, recvTs);
    if (verdict === 'gap') {
      const gap = {
        venue: COINBASE_VENUE,
        symbol: m.product_id,
        ts: trade.ts,
        prevId: prev!,
        id: m.trade_id,
      };
      reportSequenceGap(gap, this.s, this.alerts, this.logger);
    }
    this.s.trades++;
    this.publish(trade);
  }

  private onTicker(t: CoinbaseTicker, recvTs: number): void {
    if (typeof t.sequence !== 'number' || !this.productSet.has(t.product_id)) {
      this.bad('ticker without a numeric sequence of a subscribed product', t);
      return;
    }
    if (this.tickerSeqs.observe(t.product_id, t.sequence) === 'stale') {
      this.s.stale++;
      return;
    }
    this.s.quotes++;
    this.publish(tickerToQuote(t, recvTs));
  }

  private onSubscriptions(m: CoinbaseSubscriptions): void {
    const missing: string[] = [];
    for (const name of COINBASE_CHANNELS) {
      const ch = Array.isArray(m.channels) ? m.channels.find((c) => c.name === name) : undefined;
      for (const p of this.products)
        if (ch === undefined || !ch.product_ids.includes(p)) missing.push(`${name}:${p}`);
    }
    if (missing.length > 0) {
      this.s.subscribeErrors++;
      this.s.lastError = `not subscribed to ${missing.join(', ')}`;
      this.logger.error({ venue: COINBASE_VENUE, missing }, 'coinbase did not confirm every subscription');
      return;
    }
    this.subscribed = true;
    this.logger.info({ venue: COINBASE_VENUE, products: this.products.length }, 'subscribed');
  }

  private publish(record: Parameters<RecordSink['publish']>[0]): void {
    const wait = this.sink.publish(record);
    if (wait !== undefined && !this.paused) {
      this.paused = true;
      this.socket.pause();
      wait.then(this.resume, this.resume);
    }
  }

  // Created once: resuming after backpressure allocates nothing per message.
  private readonly resume = (): void => {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  };

  private bad(problem: string, message: unknown): void {
    this.s.badMessages++;
    this.s.lastError = problem;
    this.logger.warn({ venue: COINBASE_VENUE, problem, message }, 'dropped a message');
  }
}
