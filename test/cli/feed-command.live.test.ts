/**
 * Live infrastructure test: `tickflow feed replay` and `tickflow feed binance` end to end, in
 * process, against a real nats-server and the local Binance protocol server. Output is captured.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { feedCommand, parseLiveArgs, runLiveFeed } from '../../cli/feed-command.js';
import { SILENT_LOGGER } from '../../feeds/connectors/index.js';
import { BinanceTestServer } from '../feeds/connectors/servers/binance-server.js';
import { startNats } from '../support/servers.js';

async function setup(t: Test): Promise<{ url: string; nc: NatsConnection }> {
  const nats = await startNats({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  t.teardown(async () => {
    await nc.close();
    await nats.stop();
  });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'MD_TRADES', subjects: ['md.trade.*.*.*'] });
  await jsm.streams.add({ name: 'MD_QUOTES', subjects: ['md.quote.*.*.*'] });
  return { url: nats.url, nc };
}

/** Runs `fn` with stdout and stderr captured. */
async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write;
  try {
    const code = await fn();
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

function binanceFile(dir: string): string {
  const lines = ['id,price,qty,quote_qty,time,is_buyer_maker,is_best_match'];
  for (let i = 1; i <= 300; i++)
    lines.push(`${i},${100 + (i % 5)},0.5,50,${1_735_689_600_000_000 + i * 1000},True,True`);
  lines.splice(101, 0, '100000,x,1,1,1,True,True'); // line 102
  const path = join(dir, 'BTCUSDT-trades-2025-01-01.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

t.test(
  'feed replay: skip mode exits 0 and names the bad line; fail mode exits 1 after publishing what came before',
  async (t) => {
    const { url, nc } = await setup(t);
    const path = binanceFile(t.testdir());
    const skip = await captured(() => feedCommand(['replay', path, '--symbol', 'BTCUSDT', '--nats', url]));
    t.equal(skip.code, 0);
    t.equal(skip.err, "tickflow feed replay: line 102: price 'x' is not a number\n");
    t.match(
      skip.out,
      /replay: done \(end\) in [\d.]+ s: binance format, 302 lines, 300 records \(300 trades, 0 quotes\), 1 bad lines, 300 records acked/,
    );
    const fail = await captured(() =>
      feedCommand([
        'replay',
        path,
        '--symbol',
        'BTCUSDT',
        '--nats',
        url,
        '--on-error',
        'fail',
        '--msg-id-prefix',
        'failrun',
      ]),
    );
    t.equal(fail.code, 1);
    t.match(fail.err, /stopped at line 102 \(--on-error fail\); the 100 records before it were published/);
    t.match(fail.out, /100 records acked/);
    const jsm = await jetstreamManager(nc);
    t.ok((await jsm.streams.info('MD_TRADES')).state.messages > 0);
    // tickflow.ts turns ENOENT into one line on stderr and exit 1, as for every command.
    await t.rejects(
      captured(() => feedCommand(['replay', join(t.testdir(), 'none.csv'), '--nats', url])),
      {
        code: 'ENOENT',
      },
    );
  },
);

t.test(
  'feed binance: publishes live records; stopping closes the socket with 1000 and flushes',
  async (t) => {
    const { url, nc } = await setup(t);
    const server = await BinanceTestServer.start({ pingMs: 100 });
    t.teardown(() => server.close());
    const parsed = parseLiveArgs('binance', ['--symbols', 'BTCUSDT', '--url', server.url, '--nats', url]);
    if (parsed.help) throw new Error('unexpected help');
    const abort = new AbortController();
    const run = captured(() => runLiveFeed(parsed.options, abort.signal, SILENT_LOGGER));
    await server.waitFor(() => server.subscribers('btcusdt@trade') === 1, 5000, 'the subscription');
    server.trade('BTCUSDT', { price: '100', qty: '1', m: true, T: Date.now() });
    server.trade('BTCUSDT', { price: '101', qty: '2', m: false, T: Date.now() });
    server.bookTicker('BTCUSDT', { b: '100', B: '1', a: '101', A: '1' });
    await new Promise((r) => setTimeout(r, 300));
    abort.abort(); // what SIGINT / SIGTERM do in feedCommand
    const r = await run;
    t.equal(r.code, 0);
    t.same(server.clientCloseCodes, [1000]);
    t.match(r.out, /binance: stopped after [\d.]+ s: 2 trades, 1 quotes, 3 records acked/);
    const jsm = await jetstreamManager(nc);
    t.equal((await jsm.streams.info('MD_TRADES')).state.messages, 1, 'two trades, one frame');
    t.equal((await jsm.streams.info('MD_QUOTES')).state.messages, 1);
    t.ok(server.pongs.length >= 1, 'pings were answered');
  },
);

t.test('feed coinbase without streams exits 1 with a sentence', async (t) => {
  const nats = await startNats({ jetstream: true });
  t.teardown(() => nats.stop());
  const r = await captured(() => feedCommand(['coinbase', '--products', 'BTC-USD', '--nats', nats.url]));
  t.equal(r.code, 1);
  t.equal(
    r.err,
    'tickflow feed coinbase: no JetStream stream captures md.trade.>: start the engine first (it creates MD_TRADES and MD_QUOTES)\n',
  );
});
