import t from 'tap';
import { Backoff } from '../../../feeds/connectors/index.js';

t.test('full jitter: a uniform draw below a ceiling that doubles up to maxMs', async (t) => {
  const top = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999 });
  // ceilings 100, 200, 400, 800, 1000, 1000 times 0.999, floored
  t.same(
    [top.next(), top.next(), top.next(), top.next(), top.next(), top.next()],
    [99, 199, 399, 799, 999, 999],
  );
  t.equal(top.attempts, 6);
  const half = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.5 });
  t.same([half.next(), half.next(), half.next()], [50, 100, 200]);
  half.reset();
  t.equal(half.attempts, 0);
  t.equal(half.next(), 50, 'reset starts from the base again');
  const zero = new Backoff({ random: () => 0 });
  t.equal(zero.next(), 0, 'full jitter may retry at once');
});

t.test('very many attempts stay at the cap', async (t) => {
  const b = new Backoff({ baseMs: 1, maxMs: 30_000, random: () => 0.5 });
  let last = 0;
  for (let i = 0; i < 2000; i++) last = b.next();
  t.equal(last, 15_000);
});

t.test('options are validated', async (t) => {
  t.throws(() => new Backoff({ baseMs: 0 }), {
    code: 'TF_ERR_CONNECTOR_OPTION',
    message: 'options.baseMs must be a number > 0, got 0',
  });
  t.throws(() => new Backoff({ baseMs: 500, maxMs: 100 }), {
    message: 'options.maxMs must be a number >= baseMs (500), got 100',
  });
});
