/**
 * A local Coinbase Exchange WebSocket feed for connector tests, speaking the public protocol:
 * a client must `subscribe` within 5 s (else it is disconnected); the server validates the
 * request, answers `error` (`Failed to subscribe`) or `subscriptions` listing every channel of the
 * connection, sends the latest `last_match` and `ticker` of each product on subscribe, and
 * `heartbeat` once per interval per product on the heartbeat channel. `sequence` counts every
 * event of a product (the server advances it by more than one per match, as the full order book
 * does), trade ids are consecutive unless a test skips some.
 */
import { type AddressInfo, WebSocket, WebSocketServer } from 'ws';

const CHANNELS = new Set(['heartbeat', 'matches', 'ticker', 'level2', 'full', 'status']);
// Sequence numbers consumed by order-book events between two matches.
const BOOK_EVENTS_PER_MATCH = 3;

interface Client {
  ws: WebSocket;
  /** channel -> subscribed products */
  channels: Map<string, Set<string>>;
  subscribeTimer: NodeJS.Timeout | undefined;
}

interface ProductState {
  sequence: number;
  tradeId: number;
  lastMatch: Record<string, unknown> | undefined;
  lastTicker: Record<string, unknown> | undefined;
}

/** A match the test emits; maker side as Coinbase reports it. */
export interface MatchSpec {
  price: string;
  size: string;
  /** The maker's side. */
  side: 'buy' | 'sell';
  time: string;
}

/** A ticker the test emits. */
export interface TickerSpec {
  price: string;
  bestBid: string;
  bestBidSize: string;
  bestAsk: string;
  bestAskSize: string;
  time: string;
}

/** The server; create with {@link CoinbaseTestServer.start}. */
export class CoinbaseTestServer {
  readonly url: string;
  /** Every JSON message clients sent, in order. */
  readonly received: unknown[] = [];
  /** Close codes clients sent when they closed. */
  readonly clientCloseCodes: number[] = [];
  connections = 0;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly products = new Map<string, ProductState>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatsOn = true;

  private constructor(wss: WebSocketServer, heartbeatMs: number, knownProducts: readonly string[]) {
    this.wss = wss;
    this.url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    for (const p of knownProducts)
      this.products.set(p, { sequence: 1000, tradeId: 0, lastMatch: undefined, lastTicker: undefined });
    wss.on('connection', (ws) => this.onConnection(ws));
    this.heartbeatTimer = setInterval(() => this.heartbeats(), heartbeatMs);
  }

  /** Starts on a free port. `heartbeatMs` is 1000 on the real feed. */
  static async start(
    o: { heartbeatMs?: number; products?: readonly string[] } = {},
  ): Promise<CoinbaseTestServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new CoinbaseTestServer(wss, o.heartbeatMs ?? 1000, o.products ?? ['BTC-USD', 'ETH-USD']);
  }

  /** Connected clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Clients subscribed to `channel` for `product`. */
  subscribers(channel: string, product: string): number {
    let n = 0;
    for (const c of this.clients) if (c.channels.get(channel)?.has(product)) n++;
    return n;
  }

  /** Emits a match to subscribers of `matches` for `product`; returns the message. */
  match(product: string, m: MatchSpec): Record<string, unknown> {
    const p = this.state(product);
    p.tradeId++;
    p.sequence += BOOK_EVENTS_PER_MATCH + 1;
    const msg = {
      type: 'match',
      trade_id: p.tradeId,
      maker_order_id: `maker-${p.tradeId}`,
      taker_order_id: `taker-${p.tradeId}`,
      side: m.side,
      size: m.size,
      price: m.price,
      product_id: product,
      sequence: p.sequence,
      time: m.time,
    };
    p.lastMatch = msg;
    this.broadcast('matches', product, msg);
    return msg;
  }

  /** Trades that happen and are never sent: the next match reveals a gap of `n`. */
  skipTrades(product: string, n: number): void {
    const p = this.state(product);
    p.tradeId += n;
    p.sequence += n * (BOOK_EVENTS_PER_MATCH + 1);
  }

  /** Emits a ticker to subscribers of `ticker` for `product`. */
  ticker(product: string, t: TickerSpec): Record<string, unknown> {
    const p = this.state(product);
    p.sequence++;
    const msg = {
      type: 'ticker',
      sequence: p.sequence,
      product_id: product,
      price: t.price,
      open_24h: t.price,
      volume_24h: '1000.0',
      low_24h: t.price,
      high_24h: t.price,
      volume_30d: '30000.0',
      best_bid: t.bestBid,
      best_bid_size: t.bestBidSize,
      best_ask: t.bestAsk,
      best_ask_size: t.bestAskSize,
      side: 'buy',
      time: t.time,
      trade_id: p.tradeId,
      last_size: '0.1',
    };
    p.lastTicker = msg;
    this.broadcast('ticker', product, msg);
    return msg;
  }

  /** Stops or restarts heartbeats (a stuck feed). */
  setHeartbeats(on: boolean): void {
    this.heartbeatsOn = on;
  }

  /** Closes every client connection from the server side. */
  disconnectAll(code = 1001, reason = 'going away'): void {
    for (const c of this.clients) c.ws.close(code, reason);
  }

  /** Resolves when `check()` holds, polling every 5 ms; rejects after `timeoutMs`. */
  async waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    for (const c of this.clients) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private state(product: string): ProductState {
    const p = this.products.get(product);
    if (p === undefined) throw new Error(`unknown product ${product}`);
    return p;
  }

  private onConnection(ws: WebSocket): void {
    this.connections++;
    const client: Client = { ws, channels: new Map(), subscribeTimer: undefined };
    this.clients.add(client);
    // The real feed drops a connection that does not subscribe within 5 seconds.
    client.subscribeTimer = setTimeout(() => {
      if (client.channels.size === 0) ws.close(1000, 'no subscribe message within 5 seconds');
    }, 5000);
    ws.on('message', (data) => this.onMessage(client, data.toString()));
    ws.on('close', (code) => {
      if (client.subscribeTimer !== undefined) clearTimeout(client.subscribeTimer);
      this.clientCloseCodes.push(code);
      this.clients.delete(client);
    });
  }

  private onMessage(client: Client, text: string): void {
    let m: { type?: unknown; product_ids?: unknown; channels?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.send(client.ws, { type: 'error', message: 'Malformed JSON', reason: 'invalid character' });
      return;
    }
    this.received.push(m);
    if (m.type !== 'subscribe' && m.type !== 'unsubscribe') {
      this.send(client.ws, {
        type: 'error',
        message: 'Failed to subscribe',
        reason: `${String(m.type)} is not a valid type`,
      });
      return;
    }
    const topProducts = Array.isArray(m.product_ids) ? (m.product_ids as unknown[]) : [];
    if (!Array.isArray(m.channels) || m.channels.length === 0) {
      this.send(client.ws, {
        type: 'error',
        message: 'Failed to subscribe',
        reason: 'channels must be a non-empty array',
      });
      return;
    }
    const wanted: Array<[string, string[]]> = [];
    for (const ch of m.channels as unknown[]) {
      const name = typeof ch === 'string' ? ch : (ch as { name?: unknown }).name;
      const products =
        typeof ch === 'string'
          ? topProducts
          : (((ch as { product_ids?: unknown }).product_ids as unknown[]) ?? topProducts);
      if (typeof name !== 'string' || !CHANNELS.has(name)) {
        this.send(client.ws, {
          type: 'error',
          message: 'Failed to subscribe',
          reason: `${String(name)} is not a valid channel`,
        });
        return;
      }
      for (const p of products) {
        if (typeof p !== 'string' || !this.products.has(p)) {
          this.send(client.ws, {
            type: 'error',
            message: 'Failed to subscribe',
            reason: `${String(p)} is not a valid product`,
          });
          return;
        }
      }
      wanted.push([name, products as string[]]);
    }
    for (const [name, products] of wanted) {
      let set = client.channels.get(name);
      if (set === undefined) {
        set = new Set();
        client.channels.set(name, set);
      }
      for (const p of products) {
        if (m.type === 'subscribe') set.add(p);
        else set.delete(p);
      }
      if (set.size === 0) client.channels.delete(name);
    }
    const channels: Array<{ name: string; product_ids: string[] }> = [];
    for (const [name, set] of client.channels) channels.push({ name, product_ids: [...set] });
    this.send(client.ws, { type: 'subscriptions', channels });
    if (m.type !== 'subscribe') return;
    // On subscribe the feed replays the latest match and ticker of each product.
    for (const [name, products] of wanted) {
      for (const product of products) {
        const p = this.products.get(product)!;
        if (name === 'matches' && p.lastMatch !== undefined)
          this.send(client.ws, { ...p.lastMatch, type: 'last_match' });
        if (name === 'ticker' && p.lastTicker !== undefined) this.send(client.ws, p.lastTicker);
      }
    }
  }

  private heartbeats(): void {
    if (!this.heartbeatsOn) return;
    const time = new Date().toISOString().replace('Z', '000Z');
    for (const c of this.clients) {
      const products = c.channels.get('heartbeat');
      if (products === undefined) continue;
      for (const product of products) {
        const p = this.products.get(product)!;
        this.send(c.ws, {
          type: 'heartbeat',
          last_trade_id: p.tradeId,
          product_id: product,
          sequence: p.sequence,
          time,
        });
      }
    }
  }

  private broadcast(channel: string, product: string, msg: object): void {
    for (const c of this.clients) if (c.channels.get(channel)?.has(product)) this.send(c.ws, msg);
  }

  private send(ws: WebSocket, msg: object): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }
}
