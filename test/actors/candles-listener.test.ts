import t from 'tap';
import type { CandleListener } from '../../actors/candles.js';
import { CandleBook } from '../../actors/candles.js';
import type { Candle } from '../../schemas/records.js';
import { newBook, SMALL_OPTIONS, trade } from './candles-harness.js';

/** Records (kind, interval index, start) per call; finals only for the intervals it asks for. */
class Indexed implements CandleListener {
  readonly calls: string[] = [];
  constructor(private readonly finalsOf: readonly number[]) {}
  onClosed(c: Candle, i: number): void {
    this.calls.push(`closed ${i} ${c.interval}@${c.start}`);
  }
  onFinal(c: Candle, i: number): void {
    this.calls.push(`final ${i} ${c.interval}@${c.start}`);
  }
  needsFinal(i: number): boolean {
    return this.finalsOf.includes(i);
  }
  onOpen(c: Candle, i: number): void {
    this.calls.push(`open ${i} ${c.interval}@${c.start} n${c.trades}`);
  }
}

t.test(
  'listeners get the interval index; needsFinal false skips those finals but still drops them',
  async (t) => {
    const l = new Indexed([1]);
    const book = new CandleBook('sim', 'TEST', SMALL_OPTIONS, l);
    book.addTrade(trade(1000, 10, 1));
    book.addTrade(trade(2100, 11, 1));
    book.addTrade(trade(61_000, 12, 1));
    t.same(l.calls, [
      'closed 0 1s@1000',
      'closed 0 1s@2000',
      'closed 1 1m@0',
      // 1s@1000 and 1s@2000 became final too, but interval 0 finals are not wanted.
    ]);
    book.closeAll();
    t.same(l.calls.slice(3), ['closed 0 1s@61000', 'closed 1 1m@60000', 'final 1 1m@0', 'final 1 1m@60000']);
    t.same(
      [book.retainedCount(0), book.retainedCount(1)],
      [0, 0],
      'skipped finals left the book all the same',
    );
  },
);

t.test('flushOpen() without a callback hands open candles to the listener onOpen', async (t) => {
  const l = new Indexed([]);
  const book = new CandleBook('sim', 'TEST', SMALL_OPTIONS, l);
  book.addTrade(trade(1000, 10, 1));
  book.addTrade(trade(1500, 10, 2));
  book.flushOpen();
  t.same(l.calls, ['open 0 1s@1000 n2', 'open 1 1m@0 n2']);
  book.flushOpen();
  t.equal(l.calls.length, 2, 'nothing changed since: nothing flushed');
});

t.test('retainedCount and fillRetained read the same candles as retained(), into one object', async (t) => {
  const { book } = newBook();
  book.addTrade(trade(1000, 10, 1, 'buy'));
  book.addTrade(trade(1200, 12, 0.25, 'sell'));
  book.addTrade(trade(2000, 9, 3, 'unknown'));
  book.addTrade(trade(3600, 11, 1, 'buy'));
  // Watermark 3100: 1s@1000 and 1s@2000 are closed and still revisable (lateness 2 s).
  t.equal(book.retainedCount(0), 2);
  t.equal(book.retainedCount(1), 0);
  t.equal(book.retainedCount(7), 0, 'an unknown interval index has none');
  const into = { ...book.retained(0)[0]!, close: -1 };
  const expected = book.retained(0);
  for (let k = 0; k < 2; k++) {
    const got = book.fillRetained(0, k, into);
    t.equal(got, into, 'the same object is returned');
    t.strictSame({ ...got }, expected[k]);
  }
  t.equal(into.start, 2000);
  t.equal(into.notional, 27);
  t.equal(into.volume, 3);
  t.throws(() => book.fillRetained(0, 2, into), RangeError);
  t.throws(() => book.fillRetained(1, 0, into), RangeError);
});

t.test('a book holds no candle rows until its first trade, then one per interval', async (t) => {
  const { book } = newBook();
  const slots = () => (book as unknown as { f: number[] }).f.length;
  const empty = slots();
  book.addTrade(trade(1000, 10, 1));
  // Two intervals, 21 slots a row (layout.ts).
  t.equal(slots() - empty, 2 * 21);
});
