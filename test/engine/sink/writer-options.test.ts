import t from 'tap';
import { resolveWriterOptions } from '../../../engine/sink/index.js';

t.test('defaults, and the client keys the writer adds to the configuration string', async (t) => {
  const r = resolveWriterOptions({ ilpUrl: 'http::addr=127.0.0.1:9000;' });
  t.equal(
    r.ilpConfig,
    'http::addr=127.0.0.1:9000;auto_flush=off;protocol_version=1;request_timeout=10000;retry_timeout=15000;',
  );
  t.same(
    { ...r, random: undefined, onFlush: undefined, ilpConfig: undefined },
    {
      ilpConfig: undefined,
      tablePrefix: '',
      maxPendingRows: 200_000,
      retryMinMs: 100,
      retryMaxMs: 10_000,
      requestTimeoutMs: 10_000,
      attemptTimeoutMs: 15_000,
      closeTimeoutMs: 30_000,
      onFlush: undefined,
      random: undefined,
      doubles: 'auto',
      openRowsEveryMs: 0,
      flushEveryMs: 0,
      flushRows: 10_000,
    },
  );
  t.equal(resolveWriterOptions({ ilpUrl: 'http::addr=q:1;', doubles: 'text' }).doubles, 'text');
  t.throws(
    () => resolveWriterOptions({ ilpUrl: 'http::addr=q:1;', doubles: 'float' as 'text' }),
    /options\.doubles must be "auto", "binary" or "text", got "float"/,
  );
});

t.test('keys already in the string are kept; a missing trailing ; is added', async (t) => {
  const r = resolveWriterOptions({
    ilpUrl: 'http::addr=q:9000;auto_flush=off;protocol_version=1;request_timeout=500',
    requestTimeoutMs: 700,
    attemptTimeoutMs: 900,
  });
  t.equal(
    r.ilpConfig,
    'http::addr=q:9000;auto_flush=off;protocol_version=1;request_timeout=500;retry_timeout=900;',
  );
});

t.test('every bad option is refused with a sentence naming it', async (t) => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ ilpUrl: 'tcp::addr=q:9009;' }, /options\.ilpUrl must be an ILP-over-HTTP configuration string/],
    [{ ilpUrl: 'http::addr=q:9000;auto_flush=on;' }, /options\.ilpUrl must not turn auto_flush on/],
    [{ retryMinMs: 0 }, /options\.retryMinMs must be a whole number >= 1, got 0/],
    [{ retryMaxMs: 1.5 }, /options\.retryMaxMs must be a whole number >= 1, got 1\.5/],
    [
      { retryMinMs: 500, retryMaxMs: 100 },
      /options\.retryMaxMs \(100\) must be >= options\.retryMinMs \(500\)/,
    ],
    [{ maxPendingRows: -1 }, /options\.maxPendingRows must be a whole number >= 1/],
    [{ requestTimeoutMs: '5' }, /options\.requestTimeoutMs must be a whole number >= 1, got 5/],
    [{ attemptTimeoutMs: 0 }, /options\.attemptTimeoutMs must be a whole number >= 1/],
    [{ closeTimeoutMs: -5 }, /options\.closeTimeoutMs must be a whole number >= 0/],
    [{ onFlush: 3 }, /options\.onFlush must be a function/],
    [{ random: 'x' }, /options\.random must be a function/],
  ];
  for (const [opts, message] of bad) {
    t.throws(
      () => resolveWriterOptions({ ilpUrl: 'http::addr=q:9000;', ...opts } as never),
      { code: 'TF_ERR_SINK_OPTION', message },
      JSON.stringify(opts),
    );
  }
});
