import { join } from 'node:path';
import t from 'tap';
import {
  parseStackFlags,
  repoRoot,
  resolveStackOptions,
  STACK_DEFAULT_PORTS,
} from '../../../engine/stack/options.js';

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
  return 'no error';
};

t.test('defaults: own ports clear of the usual ones, dirs under the repo', async (t) => {
  const o = resolveStackOptions({}, {});
  t.same(
    [o.natsPort, o.natsMonitorPort, o.qdbHttpPort, o.qdbPgPort, o.qdbIlpPort],
    [14222, 18222, 19000, 18812, 19009],
  );
  t.equal(o.dataDir, join(repoRoot(), '.stack'));
  t.equal(o.cacheDir, join(repoRoot(), '.cache', 'questdb'));
  t.equal(o.startTimeoutSeconds, 120);
  t.same(STACK_DEFAULT_PORTS.natsPort, 14222);
});

t.test('repoRoot finds the tickflow package from the build tree', async (t) => {
  t.match(join(repoRoot(), 'package.json'), /package\.json$/);
  t.notMatch(repoRoot(), /build/);
});

t.test('flags win over env, env over defaults; relative dirs resolve against the repo', async (t) => {
  const o = resolveStackOptions(
    { natsPort: '24000', dataDir: 'tmp/stack' },
    { TICKFLOW_NATS_PORT: '25000', TICKFLOW_QDB_HTTP_PORT: '29000', TICKFLOW_STACK_TIMEOUT: '7.5' },
  );
  t.equal(o.natsPort, 24000);
  t.equal(o.qdbHttpPort, 29000);
  t.equal(o.dataDir, join(repoRoot(), 'tmp', 'stack'));
  t.equal(o.startTimeoutSeconds, 7.5);
  t.equal(resolveStackOptions({}, { TICKFLOW_STACK_DIR: '/abs/dir' }).dataDir, '/abs/dir');
  t.equal(resolveStackOptions({}, { TICKFLOW_NATS_PORT: '' }).natsPort, 14222, 'empty env means unset');
});

t.test('every validation message names the key, where to set it and the range', async (t) => {
  t.equal(
    message(() => resolveStackOptions({}, { TICKFLOW_NATS_PORT: 'abc' })),
    'TF_ERR_STACK_OPTION: options.natsPort (--nats-port or TICKFLOW_NATS_PORT) must be an integer port from 1 to 65535, got "abc"',
  );
  t.equal(
    message(() => resolveStackOptions({ qdbPgPort: '70000' }, {})),
    'TF_ERR_STACK_OPTION: options.qdbPgPort (--qdb-pg-port or TICKFLOW_QDB_PG_PORT) must be an integer port from 1 to 65535, got "70000"',
  );
  t.equal(
    message(() => resolveStackOptions({ qdbIlpPort: '0' }, {})),
    'TF_ERR_STACK_OPTION: options.qdbIlpPort (--qdb-ilp-port or TICKFLOW_QDB_ILP_PORT) must be an integer port from 1 to 65535, got "0"',
  );
  t.equal(
    message(() => resolveStackOptions({ natsMonitorPort: '1.5' }, {})),
    'TF_ERR_STACK_OPTION: options.natsMonitorPort (--nats-monitor-port or TICKFLOW_NATS_MONITOR_PORT) must be an integer port from 1 to 65535, got "1.5"',
  );
  t.equal(
    message(() => resolveStackOptions({}, { TICKFLOW_STACK_TIMEOUT: '0' })),
    'TF_ERR_STACK_OPTION: options.startTimeoutSeconds (--timeout or TICKFLOW_STACK_TIMEOUT) must be a number of seconds above 0 and at most 3600, got "0"',
  );
  t.equal(
    message(() => resolveStackOptions({ cacheDir: ' ' }, {})),
    'TF_ERR_STACK_OPTION: options.cacheDir (--cache-dir or TICKFLOW_CACHE_DIR) must be a non-empty path',
  );
  t.equal(
    message(() => resolveStackOptions({ qdbHttpPort: '14222' }, {})),
    'TF_ERR_STACK_OPTION: options.qdbHttpPort (--qdb-http-port or TICKFLOW_QDB_HTTP_PORT) and options.natsPort (--nats-port or TICKFLOW_NATS_PORT) must differ, both are 14222',
  );
});

t.test('flags parse in both spellings and reject unknown or incomplete ones', async (t) => {
  t.same(parseStackFlags(['--nats-port', '1', '--qdb-http-port=2']), { natsPort: '1', qdbHttpPort: '2' });
  t.same(parseStackFlags([]), {});
  t.match(
    message(() => parseStackFlags(['--port', '1'])),
    /^TF_ERR_STACK_OPTION: unknown option "--port"; known: --data-dir, /,
  );
  t.equal(
    message(() => parseStackFlags(['--timeout'])),
    'TF_ERR_STACK_OPTION: options.startTimeoutSeconds (--timeout or TICKFLOW_STACK_TIMEOUT) needs a value after --timeout',
  );
});
