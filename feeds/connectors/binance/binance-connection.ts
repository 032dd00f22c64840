/**
 * One Binance combined-stream connection (`<url>/stream`) carrying up to 1024 streams. On every
 * open it subscribes its streams with `SUBSCRIBE` requests, queued through an
 * {@link OutgoingRateLimit} so control messages stay under the 5-per-second limit (the server
 * pings every 20 s and the `ws` library pongs automatically; those pongs fit in the margin left).
 */

import type { BackoffOptions } from '../backoff.js';
import type { ConnectorLogger, ConnectorStats } from '../connector.js';
import { OutgoingRateLimit } from '../outgoing-rate-limit.js';
import { ReconnectingSocket } from '../reconnecting-socket.js';
import { BINANCE_VENUE, type BinanceRequest } from './binance-messages.js';

/** Receives the events of a {@link BinanceConnection}. */
export interface BinanceEventHandler {
  /** A `data` payload of a stream this connection subscribed. */
  onEvent(stream: string, data: unknown, recvTs: number): void;
  onBad(problem: string, message: unknown): void;
}

/** Options of a {@link BinanceConnection}. */
export interface BinanceConnectionOptions {
  /** Base URL without a path, e.g. `wss://stream.binance.com:9443`. */
  url: string;
  index: number;
  streams: readonly string[];
  /** Streams per SUBSCRIBE request. */
  streamsPerRequest: number;
  /** Control messages per second this client sends at most. */
  messagesPerSecond: number;
  idleTimeoutMs: number;
  backoff?: BackoffOptions;
  logger: ConnectorLogger;
  stats: ConnectorStats;
  clock: () => number;
}

/** A self-healing connection subscribed to a fixed list of streams. */
export class BinanceConnection {
  readonly socket: ReconnectingSocket;
  private readonly o: BinanceConnectionOptions;
  private readonly handler: BinanceEventHandler;
  private readonly outgoing: OutgoingRateLimit;
  private nextId = 1;
  private readonly pending = new Set<number>();
  /** True once every SUBSCRIBE of the current socket was acknowledged. */
  subscribed = false;

  constructor(o: BinanceConnectionOptions, handler: BinanceEventHandler) {
    this.o = o;
    this.handler = handler;
    this.socket = new ReconnectingSocket(
      {
        url: `${o.url.replace(/\/+$/, '')}/stream`,
        name: `${BINANCE_VENUE}#${o.index}`,
        idleTimeoutMs: o.idleTimeoutMs,
        touchOnMessage: true,
        ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
        logger: o.logger,
        stats: o.stats,
        clock: o.clock,
      },
      this,
    );
    this.outgoing = new OutgoingRateLimit(o.messagesPerSecond, (text) => this.socket.send(text));
  }

  /** @internal ReconnectingSocket callback. */
  onOpen(): void {
    this.subscribed = false;
    this.pending.clear();
    this.outgoing.clear();
    const s = this.o.streams;
    for (let i = 0; i < s.length; i += this.o.streamsPerRequest) {
      const request: BinanceRequest = {
        method: 'SUBSCRIBE',
        params: s.slice(i, i + this.o.streamsPerRequest),
        id: this.nextId++,
      };
      this.pending.add(request.id);
      this.outgoing.enqueue(JSON.stringify(request));
    }
  }

  /** @internal ReconnectingSocket callback. */
  onClose(): void {
    this.subscribed = false;
    this.outgoing.clear();
  }

  /** @internal ReconnectingSocket callback. */
  onMessage(text: string, recvTs: number): void {
    let m: {
      stream?: unknown;
      data?: unknown;
      id?: unknown;
      result?: unknown;
      error?: unknown;
      code?: unknown;
    };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.handler.onBad('message is not JSON', text);
      return;
    }
    if (typeof m.stream === 'string') {
      this.handler.onEvent(m.stream, m.data, recvTs);
      return;
    }
    // Sent before a server restart: move to a fresh connection now rather than wait to be dropped.
    if ((m as { e?: unknown }).e === 'serverShutdown') {
      this.o.stats.serverShutdowns++;
      this.socket.recycle('serverShutdown');
      return;
    }
    if (typeof m.id === 'number' && this.pending.has(m.id)) {
      this.pending.delete(m.id);
      if (m.error !== undefined || m.code !== undefined) {
        const e = (m.error ?? m) as { code?: unknown; msg?: unknown };
        const s = this.o.stats;
        s.subscribeErrors++;
        s.lastError = `SUBSCRIBE ${m.id} refused: ${String(e.code)} ${String(e.msg)}`;
        this.o.logger.error(
          { venue: BINANCE_VENUE, connection: this.o.index, code: e.code, msg: e.msg },
          'binance refused a subscription',
        );
        return;
      }
      if (this.pending.size === 0) {
        this.subscribed = true;
        this.o.logger.info(
          { venue: BINANCE_VENUE, connection: this.o.index, streams: this.o.streams.length },
          'subscribed',
        );
      }
      return;
    }
    this.handler.onBad('message is neither a stream event nor a reply to our request', m);
  }
}
