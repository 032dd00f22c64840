import fc from 'fast-check';
import t from 'tap';
import { limbCarry } from '../../actors/candles/exact-sum.js';
import { CandleBook, LIMB, readLimbs, splitLimbs, UNIT } from '../../actors/candles.js';
import { newBook, Recorder, readUnits, trade, unitsOf } from './candles-harness.js';

/** Sum of addends through the limb scheme, in the given order. */
function limbSum(xs: readonly number[]): number {
  let l0 = 0;
  let l1 = 0;
  let l2 = 0;
  for (const x of xs) {
    const [a, b, c] = splitLimbs(x);
    l0 += a;
    l1 += b;
    l2 += c;
  }
  return readLimbs(l0, l1, l2);
}

/** The correctly rounded exact sum, computed with BigInt. */
function exactSum(xs: readonly number[]): number {
  let n = 0n;
  for (const x of xs) n += unitsOf(x);
  return readUnits(n);
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

t.test('resolution is 2^-64: doubles of magnitude >= 2^-12 read back bit-identical', async (t) => {
  t.equal(LIMB, 2 ** 40);
  t.equal(UNIT, 2 ** -64);
  for (const x of [
    0.1,
    0.3,
    1e-3,
    123_456.789,
    0.5,
    2 ** -12,
    3 * 2 ** -13,
    65_536.1,
    2 ** 60 + 2 ** 8,
    1e15 + 0.125,
  ]) {
    t.ok(Object.is(limbSum([x]), x), `${x}`);
    t.ok(Object.is(limbSum([-x]), -x), `${-x}`);
  }
  t.equal(limbSum([0.1]), 0.1, 'was 0.10000000009313226 at 2^-32');
  // 0.1 = 0x1.999999999999ap-4: its last bit weighs 2^-56, so it is a whole number of 2^-64 units.
  t.same(splitLimbs(0.1), [Number(unitsOf(0.1) % 2n ** 40n), Math.floor(0.1 * 2 ** 24), 0]);
  t.same(
    splitLimbs(-70_000.5),
    [0, -4464.5 * 2 ** 24, -1],
    '-70000.5 = -1 * 2^16 - 4464.5: limbs share the sign',
  );
});

t.test('addends below 2^-12 round to the 2^-64 grid (at most 2^-65 off)', async (t) => {
  t.equal(limbSum([2 ** -70]), 0, 'below half a unit rounds to 0');
  t.equal(limbSum([2 ** -65]), 2 ** -64, 'half a unit rounds up');
  t.equal(limbSum([-(2 ** -65)]), 0, 'ties round toward +inf');
  t.equal(limbSum([3 * 2 ** -66]), 2 ** -64);
  const x = 1e-10; // last bit weighs 2^-86
  t.ok(Math.abs(limbSum([x]) - x) <= 2 ** -65);
  t.equal(limbSum([x]), Math.round(x * 2 ** 64) * 2 ** -64);
  t.equal(limbSum([1, 1e-10]), 1 + Math.round(1e-10 * 2 ** 64) * 2 ** -64);
});

t.test('signed values: the sum reads correctly whatever the signs', async (t) => {
  t.equal(limbSum([-1.25, 0.25, 1]), 0);
  t.ok(Object.is(limbSum([-0, 0, -0]), 0), 'a sum of zeros reads +0');
  t.ok(Object.is(limbSum([0.1, -0.1]), 0));
  t.equal(limbSum([-1e9, 1e-9]), exactSum([-1e9, 1e-9]));
  t.equal(limbSum([-1e9, 1e-9]), -1e9 + 1e-9, 'a single rounding of the two exact values');
  t.equal(limbSum([-(2 ** 40), 2 ** -64]), -(2 ** 40), 'a borrow through all limbs');
  t.equal(limbSum([-3, 0.1, 0.2]), exactSum([-3, 0.1, 0.2]));
  t.equal(limbSum([-3, 0.1, 0.2]), -2.7, 'the double nearest to -3 + 0.1 + 0.2 (exact values)');
});

t.test('unnormalized limbs read the same as normalized ones', async (t) => {
  t.equal(readLimbs(3 * LIMB + 5, 7, 2), 2 * 65_536 + (7 + 3) * 2 ** -24 + 5 * 2 ** -64);
  t.equal(limbCarry(3 * LIMB + 5), 3);
  t.equal(limbCarry(-5), -1, 'floor: the limb left behind is in [0, 2^40)');
  t.equal(readLimbs(2 ** 52, 0, 0), 2 ** -12);
  t.equal(readLimbs(0, 2 ** 52, 0), 2 ** 28);
  t.equal(readLimbs(-1, 0, 1), 65_536, '2^16 - 2^-64 rounds to the nearest double, 2^16');
  t.equal(readLimbs(-1, 0, 0), -(2 ** -64));
});

t.test('reads are correctly rounded, including ties and sticky low limbs above 2^29', async (t) => {
  // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: to even.
  t.equal(limbSum([2 ** 53, 1]), 2 ** 53);
  t.equal(limbSum([2 ** 53, 1, 2 ** -64]), 2 ** 53 + 2, 'a low-limb unit breaks the tie upward');
  t.equal(limbSum([2 ** 53, 3]), 2 ** 53 + 4, 'tie to even, upward');
  t.equal(limbSum([2 ** 53, 3, -(2 ** -64)]), 2 ** 53 + 2, 'a unit below the tie rounds down');
  t.equal(limbSum([2 ** 28, 2 ** -23]), 2 ** 28 + 2 ** -23, 'exact when it fits');
  t.equal(limbSum([2 ** 28, 2 ** -23, 2 ** -60]), 2 ** 28 + 2 ** -23, 'a low unit far below half an ulp');
  t.equal(limbSum([2 ** 30, 2 ** -24]), 2 ** 30, 'a quarter ulp at 2^30 (ulp 2^-22): down');
  t.equal(limbSum([2 ** 30, 2 ** -23]), 2 ** 30, 'half an ulp: to even (down)');
  t.equal(limbSum([2 ** 30, 2 ** -23, 2 ** -64]), 2 ** 30 + 2 ** -22, 'just above half: up');
  t.equal(limbSum([2 ** 30 + 2 ** -22, 2 ** -23]), 2 ** 30 + 2 ** -21, 'half an ulp above an odd one: up');
  t.equal(limbSum([2 ** 29 - 2 ** -24, 2 ** -25]), exactSum([2 ** 29 - 2 ** -24, 2 ** -25]));
});

t.test('sums of random decimal-looking sizes equal the correctly rounded exact sum (BigInt)', async (t) => {
  const decimal = fc
    .tuple(
      fc.integer({ min: 1, max: 2_000_000_000 }),
      fc.constantFrom(1e-2, 1e-3, 1e-5, 1e-6, 1e-8, 0.1, 1, 1e3),
    )
    .map(([k, scale]) => k * scale);
  fc.assert(
    fc.property(fc.array(decimal, { minLength: 1, maxLength: 60 }), fc.boolean(), (xs, negate) => {
      const ys = negate ? xs.map((x, j) => (j % 3 === 0 ? -x : x)) : xs;
      const got = limbSum(ys);
      const want = exactSum(ys);
      if (!Object.is(got, want)) throw new Error(`${ys.join(' + ')}: ${got}, expected ${want}`);
      return Object.is(limbSum(ys.slice().reverse()), want);
    }),
    { numRuns: 500 },
  );
  t.pass('every sum is the correctly rounded exact sum, in either order');
});

t.test('sums near the top of the range stay exact', async (t) => {
  const big = [2 ** 66, 2 ** 66 - 2 ** 14, 0.1, 2 ** 65 + 0.5, 1e-3];
  t.equal(limbSum(big), exactSum(big));
  t.equal(limbSum(big), 2 ** 67 + 2 ** 65 - 2 ** 14);
  const k = 4096;
  const xs = new Array<number>(k).fill(2 ** 55 + 8);
  // 4096 addends of 2^55 + 8 without normalizing: the high limb reaches 2^51, still exact.
  t.equal(limbSum(xs), (2 ** 55 + 8) * k);
  t.equal(limbSum([2 ** 53 - 1, 2 ** 53 - 1, 0.75]), 2 ** 54 - 2, '2^54 - 1.25: nearer 2^54 - 2 than 2^54');
});

t.test('the sum does not depend on the order of the addends; plain += does', async (t) => {
  const xs = [0.1, 0.2, 0.3, 1e6 + 0.7, 123.456, 1e-7];
  const plain = new Set<number>();
  const exact = new Set<number>();
  for (const p of permutations(xs)) {
    let s = 0;
    for (const x of p) s += x;
    plain.add(s);
    exact.add(limbSum(p));
  }
  t.ok(plain.size > 1, `plain summation gives ${plain.size} different results over the 720 orders`);
  t.equal(exact.size, 1);
  t.equal([...exact][0], exactSum(xs));
});

t.test('single trades read back identically: volume = size, notional = price * size', async (t) => {
  for (const [price, size] of [
    [101.1, 0.1],
    [99.7, 0.3],
    [0.5, 1e-3],
    [3.3, 123_456.789],
    [65_432.1, 7],
  ] as const) {
    const { book } = newBook();
    book.addTrade(trade(1000, price, size, 'sell'));
    const c = book.openCandle(0)!;
    t.equal(c.volume, size, `volume of ${size}`);
    t.equal(c.sellVolume, size);
    t.equal(c.notional, price * size, `notional of ${price} * ${size}`);
  }
  const { book } = newBook();
  book.addTrade(trade(1000, 0.00012345, 1e-3));
  const tiny = 0.00012345 * 1e-3;
  t.ok(Math.abs(book.openCandle(0)!.notional - tiny) <= 2 ** -65, 'a notional below 2^-12 is within 2^-65');
});

t.test('candle volume and notional are identical for every order of the same trades', async (t) => {
  const sizes = [0.1, 0.2, 0.3, 0.7000000000000001, 1e-7, 3.3333333333333335];
  const prices = [101.1, 99.7, 100.3, 100.9, 98.2, 100];
  const seen = new Set<string>();
  for (const order of permutations([0, 1, 2, 3, 4, 5])) {
    const { book } = newBook();
    for (const j of order)
      book.addTrade(trade(1000 + j, prices[j]!, sizes[j]!, j % 2 ? 'sell' : 'buy', String(j)));
    const c = book.openCandle(0)!;
    seen.add(JSON.stringify([c.volume, c.notional, c.vwap, c.buyVolume, c.sellVolume, c.open, c.close]));
  }
  t.equal(seen.size, 1);
  const [volume, notional] = JSON.parse([...seen][0]!) as number[];
  t.equal(volume, exactSum(sizes));
  t.equal(notional, exactSum(sizes.map((s, j) => prices[j]! * s)));
});

t.test('a candle with many more trades than the normalization period stays exact', async (t) => {
  const rec = new Recorder();
  const book = new CandleBook(
    'sim',
    'X',
    { intervals: ['1d'], closeDelayMs: 0, allowedLatenessMs: 0, idleCloseMs: 0 },
    rec,
  );
  const n = 1_100_000;
  for (let i = 0; i < n; i++) book.addTrade(trade(1000 + i / 100, 3.5, 0.1, 'sell', String(i)));
  book.addTrade(trade(20_000, 3.5, 0.3, 'buy', 'last'));
  const c = book.openCandle(0)!;
  t.equal(c.trades, n + 1);
  t.equal(c.sellVolume, readUnits(unitsOf(0.1) * BigInt(n)));
  t.equal(c.buyVolume, 0.3);
  t.equal(c.volume, readUnits(unitsOf(0.1) * BigInt(n) + unitsOf(0.3)));
  t.equal(c.notional, readUnits(unitsOf(3.5 * 0.1) * BigInt(n) + unitsOf(3.5 * 0.3)));
  let plain = 0;
  for (let i = 0; i < n; i++) plain += 0.1;
  t.not(c.sellVolume, plain, `plain += drifts to ${plain}; the exact sum reads ${c.sellVolume}`);
});
