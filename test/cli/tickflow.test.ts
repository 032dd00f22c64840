import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';

const run = promisify(execFile);
const BIN = new URL('../../../bin/tickflow.js', import.meta.url).pathname;

async function tickflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

t.test('help lists the commands; an unknown command exits 2', async (t) => {
  const help = await tickflow('--help');
  t.equal(help.code, 0);
  t.match(help.stdout, /backfill/);
  const bad = await tickflow('frobnicate');
  t.equal(bad.code, 2);
  t.match(bad.stderr, /unknown command 'frobnicate'/);
});

t.test('bad flags exit 2 with a sentence naming the flag', async (t) => {
  const r = await tickflow('backfill', '--input', 'x.csv', '--candles', 'y.csv', '--time-unit', 'hours');
  t.equal(r.code, 2);
  t.match(r.stderr, /--time-unit must be one of s, ms, us, ns, got 'hours'/);
  const i = await tickflow('backfill', '--input', 'x.csv', '--candles', 'y.csv', '--intervals', '1m,7m');
  t.equal(i.code, 2);
  t.match(i.stderr, /--intervals: unknown interval '7m'/);
  const ind = await tickflow('backfill', '--input', 'x.csv', '--candles', 'y.csv', '--indicator', 'sma:0');
  t.equal(ind.code, 2);
  t.match(ind.stderr, /--indicator sma:0/);
  const missing = await tickflow('backfill', '--candles', 'y.csv');
  t.equal(missing.code, 2);
  t.match(missing.stderr, /--input is required/);
});

t.test('sample then backfill: a file a user could bring, end to end through the CLI', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tf-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const s = await tickflow('sample', '--out', join(dir, 'trades.csv'), '--trades', '2000', '--symbols', '3');
  t.equal(s.code, 0, s.stderr);
  const b = await tickflow(
    'backfill',
    '--input',
    join(dir, 'trades.csv'),
    '--candles',
    join(dir, 'candles.csv'),
    '--intervals',
    '1m,5m',
  );
  t.equal(b.code, 0, b.stderr);
  t.match(b.stdout, /backfill: \d+ lines, 2000 trades over 3 symbols/);
  const rows = (await readFile(join(dir, 'candles.csv'), 'utf8')).trim().split('\n');
  t.ok(rows.length > 3);
  const missing = await tickflow(
    'backfill',
    '--input',
    join(dir, 'nope.csv'),
    '--candles',
    join(dir, 'c.csv'),
  );
  t.equal(missing.code, 1);
  t.match(missing.stderr, /ENOENT|no such file/);
});
