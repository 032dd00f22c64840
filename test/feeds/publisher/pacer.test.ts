import t from 'tap';
import { Pacer, type PacerClock } from '../../../feeds/publisher/index.js';

/** A clock that moves only when the pacer sleeps, each sleep overshooting like a real timer. */
class FakeClock implements PacerClock {
  t = 1000;
  sleeps: number[] = [];
  constructor(private readonly overshootMs: number) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms + this.overshootMs;
    return Promise.resolve();
  }
}

async function runFor(pacer: Pacer, clock: FakeClock, ms: number): Promise<number> {
  const end = clock.t + ms;
  let n = 0;
  while (clock.t < end) {
    const w = pacer.take();
    if (w !== undefined) await w;
    n++;
  }
  return n;
}

t.test('holds the target rate within 10% over 2 s of injected time', async (t) => {
  for (const [rate, overshoot] of [
    [5000, 0],
    [5000, 0.4],
    [200, 1.3],
    [100_000, 0.2],
  ] as const) {
    const clock = new FakeClock(overshoot);
    const pacer = new Pacer(rate, { clock });
    const n = await runFor(pacer, clock, 2000);
    const expected = 2 * rate;
    t.ok(
      Math.abs(n - expected) <= expected * 0.1,
      `rate ${rate}, overshoot ${overshoot} ms: ${n} of ${expected}`,
    );
  }
});

t.test('sleeps in whole-millisecond batches, never once per record', async (t) => {
  const clock = new FakeClock(0.1);
  const pacer = new Pacer(50_000, { clock });
  const n = await runFor(pacer, clock, 2000);
  t.ok(n >= 90_000, `${n} records`);
  t.ok(clock.sleeps.length <= 2000, `${clock.sleeps.length} sleeps for ${n} records`);
  t.ok(
    clock.sleeps.every((ms) => Number.isInteger(ms) && ms >= 1),
    'every sleep is at least 1 ms and whole',
  );
});

t.test('a slow rate sleeps the gap between records', async (t) => {
  const clock = new FakeClock(0);
  const pacer = new Pacer(100, { clock });
  t.type(pacer.take(), Promise, 'the bucket starts empty');
  t.same(clock.sleeps, [10], '1 token at 100/s is 10 ms');
});

t.test('after a stall the burst is capped at burstMs worth of tokens', async (t) => {
  const clock = new FakeClock(0);
  const pacer = new Pacer(1000, { clock, burstMs: 20 });
  clock.t += 10_000;
  let free = 0;
  while (pacer.take() === undefined) free++;
  t.equal(free, 20, '20 ms of tokens at 1000/s, then it waits');
});

t.test('rate 0 never waits', async (t) => {
  const clock = new FakeClock(0);
  const pacer = new Pacer(0, { clock });
  for (let i = 0; i < 100_000; i++) if (pacer.take() !== undefined) t.fail('waited');
  t.equal(clock.sleeps.length, 0);
});

t.test('a bad rate is refused with a sentence', async (t) => {
  t.throws(() => new Pacer(-1), {
    code: 'TF_ERR_FEED_OPTION',
    message: 'the pacer rate must be a finite number >= 0, got -1',
  });
  t.throws(() => new Pacer(10, { burstMs: 0 }), { code: 'TF_ERR_FEED_OPTION' });
});
