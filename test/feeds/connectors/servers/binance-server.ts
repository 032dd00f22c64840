/**
 * A local Binance spot market-stream server for connector tests, speaking the public protocol:
 * raw (`/ws/<stream>`) and combined (`/stream?streams=a/b`, events wrapped as `{stream,data}`)
 * endpoints; `SUBSCRIBE` / `UNSUBSCRIBE` / `LIST_SUBSCRIPTIONS` requests answered with
 * `{"result":…,"id":…}` or `{"error":{"code":2,"msg":…},"id":…}`; at most 1024 streams per
 * connection; more than 5 incoming messages (text, ping or pong frames) in one second closes the
 * connection; a ping frame every `pingMs` (20 s on the real server) whose pong must echo the
 * payload within `pongTimeoutMs` (1 min) or the connection is dropped; and a scheduled
 * disconnect after `maxLifetimeMs` (24 h); `serverShutdown()` announces a restart with the
 * `serverShutdown` event before dropping connections.
 */
import type { IncomingMessage } from 'node:http';
import { type AddressInfo, WebSocket, WebSocketServer } from 'ws';

const STREAM = /^[a-z0-9]+@(trade|bookTicker)$/;
const MAX_STREAMS = 1024;
const MAX_INCOMING_PER_SECOND = 5;

interface Client {
  ws: WebSocket;
  combined: boolean;
  streams: Set<string>;
  /** Times of recent incoming messages, for the 5-per-second limit. */
  incoming: number[];
  pingPayload: string | undefined;
  pingSentAt: number;
  lifetime: NodeJS.Timeout;
}

/** Options of a {@link BinanceTestServer}. */
export interface BinanceServerOptions {
  pingMs?: number;
  pongTimeoutMs?: number;
  maxLifetimeMs?: number;
}

/** A trade the test emits. */
export interface TradeSpec {
  price: string;
  qty: string;
  /** Buyer is the maker. */
  m: boolean;
  /** Trade time, ms. */
  T: number;
}

/** The server; create with {@link BinanceTestServer.start}. */
export class BinanceTestServer {
  readonly url: string;
  /** Every JSON request clients sent, in order, with its arrival time. */
  readonly requests: Array<{ at: number; request: unknown }> = [];
  /** Pong payloads received, in order. */
  readonly pongs: string[] = [];
  /** Connections closed for exceeding the message rate. */
  rateViolations = 0;
  /** Connections dropped for a missing pong. */
  pongTimeouts = 0;
  readonly clientCloseCodes: number[] = [];
  connections = 0;
  private readonly wss: WebSocketServer;
  private readonly o: Required<BinanceServerOptions>;
  private readonly clients = new Set<Client>();
  private readonly tradeIds = new Map<string, number>();
  private readonly bookIds = new Map<string, number>();
  private readonly pingTimer: NodeJS.Timeout;
  private pingCount = 0;

  private constructor(wss: WebSocketServer, o: Required<BinanceServerOptions>) {
    this.wss = wss;
    this.o = o;
    this.url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (ws, req) => this.onConnection(ws, req));
    this.pingTimer = setInterval(() => this.ping(), o.pingMs);
  }

  static async start(o: BinanceServerOptions = {}): Promise<BinanceTestServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: true });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new BinanceTestServer(wss, {
      pingMs: o.pingMs ?? 20_000,
      pongTimeoutMs: o.pongTimeoutMs ?? 60_000,
      maxLifetimeMs: o.maxLifetimeMs ?? 86_400_000,
    });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Streams of every connected client. */
  streamsPerClient(): number[] {
    const out: number[] = [];
    for (const c of this.clients) out.push(c.streams.size);
    return out;
  }

  /** Clients subscribed to `stream`. */
  subscribers(stream: string): number {
    let n = 0;
    for (const c of this.clients) if (c.streams.has(stream)) n++;
    return n;
  }

  /** Emits a trade of `symbol` (upper case) with the next trade id; returns the payload. */
  trade(symbol: string, t: TradeSpec): Record<string, unknown> {
    const id = (this.tradeIds.get(symbol) ?? 5000) + 1;
    this.tradeIds.set(symbol, id);
    const data = { e: 'trade', E: t.T + 2, s: symbol, t: id, p: t.price, q: t.qty, T: t.T, m: t.m, M: true };
    this.emit(`${symbol.toLowerCase()}@trade`, data);
    return data;
  }

  /** Trades that happen and are never sent: the next trade reveals a gap of `n`. */
  skipTrades(symbol: string, n: number): void {
    this.tradeIds.set(symbol, (this.tradeIds.get(symbol) ?? 5000) + n);
  }

  /** Emits a best bid/ask update; update ids advance by 7, as the book changes below the top too. */
  bookTicker(symbol: string, b: { b: string; B: string; a: string; A: string }): Record<string, unknown> {
    const u = (this.bookIds.get(symbol) ?? 400_900_000) + 7;
    this.bookIds.set(symbol, u);
    const data = { u, s: symbol, b: b.b, B: b.B, a: b.a, A: b.A };
    this.emit(`${symbol.toLowerCase()}@bookTicker`, data);
    return data;
  }

  /** Sends a ping frame to every client now; returns its payload. */
  ping(): string {
    const payload = `ping-${++this.pingCount}`;
    const now = Date.now();
    for (const c of this.clients) {
      if (c.pingPayload !== undefined && now - c.pingSentAt > this.o.pongTimeoutMs) {
        this.pongTimeouts++;
        c.ws.terminate();
        continue;
      }
      if (c.pingPayload === undefined) {
        c.pingPayload = payload;
        c.pingSentAt = now;
      }
      if (c.ws.readyState === WebSocket.OPEN) c.ws.ping(payload);
    }
    return payload;
  }

  /**
   * Announces a restart: sends the `serverShutdown` event to every client, then closes the
   * connections still open after `graceMs`.
   */
  serverShutdown(graceMs: number): void {
    const event = JSON.stringify({ e: 'serverShutdown', E: Date.now() });
    for (const c of this.clients) {
      if (c.ws.readyState === WebSocket.OPEN) c.ws.send(event);
      const ws = c.ws;
      setTimeout(() => ws.close(1001, 'server shutdown'), graceMs).unref();
    }
  }

  /** Closes every client connection from the server side. */
  disconnectAll(code = 1001, reason = 'going away'): void {
    for (const c of this.clients) c.ws.close(code, reason);
  }

  async waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    for (const c of this.clients) {
      clearTimeout(c.lifetime);
      c.ws.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const combined = url.pathname === '/stream';
    const initial: string[] = [];
    if (combined) {
      const q = url.searchParams.get('streams');
      if (q !== null && q !== '') initial.push(...q.split('/'));
    } else if (url.pathname.startsWith('/ws')) {
      const rest = url.pathname.slice(4);
      if (rest !== '') initial.push(...rest.split('/'));
    } else {
      ws.close(1008, 'unknown path');
      return;
    }
    if (initial.length > MAX_STREAMS || initial.some((s) => !STREAM.test(s))) {
      ws.close(1008, 'invalid stream list');
      return;
    }
    this.connections++;
    const client: Client = {
      ws,
      combined,
      streams: new Set(initial),
      incoming: [],
      pingPayload: undefined,
      pingSentAt: 0,
      lifetime: setTimeout(() => ws.close(1001, 'scheduled disconnect after 24 hours'), this.o.maxLifetimeMs),
    };
    this.clients.add(client);
    ws.on('message', (data) => {
      if (this.countIncoming(client)) this.onRequest(client, data.toString());
    });
    ws.on('ping', () => this.countIncoming(client));
    ws.on('pong', (data) => {
      if (!this.countIncoming(client)) return;
      const payload = data.toString();
      this.pongs.push(payload);
      if (payload === client.pingPayload) client.pingPayload = undefined;
    });
    ws.on('close', (code) => {
      clearTimeout(client.lifetime);
      this.clientCloseCodes.push(code);
      this.clients.delete(client);
    });
  }

  /** Counts one incoming message; false (and the connection closed) past 5 in one second. */
  private countIncoming(c: Client): boolean {
    const now = Date.now();
    const recent = c.incoming;
    while (recent.length > 0 && now - recent[0]! >= 1000) recent.shift();
    recent.push(now);
    if (recent.length <= MAX_INCOMING_PER_SECOND) return true;
    this.rateViolations++;
    c.ws.close(1008, 'Too many requests');
    return false;
  }

  private onRequest(c: Client, text: string): void {
    let m: { method?: unknown; params?: unknown; id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.send(c, { error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } });
      return;
    }
    this.requests.push({ at: Date.now(), request: m });
    const id = m.id;
    if (typeof id !== 'number' && typeof id !== 'string') {
      this.send(c, {
        error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' },
        id: null,
      });
      return;
    }
    if (m.method === 'LIST_SUBSCRIPTIONS') {
      this.send(c, { result: [...c.streams], id });
      return;
    }
    if (m.method !== 'SUBSCRIBE' && m.method !== 'UNSUBSCRIBE') {
      this.send(c, { error: { code: 2, msg: `Invalid request: unknown method '${String(m.method)}'` }, id });
      return;
    }
    const params = m.params;
    if (!Array.isArray(params) || params.some((p) => typeof p !== 'string' || !STREAM.test(p))) {
      this.send(c, { error: { code: 2, msg: 'Invalid request: invalid stream name' }, id });
      return;
    }
    if (m.method === 'SUBSCRIBE') {
      let n = c.streams.size;
      for (const p of params as string[]) if (!c.streams.has(p)) n++;
      if (n > MAX_STREAMS) {
        this.send(c, { error: { code: 2, msg: `Invalid request: more than ${MAX_STREAMS} streams` }, id });
        return;
      }
      for (const p of params as string[]) c.streams.add(p);
    } else {
      for (const p of params as string[]) c.streams.delete(p);
    }
    this.send(c, { result: null, id });
  }

  private emit(stream: string, data: object): void {
    for (const c of this.clients) {
      if (!c.streams.has(stream)) continue;
      this.send(c, c.combined ? { stream, data } : data);
    }
  }

  private send(c: Client, msg: object): void {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify(msg));
  }
}
