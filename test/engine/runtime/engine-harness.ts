import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ActorConfig } from '../../../actors/index.js';
import { ActorFactory, DEFAULT_ACTOR_CONFIG } from '../../../actors/index.js';
import type { EngineConfig } from '../../../engine/config/index.js';
import { defaultEngineConfig } from '../../../engine/config/index.js';
import type { Candle, Trade } from '../../../schemas/index.js';
import { encodeFrame, escapeSymbol, partitionOf, tradeSubject } from '../../../schemas/index.js';
import type { NatsHandle, QuestDbHandle } from '../../support/servers.js';

/** Candles at two intervals and a few indicators: enough to exercise everything, light enough for CI. */
export const TEST_ACTORS: ActorConfig = {
  ...DEFAULT_ACTOR_CONFIG,
  candles: { intervals: ['1s', '1m'], closeDelayMs: 200, allowedLatenessMs: 1000, idleCloseMs: 300 },
  indicatorIntervals: ['1s', '1m'],
  indicators: [
    { kind: 'sma', period: 5 },
    { kind: 'rsi', period: 5 },
  ],
};

/** An engine config for tests: the given servers, small timers, ops on a free port. */
export function testEngineConfig(
  nats: NatsHandle,
  qdb: QuestDbHandle,
  id: string,
  partitions = 4,
): EngineConfig {
  const c = defaultEngineConfig();
  c.nats.servers = [nats.url];
  c.nats.name = `test-${id}`;
  c.questdb.ilpUrl = qdb.httpUrl;
  c.questdb.httpUrl = qdb.httpUrl;
  c.questdb.retryMinMs = 50;
  c.questdb.retryMaxMs = 1000;
  c.streams.partitions = partitions;
  c.streams.ackWaitMs = 10_000;
  c.streams.fetchExpiresMs = 1000;
  c.engine.id = id;
  c.engine.shards = 2;
  c.engine.leaseTtlMs = 3000;
  c.engine.snapshotIntervalMs = 1000;
  c.engine.timerTickMs = 100;
  c.engine.flushIntervalMs = 50;
  c.http.host = '127.0.0.1';
  c.http.port = 0;
  c.log.level = 'warn';
  c.actors = TEST_ACTORS;
  return c;
}

/** `n` trades over `symbols` symbols, event times spread over the `spanMs` before `end`, in time order. */
export function makeTrades(n: number, symbols: number, end: number, spanMs: number, idBase = 0): Trade[] {
  const out: Trade[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % symbols;
    const ts = end - spanMs + Math.floor((i * spanMs) / n);
    out.push({
      v: 1,
      type: 'trade',
      venue: 'test',
      symbol: k % 3 === 0 ? `SYM${k}/USD` : `SYM.${k}`,
      price: 100 + k + ((i * 37) % 101) / 100,
      size: 1 + (i % 7) / 4,
      side: i % 2 === 0 ? 'buy' : 'sell',
      id: String(idBase + i + 1),
      ts,
      recvTs: ts,
    });
  }
  return out;
}

/** Publishes trades to JetStream in frames of up to `frame` trades of one symbol, keeping per-symbol order. */
export async function publishTrades(
  nc: NatsConnection,
  trades: readonly Trade[],
  partitions: number,
  frame = 10,
): Promise<void> {
  const js = jetstream(nc);
  const open = new Map<string, Trade[]>();
  const send = async (list: Trade[]): Promise<void> => {
    const first = list[0]!;
    const p = partitionOf(first.venue, escapeSymbol(first.symbol), partitions);
    await js.publish(tradeSubject(first.venue, first.symbol, p), encodeFrame(list), {
      msgID: `${first.venue}:${first.symbol}:${first.id}`,
    });
  };
  for (const t of trades) {
    let list = open.get(t.symbol);
    if (!list) {
      list = [];
      open.set(t.symbol, list);
    }
    list.push(t);
    if (list.length >= frame) {
      await send(list);
      open.set(t.symbol, []);
    }
  }
  for (const list of open.values()) if (list.length > 0) await send(list);
}

/** Final candles the actors give for these trades (what QuestDB must end up holding). */
export function expectedCandles(trades: readonly Trade[], config: ActorConfig = TEST_ACTORS): Candle[] {
  const factory = new ActorFactory(config);
  const out: Candle[] = [];
  const sink = { candle() {}, indicator() {}, alert() {}, final: (c: Candle) => void out.push(c) };
  const actors = new Map<string, ReturnType<ActorFactory['create']>>();
  const now = Date.now();
  for (const t of trades) {
    let a = actors.get(t.symbol);
    if (!a) {
      a = factory.create(t.venue, t.symbol, sink);
      actors.set(t.symbol, a);
    }
    a.onTrade(t, now);
  }
  for (const a of actors.values()) a.closeAll();
  return out;
}

/** A candle row as stored: the fields that must equal the expected final candle. */
export interface StoredCandle {
  key: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

export function candleKey(symbol: string, interval: string, start: number): string {
  return `${symbol}|${interval}|${start}`;
}

export function toStored(c: Candle): StoredCandle {
  return {
    key: candleKey(c.symbol, c.interval, c.start),
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    trades: c.trades,
  };
}

/** Reads every closed candle row back from QuestDB, sorted by key. */
export async function storedCandles(qdb: QuestDbHandle): Promise<StoredCandle[]> {
  const r = await qdb.exec(
    'select symbol, interval, ts, open, high, low, close, volume, trade_count from candles where closed = true',
  );
  return r.dataset
    .map((row) => {
      const [symbol, interval, ts, open, high, low, close, volume, trades] = row as [
        string,
        string,
        string,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      return {
        key: candleKey(symbol, interval, Date.parse(ts)),
        open,
        high,
        low,
        close,
        volume,
        trades,
      };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // Not there yet (e.g. the table does not exist before the first flush).
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
