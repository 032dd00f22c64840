import t from 'tap';
import {
  CandleBook,
  DEFAULT_CANDLE_OPTIONS,
  TRADE_APPLIED,
  TRADE_LATE,
  TRADE_REVISED,
} from '../../actors/candles.js';
import type { Candle } from '../../schemas/records.js';
import { brief, newBook, SMALL_OPTIONS, trade } from './candles-harness.js';

t.test('one candle: every field from four trades', async (t) => {
  const { book, rec } = newBook();
  t.equal(book.addTrade(trade(1000, 10, 1, 'buy', '1')), TRADE_APPLIED);
  t.equal(book.addTrade(trade(1200, 12, 2, 'sell', '2')), TRADE_APPLIED);
  t.equal(book.addTrade(trade(1500, 9, 1, 'unknown', '3')), TRADE_APPLIED);
  t.equal(book.addTrade(trade(1900, 11, 0.5, 'buy', '4')), TRADE_APPLIED);
  const expected: Candle = {
    v: 1,
    type: 'candle',
    venue: 'sim',
    symbol: 'TEST',
    interval: '1s',
    start: 1000,
    end: 2000,
    open: 10,
    high: 12,
    low: 9,
    close: 11,
    volume: 4.5,
    notional: 48.5, // 10 + 24 + 9 + 5.5
    vwap: 48.5 / 4.5,
    trades: 4,
    buyVolume: 1.5,
    sellVolume: 2,
    firstTradeTs: 1000,
    lastTradeTs: 1900,
    closed: false,
    revision: 0,
  };
  t.strictSame(book.openCandle(0), expected);
  t.strictSame(book.openCandle(1), { ...expected, interval: '1m', start: 0, end: 60_000 });
  t.equal(book.watermark, 1400);
  t.same(rec.events, [], 'nothing closes before the watermark reaches the end');
  t.same(book.stats, { trades: 4, late: 0, revisions: 0 });
  t.equal(book.openCandle(2), null, 'no third interval');
  t.same(book.retained(-1), []);
});

t.test('interval boundaries are UTC-floored, start inclusive, end exclusive', async (t) => {
  const { book, rec } = newBook();
  book.addTrade(trade(1999.999, 1, 1));
  book.addTrade(trade(2000, 2, 1));
  book.addTrade(trade(59_999.5, 3, 1));
  book.addTrade(trade(60_000, 4, 1));
  book.closeAll();
  t.same(
    rec.finals().map((c) => `${brief(c)} ${c.firstTradeTs}`),
    [
      '1s@1000 r0 n1 1999.999',
      '1s@2000 r0 n1 2000',
      '1s@59000 r0 n1 59999.5',
      '1m@0 r0 n3 1999.999',
      '1s@60000 r0 n1 60000',
      '1m@60000 r0 n1 60000',
    ],
  );
  t.same(
    rec.finals().map((c) => c.end - c.start),
    [1000, 1000, 1000, 60_000, 1000, 60_000],
  );
});

t.test('watermark close: a candle closes when maxTs - closeDelayMs reaches its end', async (t) => {
  const { book, rec } = newBook();
  book.addTrade(trade(1000, 10, 1));
  book.addTrade(trade(1400, 11, 1));
  book.addTrade(trade(2400, 12, 1));
  t.equal(book.watermark, 1900);
  t.same(rec.events, [], 'W = 1900 < 2000');
  book.addTrade(trade(2500, 13, 1));
  t.equal(book.watermark, 2000);
  t.same(
    rec.events.map((e) => `${e.kind} ${brief(e.c)}`),
    ['closed 1s@1000 r0 n2'],
  );
  const c = rec.closed()[0]!;
  t.match(c, { open: 10, high: 11, low: 10, close: 11, volume: 2, closed: true });
  t.same(book.retained(0).map(brief), ['1s@1000 r0 n2'], 'kept for revision');
  book.addTrade(trade(4000, 14, 1));
  t.same(rec.events.map((e) => `${e.kind} ${brief(e.c)}`).slice(1), ['closed 1s@2000 r0 n2'], 'W = 3500');
  book.addTrade(trade(4500, 15, 1));
  t.same(
    rec.events.map((e) => `${e.kind} ${brief(e.c)}`).slice(2),
    ['final 1s@1000 r0 n2'],
    'W - lateness = 2000 reaches the end of 1s@1000',
  );
  t.same(book.retained(0).map(brief), ['1s@2000 r0 n2']);
});

t.test('timer close of a quiet symbol, then a revision of the timer-closed candle', async (t) => {
  const { book, rec } = newBook();
  book.addTrade(trade(1000, 10, 1, 'buy'));
  book.onTimer(3499);
  t.same(rec.events, [], 'end 2000 + closeDelay 500 + idle 1000 = 3500 > 3499');
  book.onTimer(3500);
  t.same(
    rec.events.map((e) => `${e.kind} ${brief(e.c)}`),
    ['closed 1s@1000 r0 n1'],
  );
  t.equal(book.watermark, 500, 'the timer does not move the watermark');
  t.equal(book.openCandle(0), null);
  t.equal(book.openCandle(1)?.start, 0, 'the 1m candle is not due yet');
  book.onTimer(3500);
  t.equal(rec.events.length, 1, 'a second tick closes nothing new');

  rec.clear();
  t.equal(book.addTrade(trade(1500, 12, 2, 'sell')), TRADE_REVISED);
  t.same(
    rec.events.map((e) => `${e.kind} ${brief(e.c)}`),
    ['closed 1s@1000 r1 n2'],
  );
  t.match(rec.closed()[0], {
    open: 10,
    close: 12,
    high: 12,
    volume: 3,
    sellVolume: 2,
    buyVolume: 1,
    closed: true,
  });
  t.same(book.stats, { trades: 2, late: 0, revisions: 1 });
  t.match(book.openCandle(1), { trades: 2, close: 12, closed: false }, '1m is updated, not emitted');

  rec.clear();
  t.equal(book.addTrade(trade(500, 8, 1)), TRADE_REVISED, 'its range [0, 1000) was closed by the timer');
  t.same(
    rec.events.map((e) => `${e.kind} ${brief(e.c)}`),
    ['closed 1s@0 r0 n1'],
  );
  t.match(book.openCandle(1), { open: 8, low: 8, trades: 3, firstTradeTs: 500 });
  t.same(book.retained(0).map(brief), ['1s@0 r0 n1', '1s@1000 r1 n2']);
  t.equal(book.addTrade(trade(2100, 9, 1)), TRADE_APPLIED, '[2000, 3000) is past the timer bound 2000');
  t.match(book.openCandle(0), { start: 2000, closed: false });
});

t.test('a missing candle inside a watermark-closed range is created closed', async (t) => {
  const { book, rec } = newBook();
  book.addTrade(trade(1000, 10, 1));
  book.addTrade(trade(5000, 11, 1));
  t.same(
    rec.events.map((e) => `${e.kind} ${brief(e.c)}`),
    ['closed 1s@1000 r0 n1', 'final 1s@1000 r0 n1'],
    'W = 4500 closes it and W - lateness = 2500 finalizes it',
  );
  rec.clear();
  t.equal(book.addTrade(trade(3200, 7, 1)), TRADE_REVISED);
  t.same(
    rec.events.map((e) => `${e.kind} ${brief(e.c)}`),
    ['closed 1s@3000 r0 n1'],
  );
  t.equal(book.stats.revisions, 0, 'a created candle is not a revision');
  t.equal(book.addTrade(trade(3300, 6, 2)), TRADE_REVISED);
  t.match(rec.closed()[1], { start: 3000, revision: 1, trades: 2, open: 7, close: 6, low: 6, volume: 3 });
  t.equal(book.addTrade(trade(4600, 5, 1)), TRADE_APPLIED, '[4000, 5000) ends after W = 4500: open');
  t.same(book.retained(0).map(brief), ['1s@3000 r1 n2']);
  t.match(book.openCandle(0), { start: 5000 });
});

t.test('a trade beyond the lateness horizon is counted and changes nothing', async (t) => {
  const { book, rec } = newBook();
  book.addTrade(trade(1000, 10, 1));
  book.addTrade(trade(5000, 11, 1));
  rec.clear();
  const before = [book.openCandle(0), book.openCandle(1), book.retained(0), book.retained(1)];
  t.equal(book.addTrade(trade(2499.5, 99, 5)), TRADE_LATE, '2499.5 < W 4500 - 2000');
  t.same([book.openCandle(0), book.openCandle(1), book.retained(0), book.retained(1)], before);
  t.same(rec.events, []);
  t.same(book.stats, { trades: 3, late: 1, revisions: 0 });
  t.equal(book.addTrade(trade(2500, 9, 1)), TRADE_REVISED, '2500 is exactly at the horizon: still accepted');
  t.same(rec.closed().map(brief), ['1s@2000 r0 n1']);
});

t.test('ties in time: open is the smallest (id, arrival), close the largest', async (t) => {
  const { book, rec } = newBook();
  book.addTrade(trade(1000, 1, 1, 'buy', '10'));
  book.addTrade(trade(1000, 2, 1, 'buy', '9')); // smaller id: the open
  book.addTrade(trade(1000, 3, 1, 'buy', '11'));
  book.addTrade(trade(1000, 4, 1, 'buy', '010')); // equals '10': neither end
  book.addTrade(trade(1000, 5, 1, 'buy', '9')); // equals the open's id, arrives later: not the open
  book.addTrade(trade(1000, 6, 1, 'buy', '11')); // equals the close's id, arrives later: the close
  t.match(book.openCandle(0), { open: 2, close: 6, high: 6, low: 1, trades: 6 });
  t.match(book.openCandle(1), { open: 2, close: 6 });

  // The greatest trade's id is pinned when a new candle starts, then still orders ties.
  book.addTrade(trade(1000, 7, 1, 'buy', '12'));
  book.addTrade(trade(2000, 8, 1, 'buy', '3'));
  book.addTrade(trade(1000, 9, 1, 'buy', '12a')); // non-numeric ids sort after numeric ones
  const flushed: Candle[] = [];
  book.flushOpen((c) => flushed.push(c));
  t.same(
    flushed.map((c) => [c.interval, c.start, c.open, c.close]),
    [
      ['1s', 2000, 8, 8],
      ['1m', 0, 2, 8],
    ],
  );
  book.closeAll();
  t.same(
    rec.finals().map((c) => [brief(c), c.open, c.close]),
    [
      ['1s@1000 r0 n8', 2, 9],
      ['1s@2000 r0 n1', 8, 8],
      ['1m@0 r0 n9', 2, 8],
    ],
  );
});

t.test('ties with ids outside the numeric fast path (long digit strings, letters)', async (t) => {
  const { book, rec } = newBook({ ...SMALL_OPTIONS, allowedLatenessMs: 100_000 });
  book.addTrade(trade(1000, 1, 1, 'buy', '12345678901234567890'));
  book.addTrade(trade(1000, 2, 1, 'buy', '99'));
  book.addTrade(trade(1000, 3, 1, 'buy', '12345678901234567891'));
  book.addTrade(trade(1000, 4, 1, 'buy', 'abc'));
  book.addTrade(trade(1000, 5, 1, 'buy', 'abb'));
  book.addTrade(trade(1000, 6, 1, 'buy', ''));
  t.match(book.openCandle(0), { open: 2, close: 4, trades: 6 }, "'99' < 20-digit ids < '' < 'abb' < 'abc'");
  // The rows holding string ids move when a longer interval gains a row.
  book.addTrade(trade(61_000, 7, 1, 'buy', 'zz'));
  t.equal(book.addTrade(trade(1000, 8, 1, 'buy', 'abd')), TRADE_REVISED, "'abd' > 'abc': the new close");
  book.closeAll();
  t.same(
    rec.finals().map((c) => [brief(c), c.open, c.close]),
    [
      ['1s@1000 r1 n7', 2, 8],
      ['1m@0 r1 n7', 2, 8],
      ['1s@61000 r0 n1', 7, 7],
      ['1m@60000 r0 n1', 7, 7],
    ],
  );
});

t.test('zero-size trades count, move prices, and leave vwap = close when volume is 0', async (t) => {
  const a = newBook();
  a.book.addTrade(trade(1000, 10, 0));
  a.book.addTrade(trade(1100, 12, 0, 'sell'));
  t.match(a.book.openCandle(0), {
    open: 10,
    high: 12,
    close: 12,
    volume: 0,
    notional: 0,
    vwap: 12,
    trades: 2,
    buyVolume: 0,
    sellVolume: 0,
  });
  const b = newBook();
  b.book.addTrade(trade(1000, 10, 0));
  b.book.addTrade(trade(1100, 20, 1));
  t.match(b.book.openCandle(0), { open: 10, close: 20, volume: 1, notional: 20, vwap: 20, trades: 2 });
});

t.test("side 'unknown' counts in volume but in neither buy nor sell volume", async (t) => {
  const { book } = newBook();
  book.addTrade(trade(1000, 10, 1, 'buy'));
  book.addTrade(trade(1001, 10, 2, 'sell'));
  book.addTrade(trade(1002, 10, 4, 'unknown'));
  t.match(book.openCandle(0), { volume: 7, buyVolume: 1, sellVolume: 2, notional: 70, vwap: 10 });
});

t.test('onFinal: once per candle, in start order per interval, after its close', async (t) => {
  const { book, rec } = newBook(DEFAULT_CANDLE_OPTIONS);
  let n = 0;
  for (let ts = 0; ts <= 130_000; ts += 250) {
    book.addTrade(trade(ts, 100 + (n % 7), 1));
    n++;
  }
  book.closeAll();
  const finals = rec.finals();
  t.equal(n, 521);
  t.equal(finals.length, 131 + 3 + 4, '131 1s candles, 3 1m, one each of 5m, 15m, 1h, 1d');
  const seen = new Set<string>();
  const lastStart = new Map<string, number>();
  for (const [k, e] of rec.events.entries()) {
    const key = `${e.c.interval}@${e.c.start}`;
    if (e.kind === 'closed') continue;
    t.notOk(seen.has(key), `${key} finalized once`);
    seen.add(key);
    t.ok((lastStart.get(e.c.interval) ?? -1) < e.c.start, `${key} in start order`);
    lastStart.set(e.c.interval, e.c.start);
    const closedAt = rec.events.findIndex(
      (x) => x.kind === 'closed' && x.c.interval === e.c.interval && x.c.start === e.c.start,
    );
    t.ok(closedAt >= 0 && closedAt < k, `${key} closed before final`);
  }
  for (const iv of DEFAULT_CANDLE_OPTIONS.intervals) {
    let sum = 0;
    for (const c of finals) if (c.interval === iv) sum += c.trades;
    t.equal(sum, 521, `${iv} candles hold every trade once`);
  }
});

t.test(
  'closeAll closes, then finalizes, in (end, interval) order; later trades before its horizon are late',
  async (t) => {
    const { book, rec } = newBook();
    book.addTrade(trade(1000, 10, 1));
    book.addTrade(trade(1500, 11, 1));
    book.addTrade(trade(61_000, 12, 1));
    t.same(
      rec.events.map((e) => `${e.kind} ${brief(e.c)}`),
      ['closed 1s@1000 r0 n2', 'closed 1m@0 r0 n2', 'final 1s@1000 r0 n2'],
    );
    rec.clear();
    book.closeAll();
    t.same(
      rec.events.map((e) => `${e.kind} ${brief(e.c)}`),
      [
        'closed 1s@61000 r0 n1',
        'closed 1m@60000 r0 n1',
        'final 1m@0 r0 n2',
        'final 1s@61000 r0 n1',
        'final 1m@60000 r0 n1',
      ],
    );
    t.equal(book.openCandle(0), null);
    t.same([book.retained(0), book.retained(1)], [[], []]);
    const flushed: Candle[] = [];
    book.flushOpen((c) => flushed.push(c));
    t.same(flushed, []);
    t.equal(book.addTrade(trade(119_999, 1, 1)), TRADE_LATE, 'its 1m candle [60000, 120000) is final');
    t.equal(book.addTrade(trade(120_000, 1, 1)), TRADE_APPLIED);
    t.match(book.openCandle(1), { start: 120_000, trades: 1 });
  },
);

t.test('flushOpen: the latest changed open candle per interval, shortest first, once', async (t) => {
  const { book } = newBook();
  const out: string[] = [];
  const flush = () => {
    book.flushOpen((c) => out.push(`${c.interval}@${c.start} n${c.trades} ${c.closed}`));
    return out.splice(0);
  };
  t.same(flush(), []);
  book.addTrade(trade(1000, 10, 1));
  book.addTrade(trade(1100, 10, 1));
  t.same(flush(), ['1s@1000 n2 false', '1m@0 n2 false']);
  t.same(flush(), [], 'nothing changed since');
  book.addTrade(trade(2100, 10, 1));
  book.addTrade(trade(1200, 10, 1)); // back into the older, still open 1s candle
  t.same(flush(), ['1s@2000 n1 false', '1m@0 n4 false'], 'the latest changed one per interval');
  book.addTrade(trade(1300, 10, 1));
  t.same(flush(), ['1s@1000 n4 false', '1m@0 n5 false'], 'only the older one changed');
  book.addTrade(trade(2600, 10, 1)); // W = 2100 closes 1s@1000
  book.addTrade(trade(1400, 10, 1)); // revises it
  t.same(flush(), ['1s@2000 n2 false', '1m@0 n7 false']);
});

t.test('retained candles can be read from inside the listener', async (t) => {
  const seen: string[] = [];
  const listener = {
    onClosed: (c: Candle) => {
      seen.push(`closed ${c.start}: ${book.retained(0).map((r) => r.start)}`);
    },
    onFinal: (c: Candle) => {
      seen.push(`final ${c.start}: ${book.retained(0).map((r) => r.start)}`);
    },
  };
  const book: CandleBook = new CandleBook('sim', 'TEST', { ...SMALL_OPTIONS, intervals: ['1s'] }, listener);
  book.addTrade(trade(1000, 1, 1));
  book.addTrade(trade(2000, 1, 1));
  book.addTrade(trade(6000, 1, 1));
  t.same(seen, ['closed 1000: 1000', 'closed 2000: 1000,2000', 'final 1000: 2000', 'final 2000: ']);
});

t.test('many open candles per interval: the packed rows grow and shrink', async (t) => {
  const opts = {
    intervals: ['1s', '5s'] as const,
    closeDelayMs: 20_000,
    allowedLatenessMs: 0,
    idleCloseMs: 0,
  };
  const { book, rec } = newBook({ ...opts, intervals: [...opts.intervals] });
  for (let s = 0; s < 20; s++) book.addTrade(trade(s * 1000 + 1, s, 1, 'buy', `id${s}`));
  t.equal(rec.events.length, 0);
  t.equal(book.openCandle(0)?.start, 19_000);
  // Fill the older ones out of order.
  for (let s = 19; s >= 0; s--) book.addTrade(trade(s * 1000 + 2, 100 + s, 1, 'sell', `x${s}`));
  const cap = (book as unknown as { f: number[] }).f.length;
  book.addTrade(trade(100_000, 0, 1));
  t.equal(rec.closed().length, 20 + 4);
  t.same(
    rec
      .finals()
      .slice(0, 3)
      .map((c) => [brief(c), c.open, c.close, c.volume]),
    [
      ['1s@0 r0 n2', 0, 100, 2],
      ['1s@1000 r0 n2', 1, 101, 2],
      ['1s@2000 r0 n2', 2, 102, 2],
    ],
  );
  const after = (book as unknown as { f: number[] }).f.length;
  t.ok(after < cap / 4, `capacity given back after the burst: ${cap} -> ${after} slots`);
  book.closeAll();
  t.equal(rec.finals().length, 21 + 5);
});

t.test(
  'steady state: rows close and reopen every second without reallocating the packed array',
  async (t) => {
    const { book, rec } = newBook(DEFAULT_CANDLE_OPTIONS);
    const state = () => (book as unknown as { f: number[] }).f;
    // From 10 s into an hour; warm up past the 5m boundary, the busiest shape before the 15m one.
    const start = 1_699_999_200_000 + 10_000;
    for (let j = 0; j < 1200; j++)
      book.addTrade(trade(start + (j + 1) * 250, 100 + (j % 5), 0.1, 'buy', String(j)));
    const f = state();
    const length = f.length;
    rec.clear();
    // Up to 585 s: four more minute boundaries, 275 seconds.
    for (let j = 1200; j < 2300; j++)
      book.addTrade(trade(start + (j + 1) * 250, 100 + (j % 5), 0.1, 'sell', String(j)));
    t.equal(state(), f, 'the same array object');
    t.equal(state().length, length, 'the same capacity');
    t.equal(rec.finals().length, 275 + 4, 'while 275 1s and four 1m candles were finalized');
  },
);

t.test('options are validated by the constructor', async (t) => {
  t.throws(() => newBook({ ...SMALL_OPTIONS, closeDelayMs: -1 }), {
    code: 'TF_ERR_BAD_CANDLE_OPTIONS',
    message: 'candles.closeDelayMs must be a finite number >= 0, got -1',
  });
});
