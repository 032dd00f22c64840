/**
 * Test harness for the gateway: a gateway on a free port with test options,
 * a WebSocket client (the `ws` package) that records what it receives, and
 * records to publish. Not a test file itself.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import WebSocket from 'ws';
import { GATEWAY_DEFAULTS, type GatewayOptions } from '../../gateway/options.js';
import { decodeServerMessage, type ServerMessage } from '../../gateway/protocol.js';
import { type Gateway, type GatewayDeps, startGateway } from '../../gateway/server.js';
import type { Alert, Candle, IndicatorSnapshot, Interval, Trade } from '../../schemas/index.js';
import { INTERVAL_MS } from '../../schemas/index.js';

/** A silent logger, or one that writes into `lines` when given. */
export function testLogger(lines?: string[]): pino.Logger {
  if (lines === undefined) return pino({ level: 'silent' });
  return pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
}

/** Starts a gateway on 127.0.0.1 with a free port; auth is off unless the overrides turn it on. */
export async function startTestGateway(
  overrides: Partial<GatewayOptions>,
  deps: GatewayDeps = {},
): Promise<Gateway> {
  return startGateway(
    {
      ...GATEWAY_DEFAULTS,
      port: 0,
      host: '127.0.0.1',
      questdbUrl: 'http://127.0.0.1:1',
      questdbTimeoutMs: 500,
      auth: false,
      logLevel: 'silent',
      ...overrides,
    },
    { log: testLogger(), ...deps },
  );
}

/** A WebSocket client that keeps every message it receives, decoded. */
export class TestClient {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  closeCode: number | null = null;
  closeReason = '';
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      this.messages.push(decodeServerMessage(isBinary ? new Uint8Array(buf) : buf.toString('utf8')));
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.#wake();
    });
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static connect(port: number, query = '', headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${query}`, { headers });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () =>
          reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })),
        );
      });
      ws.once('error', reject);
    });
  }

  /** Sends an object as JSON text, or as msgpack when `binary` bytes are given instead. */
  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' || msg instanceof Uint8Array ? msg : JSON.stringify(msg));
  }

  /** Waits for the first message (from index `from`) that matches; rejects after `ms`. */
  async next(match: (m: ServerMessage) => boolean, ms = 5000, from = 0): Promise<ServerMessage> {
    const end = Date.now() + ms;
    for (;;) {
      for (let i = from; i < this.messages.length; i++)
        if (match(this.messages[i]!)) return this.messages[i]!;
      const left = end - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching message within ${ms} ms; got ${JSON.stringify(this.messages).slice(0, 800)}`,
        );
      await Promise.race([new Promise<void>((r) => this.#waiters.push(r)), sleep(Math.min(left, 50))]);
    }
  }

  /** Waits until the socket closed. */
  async closed(ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (this.closeCode === null) {
      if (Date.now() > end) throw new Error(`socket still open after ${ms} ms`);
      await sleep(10);
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** Polls until `cond` holds; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}

/** 2025-01-15T12:00:00Z: every record below is at or before it. */
export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export function trade(venue: string, symbol: string, i: number): Trade {
  return {
    v: 1,
    type: 'trade',
    venue,
    symbol,
    price: 100 + i,
    size: 1,
    side: 'buy',
    id: String(i),
    ts: T0 + i,
    recvTs: T0 + i,
  };
}

export function candle(
  venue: string,
  symbol: string,
  interval: Interval,
  close: number,
  revision = 0,
): Candle {
  const start = T0 - INTERVAL_MS[interval];
  return {
    v: 1,
    type: 'candle',
    venue,
    symbol,
    interval,
    start,
    end: T0,
    open: 100,
    high: Math.max(100, close),
    low: Math.min(100, close),
    close,
    volume: 2,
    notional: 100 + close,
    vwap: (100 + close) / 2,
    trades: 2,
    buyVolume: 1,
    sellVolume: 1,
    firstTradeTs: start,
    lastTradeTs: start + 1,
    closed: false,
    revision,
  };
}

export function indicator(venue: string, symbol: string, interval: Interval, sma: number): IndicatorSnapshot {
  return {
    v: 1,
    type: 'indicator',
    venue,
    symbol,
    interval,
    ts: T0 - INTERVAL_MS[interval],
    closed: true,
    revision: 0,
    values: { sma20: sma, rsi14: null },
  };
}

export function alert(venue: string, symbol: string, value: number): Alert {
  return {
    v: 1,
    type: 'alert',
    venue,
    symbol,
    kind: 'price_spike',
    severity: 'warning',
    ts: T0,
    value,
    threshold: 5,
    message: `price moved ${value}%`,
  };
}
