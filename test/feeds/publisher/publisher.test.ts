import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { type PublishAck, Publisher, type PublishTarget } from '../../../feeds/publisher/index.js';
import { decodePayload, type ReasonCode, type Trade } from '../../../schemas/index.js';

const NOW = Date.UTC(2026, 0, 5, 12);

function trade(symbol: string, seq: number): Trade {
  return {
    v: 1,
    type: 'trade',
    venue: 'sim',
    symbol,
    price: 100 + seq,
    size: 1,
    side: 'sell',
    id: String(seq),
    ts: NOW,
    recvTs: NOW,
    seq,
  };
}

interface Call {
  subject: string;
  payload: Uint8Array;
  msgID: string;
  resolve: (ack: PublishAck) => void;
  reject: (err: unknown) => void;
}

/** A JetStream stand-in whose acks the test settles by hand. */
class FakeTarget implements PublishTarget {
  readonly calls: Call[] = [];
  outstanding = 0;
  maxOutstanding = 0;

  publish(subject: string, payload: Uint8Array, options: { msgID: string }): Promise<PublishAck> {
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    return new Promise((resolve, reject) => {
      this.calls.push({
        subject,
        payload,
        msgID: options.msgID,
        resolve: (a) => {
          this.outstanding--;
          resolve(a);
        },
        reject: (e) => {
          this.outstanding--;
          reject(e);
        },
      });
    });
  }

  ack(i: number, duplicate = false): void {
    this.calls[i]!.resolve({ stream: 'MD_TRADES', seq: i + 1, duplicate });
  }
}

/** A target that fails the first `failures` attempts of every message id with `err`. */
class FlakyTarget implements PublishTarget {
  readonly attempts = new Map<string, number>();
  constructor(
    private readonly failures: number,
    private readonly err: unknown,
  ) {}

  async publish(_subject: string, _payload: Uint8Array, options: { msgID: string }): Promise<PublishAck> {
    const n = (this.attempts.get(options.msgID) ?? 0) + 1;
    this.attempts.set(options.msgID, n);
    if (n <= this.failures) throw this.err;
    return { stream: 'MD_TRADES', seq: n, duplicate: false };
  }
}

const clock = { now: () => NOW };
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('bad records are counted by reason, reported and never sent', async (t) => {
  const target = new FakeTarget();
  const seen: Array<[unknown, ReasonCode]> = [];
  const p = new Publisher(target, {
    partitions: 4,
    frameMaxRecords: 1,
    clock,
    onReject: (r, reason) => seen.push([r, reason]),
  });
  const bad = { ...trade('X', 1), price: -1 };
  const future = { ...trade('X', 2), ts: NOW + 2 * 86_400_000 };
  t.equal(p.publish(bad), undefined);
  t.equal(p.publish(future), undefined);
  p.publish({ ...trade('X', 3), type: 'candle' } as unknown as Trade);
  p.publish(trade('X', 4));
  t.same(
    seen.map((x) => x[1]),
    ['bad_price', 'bad_timestamp', 'bad_type'],
  );
  t.equal(seen[0]![0], bad);
  const s = p.stats();
  t.equal(s.rejected, 3);
  t.same(s.rejectedByReason, { bad_price: 1, bad_timestamp: 1, bad_type: 1 });
  t.equal(s.records, 1);
  t.equal(target.calls.length, 1, 'only the good record went out');
  t.equal(target.calls[0]!.msgID, 'tf:sim:X:trade:4-4');
  t.equal(target.calls[0]!.subject.startsWith('md.trade.sim.X.'), true);
  target.ack(0);
  await p.close();
});

t.test('publish returns a promise only at maxInFlight, and the bound holds', async (t) => {
  const target = new FakeTarget();
  const p = new Publisher(target, { partitions: 1, frameMaxRecords: 1, maxInFlight: 2, clock });
  t.equal(p.publish(trade('A', 1)), undefined);
  const w1 = p.publish(trade('A', 2));
  t.type(w1, Promise, 'the second send fills the window');
  let released = false;
  void w1!.then(() => {
    released = true;
  });
  // A caller that ignores the promise still gets nothing past the bound on the wire.
  const w2 = p.publish(trade('A', 3));
  t.equal(w2, w1, 'callers blocked at once share one promise');
  t.equal(target.calls.length, 2);
  t.same([p.stats().inFlight, p.stats().queued], [2, 1]);
  target.ack(0);
  await tick();
  t.equal(target.calls.length, 3, 'the queued message takes the freed slot');
  t.equal(released, false, 'still at the bound: the caller keeps waiting');
  target.ack(1);
  await tick();
  t.equal(released, true);
  target.ack(2);
  await tick();
  t.equal(p.publish(trade('A', 4)), undefined, 'room again: one slot stays free after this send');
  t.equal(target.maxOutstanding, 2);
  target.ack(3);
  await p.flush();
  const s = p.stats();
  t.same([s.acked, s.ackedRecords, s.inFlight, s.queued], [4, 4, 0, 0]);
  t.same(
    target.calls.map((c) => c.msgID),
    ['tf:sim:A:trade:1-1', 'tf:sim:A:trade:2-2', 'tf:sim:A:trade:3-3', 'tf:sim:A:trade:4-4'],
  );
});

t.test('a failed publish is retried with the same message id, then acked', async (t) => {
  const target = new FlakyTarget(2, Object.assign(new Error('TIMEOUT'), { name: 'TimeoutError' }));
  const p = new Publisher(target, {
    partitions: 2,
    frameMaxRecords: 1,
    retryBaseMs: 1,
    retryMaxMs: 4,
    clock,
  });
  p.publish(trade('A', 1));
  await p.flush();
  t.same([...target.attempts], [['tf:sim:A:trade:1-1', 3]]);
  const s = p.stats();
  t.same([s.errors, s.retries, s.acked, s.failed, s.inFlight], [2, 2, 1, 0, 0]);
  t.equal(s.lastError, 'TIMEOUT');
});

t.test('a frame is given up after maxRetries, and at once on a stream refusal', async (t) => {
  const errors: Array<{ code: string; msgId: string }> = [];
  const onError = (e: unknown, f: { msgId: string }): void => {
    errors.push({ code: (e as { code: string }).code, msgId: f.msgId });
  };
  const flaky = new FlakyTarget(100, new Error('no responders'));
  const p = new Publisher(flaky, {
    partitions: 1,
    frameMaxRecords: 1,
    maxRetries: 3,
    retryBaseMs: 1,
    clock,
    onError,
  });
  p.publish(trade('A', 1));
  await p.flush();
  t.equal(flaky.attempts.get('tf:sim:A:trade:1-1'), 4, 'one attempt and three retries');
  t.same([p.stats().failed, p.stats().failedRecords, p.stats().errors], [1, 1, 4]);

  const refusal = Object.assign(new Error('message size exceeds maximum allowed'), {
    name: 'JetStreamApiError',
    status: 400,
    code: 10054,
  });
  const refusing = new FlakyTarget(100, refusal);
  const q = new Publisher(refusing, { partitions: 1, frameMaxRecords: 1, retryBaseMs: 1, clock, onError });
  q.publish(trade('B', 9));
  await q.flush();
  t.equal(refusing.attempts.get('tf:sim:B:trade:9-9'), 1, 'a 4xx refusal is not retried');
  t.same(errors, [
    { code: 'TF_ERR_FEED_PUBLISH_FAILED', msgId: 'tf:sim:A:trade:1-1' },
    { code: 'TF_ERR_FEED_PUBLISH_FAILED', msgId: 'tf:sim:B:trade:9-9' },
  ]);
});

t.test('duplicates reported by the stream are counted', async (t) => {
  const target = new FakeTarget();
  const p = new Publisher(target, { partitions: 1, frameMaxRecords: 2, clock });
  for (let i = 1; i <= 4; i++) p.publish(trade('A', i));
  target.ack(0, true);
  target.ack(1, false);
  await p.flush();
  const s = p.stats();
  t.same([s.frames, s.acked, s.duplicates, s.ackedRecords], [2, 2, 1, 4]);
});

t.test('an open frame is sent by its deadline without further records', async (t) => {
  const target = new FakeTarget();
  const p = new Publisher(target, { partitions: 1, frameMaxRecords: 64, frameMaxDelayMs: 5 });
  const now = Date.now();
  p.publish({ ...trade('A', 1), ts: now, recvTs: now });
  p.publish({ ...trade('A', 2), ts: now, recvTs: now });
  t.equal(target.calls.length, 0);
  t.equal(p.stats().openFrames, 1);
  await sleep(30);
  t.equal(target.calls.length, 1, 'the timer sent the frame');
  const d = decodePayload(target.calls[0]!.payload);
  t.same(d.ok ? (d.records as Trade[]).map((r) => r.seq) : d, [1, 2]);
  target.ack(0);
  await p.close();
});

t.test('flush sends open frames and waits for every ack; close refuses more records', async (t) => {
  const target = new FakeTarget();
  const p = new Publisher(target, { partitions: 1, frameMaxRecords: 64, frameMaxDelayMs: 60_000, clock });
  p.publish(trade('A', 1));
  p.publish(trade('B', 1));
  let flushed = false;
  const f = p.flush().then(() => {
    flushed = true;
  });
  t.equal(target.calls.length, 2);
  target.ack(0);
  await tick();
  t.equal(flushed, false, 'one ack still outstanding');
  target.ack(1);
  await f;
  t.equal(flushed, true);
  await p.close();
  t.throws(() => p.publish(trade('A', 2)), { code: 'TF_ERR_FEED_CLOSED' });
});

t.test('stats report the acked rate over the window since the previous call', async (t) => {
  let now = NOW;
  const target = new FakeTarget();
  const p = new Publisher(target, { partitions: 1, frameMaxRecords: 10, clock: { now: () => now } });
  for (let i = 1; i <= 30; i++) p.publish(trade('A', i));
  for (let i = 0; i < 3; i++) target.ack(i);
  await tick();
  now += 2000;
  t.equal(p.stats().ratePerSec, 15, '30 records in 2 s');
  now += 1000;
  t.equal(p.stats().ratePerSec, 0, 'nothing new in the next second');
});

t.test('options are validated with sentences naming the option', async (t) => {
  const target = new FakeTarget();
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ partitions: 0 }, 'options.partitions must be an integer in [1, 2147483647], got 0'],
    [{ partitions: 2, maxInFlight: 0 }, 'options.maxInFlight must be an integer in [1, 1000000], got 0'],
    [
      { partitions: 2, frameMaxRecords: 5000 },
      'options.frameMaxRecords must be an integer in [1, 4096], got 5000',
    ],
    [
      { partitions: 2, frameMaxBytes: 2_000_000 },
      'options.frameMaxBytes must be an integer in [64, 1048576], got 2000000',
    ],
    [
      { partitions: 2, frameMaxDelayMs: -1 },
      'options.frameMaxDelayMs must be a number in [0, 60000], got -1',
    ],
    [
      { partitions: 2, msgIdPrefix: 'a:b' },
      'options.msgIdPrefix must be 1-64 characters of A-Z a-z 0-9 _ . ~ -, got "a:b"',
    ],
    [
      { partitions: 2, retryBaseMs: 100, retryMaxMs: 50 },
      'options.retryMaxMs must be a number in [100, 600000], got 50',
    ],
  ];
  for (const [o, message] of cases) {
    t.throws(() => new Publisher(target, o as never), { code: 'TF_ERR_FEED_OPTION', message });
  }
});
