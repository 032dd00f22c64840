/**
 * The replay loop with an injected clock (no wall-clock timing) and a collecting sink.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { type RecordSink, type ReplayClock, replayFile } from '../../../feeds/replay/index.js';
import type { Quote, Trade } from '../../../schemas/index.js';

const T0 = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const NOW = Date.UTC(2026, 0, 10);

class FakeClock implements ReplayClock {
  t = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
}

class Collector implements RecordSink {
  readonly records: Array<Trade | Quote> = [];
  readonly at: number[] = [];
  constructor(private readonly clock?: FakeClock) {}
  publish(r: Trade | Quote): undefined {
    this.records.push(r);
    if (this.clock !== undefined) this.at.push(this.clock.t);
    return undefined;
  }
}

function binanceLine(id: number, dt: number, maker = false): string {
  return `${id},100.5,0.25,25.125,${T0 + dt},${maker ? 'True' : 'False'},True`;
}

// Event-time offsets: 0, +100, same time, +250, a 5 s gap, +10, then one step back in time.
const OFFSETS = [0, 100, 100, 350, 5350, 5360, 5000];

function pacedFile(dir: string): string {
  const path = join(dir, 'BTCUSDT-trades.csv');
  writeFileSync(path, `${OFFSETS.map((dt, i) => binanceLine(i + 1, dt)).join('\n')}\n`);
  return path;
}

t.test('speed 1 sleeps the event-time gaps, cutting gaps longer than maxGapMs', async (t) => {
  const clock = new FakeClock();
  const sink = new Collector(clock);
  const s = await replayFile(
    { path: pacedFile(t.testdir()), symbol: 'BTCUSDT', speed: 1, maxGapMs: 1000, clock, now: NOW },
    sink,
  );
  // 100; 0; 250; the 5000 gap counts as 1000, slept in 250 ms slices; 10; backwards: 0.
  t.same(clock.sleeps, [100, 250, 250, 250, 250, 250, 10]);
  t.same(sink.at, [0, 100, 100, 350, 1350, 1360, 1360], 'each record is handed over when it is due');
  t.equal(s.sleptMs, 1360);
  t.same([s.records, s.trades, s.badLines, s.stoppedBy, s.format], [7, 7, 0, 'end', 'binance']);
});

t.test('speed 10 divides every gap by ten', async (t) => {
  const clock = new FakeClock();
  const sink = new Collector(clock);
  await replayFile({ path: pacedFile(t.testdir()), symbol: 'BTCUSDT', speed: 10, clock, now: NOW }, sink);
  // 10; 0; 25; 500 (under the 1000 ms cap) in slices; 1; 0.
  t.same(clock.sleeps, [10, 25, 250, 250, 1]);
  t.same(sink.at, [0, 10, 10, 35, 535, 536, 536]);
});

t.test('speed 0 never sleeps', async (t) => {
  const clock = new FakeClock();
  const sink = new Collector(clock);
  const s = await replayFile(
    { path: pacedFile(t.testdir()), symbol: 'BTCUSDT', speed: 0, clock, now: NOW },
    sink,
  );
  t.same(clock.sleeps, []);
  t.equal(s.records, 7);
});

t.test('skip mode reports bad lines with their numbers and publishes the rest', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'mixed.csv');
  writeFileSync(
    path,
    [
      'id,price,qty,quote_qty,time,is_buyer_maker,is_best_match',
      binanceLine(1, 0),
      '2,abc,1,1,1704067200000,True,True',
      binanceLine(3, 5, true),
      '4,1,1,1',
      binanceLine(5, 9),
    ].join('\n'),
  );
  const bad: Array<[number, string]> = [];
  const sink = new Collector();
  const s = await replayFile(
    { path, symbol: 'BTCUSDT', onBadLine: (n, problem) => bad.push([n, problem]), now: NOW },
    sink,
  );
  t.same(bad, [
    [3, "price 'abc' is not a number"],
    [5, 'expected 7 fields (id,price,qty,quote_qty,time,is_buyer_maker,is_best_match), found 4'],
  ]);
  t.same(
    sink.records.map((r) => (r as Trade).id),
    ['1', '3', '5'],
  );
  t.same([s.lines, s.records, s.badLines, s.stoppedBy], [6, 3, 2, 'end']);
  t.same(s.firstBadLine, { lineNo: 3, problem: "price 'abc' is not a number" });
});

t.test('fail mode stops at the first bad line: nothing from it on reaches the sink', async (t) => {
  const path = join(t.testdir(), 'bad.csv');
  writeFileSync(path, [binanceLine(1, 0), binanceLine(2, 1), 'oops', binanceLine(4, 2)].join('\n'));
  const sink = new Collector();
  const s = await replayFile({ path, symbol: 'BTCUSDT', format: 'binance', onError: 'fail', now: NOW }, sink);
  t.same(
    sink.records.map((r) => (r as Trade).id),
    ['1', '2'],
  );
  t.same([s.stoppedBy, s.badLines, s.lines], ['bad_line', 1, 3]);
  t.equal(s.firstBadLine?.lineNo, 3);
});

t.test('awaits the sink when it asks for backpressure', async (t) => {
  const path = join(t.testdir(), 'bp.csv');
  writeFileSync(path, [0, 1, 2, 3].map((i) => binanceLine(i + 1, i)).join('\n'));
  const order: string[] = [];
  const sink: RecordSink = {
    publish(r) {
      order.push(`publish ${(r as Trade).id}`);
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          order.push(`room ${(r as Trade).id}`);
          resolve();
        }, 5),
      );
    },
  };
  await replayFile({ path, symbol: 'BTCUSDT', now: NOW }, sink);
  t.same(order, ['publish 1', 'room 1', 'publish 2', 'room 2', 'publish 3', 'room 3', 'publish 4', 'room 4']);
});

t.test('gzip files, format detection, progress by bytes and abort', async (t) => {
  const dir = t.testdir();
  const lines = [
    'exchange,symbol,timestamp,local_timestamp,id,side,price,amount',
    'binance,BTCUSDT,1704067200123456,1704067200125001,1,buy,42283.58,0.0005',
    'coinbase,BTC-USD,1704067200200000,1704067200201000,2,sell,42280,0.1',
  ];
  const gz = join(dir, 'trades.csv.gz');
  writeFileSync(gz, gzipSync(`${lines.join('\n')}\n`));
  const progress: number[] = [];
  const sink = new Collector();
  const s = await replayFile(
    { path: gz, onProgress: (p) => progress.push(p.bytesRead / p.totalBytes), now: NOW },
    sink,
  );
  t.equal(s.format, 'tardis');
  t.same(
    sink.records.map((r) => `${r.venue}:${r.symbol}`),
    ['binance:BTCUSDT', 'coinbase:BTC-USD'],
  );
  t.equal(progress.at(-1), 1, 'the last progress report has read the whole file');

  const abort = new AbortController();
  abort.abort();
  const none = new Collector();
  const aborted = await replayFile({ path: gz, signal: abort.signal, now: NOW }, none);
  t.same([aborted.stoppedBy, none.records.length], ['signal', 0]);
});

t.test('unknown formats and missing options are errors with codes', async (t) => {
  const dir = t.testdir();
  const weird = join(dir, 'weird.txt');
  writeFileSync(weird, '\n\ntime;price\n');
  await t.rejects(replayFile({ path: weird, now: NOW }, new Collector()), {
    code: 'TF_ERR_REPLAY_FORMAT',
    message: `cannot tell the format of ${weird} from line 3: pass --format binance, tardis or ndjson`,
  });
  const csv = join(dir, 'x.csv');
  writeFileSync(csv, `${binanceLine(1, 0)}\n`);
  await t.rejects(replayFile({ path: csv, now: NOW }, new Collector()), {
    code: 'TF_ERR_REPLAY_OPTION',
    message: 'options.symbol is required for the binance format: the file does not name its symbol',
  });
  await t.rejects(replayFile({ path: csv, speed: -1 }, new Collector()), {
    message: 'options.speed must be a finite number >= 0, got -1',
  });
});

t.test('a slow paced replay still reports progress after its sleeps', async (t) => {
  const clock = new FakeClock();
  const seen: number[] = [];
  await replayFile(
    {
      path: pacedFile(t.testdir()),
      symbol: 'BTCUSDT',
      speed: 1,
      clock,
      now: NOW,
      progressMs: 300,
      onProgress: (p) => seen.push(p.records),
    },
    new Collector(),
  );
  // Due times 0, 100, 100, 350, 1350, 1360, 1360: reports after record 4 (350 > 300) and
  // record 5 (1350 > 650), plus the final one.
  t.same(seen, [4, 5, 7]);
});
