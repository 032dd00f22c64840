/**
 * One WebSocket that stays connected: reconnects with {@link Backoff} after any close (error,
 * server close, the venue's scheduled disconnect, a dead-connection timeout), calls `onOpen` on
 * every new socket so the owner resubscribes, and drops a socket that went silent.
 *
 * Liveness: the owner calls `touch()` on what proves the venue alive (a Coinbase heartbeat, any
 * Binance frame or ping); with `touchOnMessage` every message counts. A socket not touched for
 * `idleTimeoutMs` is terminated and counted as dead, then reconnected like any other close.
 */
import WebSocket from 'ws';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { ConnectorLogger, ConnectorStats } from './connector.js';

/** Callbacks of a {@link ReconnectingSocket}. */
export interface SocketHandler {
  /** A new socket is open: (re)subscribe here. */
  onOpen(): void;
  /** One text message; `recvTs` is epoch ms at receipt. */
  onMessage(text: string, recvTs: number): void;
  /** The socket closed; a reconnect is scheduled unless `stop()` was called. */
  onClose?(): void;
}

/** Options of a {@link ReconnectingSocket}. */
export interface ReconnectingSocketOptions {
  url: string;
  /** Shown in logs, e.g. `binance#2`. */
  name: string;
  /** Silence longer than this kills the socket, ms. */
  idleTimeoutMs: number;
  /** Every message counts as proof of life (else only `touch()`). */
  touchOnMessage: boolean;
  backoff?: BackoffOptions;
  logger: ConnectorLogger;
  /** Counters shared with the owning connector. */
  stats: ConnectorStats;
  /** Epoch ms. */
  clock: () => number;
}

// The close handshake may hang on a dead peer; after this long the socket is torn down.
const CLOSE_GRACE_MS = 2000;

/** A self-healing WebSocket client. */
export class ReconnectingSocket {
  private readonly o: ReconnectingSocketOptions;
  private readonly handler: SocketHandler;
  private readonly backoff: Backoff;
  private ws: WebSocket | undefined;
  private stopped = false;
  private everOpened = false;
  private healthy = false;
  private lastAlive = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closedWaiters: Array<() => void> = [];

  constructor(options: ReconnectingSocketOptions, handler: SocketHandler) {
    this.o = options;
    this.handler = handler;
    this.backoff = new Backoff(options.backoff);
  }

  /** True while a socket is open. */
  get open(): boolean {
    return this.ws !== undefined && this.ws.readyState === WebSocket.OPEN;
  }

  /** Opens the first socket. */
  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Sends a text message; false when no socket is open (the next `onOpen` resubscribes anyway). */
  send(text: string): boolean {
    if (!this.open) return false;
    this.ws!.send(text);
    return true;
  }

  /** Marks the venue alive now. */
  touch(): void {
    this.lastAlive = this.o.clock();
    if (!this.healthy) {
      // Data arrived: the connection works, so the next failure starts the backoff afresh.
      this.healthy = true;
      this.backoff.reset();
    }
  }

  /** Stops reading from the socket (backpressure from the publisher). */
  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }

  /**
   * Closes the current socket with code 1000 and reconnects at once (after the usual jittered
   * delay): for a venue that announces it is about to drop the connection.
   */
  recycle(reason: string): void {
    const ws = this.ws;
    if (ws === undefined || this.stopped) return;
    this.o.logger.info({ socket: this.o.name, reason }, 'reconnecting ahead of a venue disconnect');
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, reason);
    else ws.terminate();
  }

  /** Closes with code 1000 and stops reconnecting; resolves once the socket is closed. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    this.stopWatchdog();
    const ws = this.ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.closedWaiters.push(resolve);
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client shutdown');
      const grace = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      grace.unref();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.o.url, { handshakeTimeout: 10_000, perMessageDeflate: false });
    this.ws = ws;
    this.healthy = false;
    ws.on('open', () => {
      const s = this.o.stats;
      s.connects++;
      if (this.everOpened) s.reconnects++;
      this.everOpened = true;
      this.o.logger.info({ socket: this.o.name, url: this.o.url }, 'connected');
      this.lastAlive = this.o.clock();
      this.startWatchdog();
      this.handler.onOpen();
    });
    ws.on('message', (data: WebSocket.RawData) => {
      const now = this.o.clock();
      this.o.stats.messages++;
      if (this.o.touchOnMessage) this.touch();
      this.handler.onMessage(data.toString(), now);
    });
    // ws answers pings with pongs itself (autoPong); a ping still proves the venue alive.
    ws.on('ping', () => this.touch());
    ws.on('error', (err: Error) => {
      this.o.stats.lastError = err.message;
      this.o.logger.warn({ socket: this.o.name, err: err.message }, 'socket error');
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.stopWatchdog();
      if (this.ws === ws) this.ws = undefined;
      this.o.stats.disconnects++;
      this.handler.onClose?.();
      if (this.stopped) {
        const waiters = this.closedWaiters;
        this.closedWaiters = [];
        for (let i = 0; i < waiters.length; i++) waiters[i]!();
        return;
      }
      const delay = this.backoff.next();
      this.o.logger.warn(
        {
          socket: this.o.name,
          code,
          reason: reason.toString(),
          retryInMs: delay,
          attempt: this.backoff.attempts,
        },
        'disconnected; reconnecting',
      );
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.connect();
      }, delay);
    });
  }

  private startWatchdog(): void {
    this.stopWatchdog();
    const every = Math.max(10, Math.floor(this.o.idleTimeoutMs / 4));
    this.watchdog = setInterval(() => {
      const silent = this.o.clock() - this.lastAlive;
      if (silent <= this.o.idleTimeoutMs || this.ws === undefined) return;
      this.o.stats.deadConnections++;
      this.o.logger.warn(
        { socket: this.o.name, silentMs: silent },
        'venue silent too long; dropping the connection',
      );
      this.stopWatchdog();
      this.ws.terminate();
    }, every);
  }

  private stopWatchdog(): void {
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }
}
