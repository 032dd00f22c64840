/**
 * The baseline: the same protocol subset (subscribe → ack, then `update`
 * messages with per-stream `seq`) served with the `ws` library. Each update
 * is encoded once and sent to every subscriber with `ws.send`; a client with
 * more than the gateway's soft backpressure buffered is skipped (a drop), as
 * the gateway would stop sending it trades.
 */

import { type WebSocket, WebSocketServer } from 'ws';
import type { RecordSink } from '../../gateway/index.js';
import { encodeServerMessage, GATEWAY_DEFAULTS } from '../../gateway/index.js';
import type { AnyRecord } from '../../schemas/index.js';

const CHANNEL_OF: Record<AnyRecord['type'], string> = {
  trade: 'trades',
  quote: 'quotes',
  candle: 'candles',
  indicator: 'indicators',
  alert: 'alerts',
};

/** A `ws` server fanning records out to subscribed clients. */
export class WsFanout implements RecordSink {
  readonly #wss: WebSocketServer;
  /** `channel venue:symbol` and `channel venue:*` → subscribers. */
  readonly #topics = new Map<string, Set<WebSocket>>();
  readonly #seqs = new Map<string, number>();
  drops = 0;
  rejected = 0;

  private constructor(wss: WebSocketServer) {
    this.#wss = wss;
    wss.on('connection', (ws) => {
      ws.on('message', (data) => this.#onClientMessage(ws, String(data)));
      ws.on('close', () => {
        for (const set of this.#topics.values()) set.delete(ws);
      });
    });
  }

  /** Listens on 127.0.0.1 at a free port. */
  static async listen(): Promise<{ fanout: WsFanout; port: number }> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws', perMessageDeflate: false });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    const address = wss.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return { fanout: new WsFanout(wss), port: address.port };
  }

  #onClientMessage(ws: WebSocket, text: string): void {
    const m = JSON.parse(text) as { op: string; id?: number; channels: string[]; symbols: string[] };
    if (m.op !== 'subscribe') return;
    const subscribed: { channel: string; symbol: string }[] = [];
    for (const channel of m.channels)
      for (const symbol of m.symbols) {
        const key = `${channel} ${symbol}`;
        let set = this.#topics.get(key);
        if (set === undefined) {
          set = new Set();
          this.#topics.set(key, set);
        }
        set.add(ws);
        subscribed.push({ channel, symbol });
      }
    ws.send(
      encodeServerMessage('json', { type: 'ack', id: m.id ?? 0, op: 'subscribe', subscribed }) as string,
    );
  }

  onRejected(): void {
    this.rejected++;
  }

  onRecord(rec: AnyRecord): void {
    const channel = CHANNEL_OF[rec.type];
    const symbol = `${rec.venue}:${rec.symbol}`;
    const exactKey = `${channel} ${symbol}`;
    const seq = (this.#seqs.get(exactKey) ?? 0) + 1;
    this.#seqs.set(exactKey, seq);
    const exact = this.#topics.get(exactKey);
    const wild = this.#topics.get(`${channel} ${rec.venue}:*`);
    if (exact === undefined && wild === undefined) return;
    const bytes = Buffer.from(
      encodeServerMessage('json', { type: 'update', channel, symbol, seq, data: rec }) as string,
    );
    const soft = GATEWAY_DEFAULTS.softBackpressureBytes;
    for (const set of [exact, wild]) {
      if (set === undefined) continue;
      for (const ws of set) {
        if (ws.bufferedAmount > soft) this.drops++;
        else ws.send(bytes, { binary: false, compress: false });
      }
    }
  }

  close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }
}
