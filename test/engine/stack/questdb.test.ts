import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from '../../../engine/stack/options.js';
import {
  defaultQuestDbCacheDir,
  ensureQuestDbJar,
  QUESTDB_VERSION,
  QUESTDB_WORKER_IDLE_ENV,
  questDbEnv,
  questDbJvmArgs,
} from '../../../engine/stack/questdb.js';

const root = mkdtempSync(join(tmpdir(), 'tickflow-qdbjar-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

t.test('server environment: loopback ports, no UDP, no min server, no telemetry', async (t) => {
  t.same(questDbEnv({ httpPort: 1, pgPort: 2, ilpTcpPort: 3 }, {}), {
    ...QUESTDB_WORKER_IDLE_ENV,
    QDB_HTTP_BIND_TO: '127.0.0.1:1',
    QDB_HTTP_MIN_ENABLED: 'false',
    QDB_PG_NET_BIND_TO: '127.0.0.1:2',
    QDB_LINE_TCP_NET_BIND_TO: '127.0.0.1:3',
    QDB_LINE_UDP_ENABLED: 'false',
    QDB_TELEMETRY_ENABLED: 'false',
  });
  const own = questDbEnv(
    { httpPort: 1, pgPort: 2, ilpTcpPort: 3 },
    { QDB_SHARED_WORKER_NAP_THRESHOLD: '7000' },
  );
  t.equal(own.QDB_SHARED_WORKER_NAP_THRESHOLD, undefined, 'an idle setting already in the environment wins');
  t.equal(own.QDB_SHARED_WORKER_SLEEP_THRESHOLD, '200', 'the others still apply');
  t.same(questDbJvmArgs('/c/q.jar', '/d/questdb', '1g'), [
    '-Xmx1g',
    '--add-exports',
    'java.base/jdk.internal.math=io.questdb',
    '-p',
    '/c/q.jar',
    '-m',
    'io.questdb/io.questdb.ServerMain',
    '-d',
    '/d/questdb',
  ]);
  t.equal(defaultQuestDbCacheDir(), join(repoRoot(), '.cache', 'questdb'));
});

t.test('a cached jar is returned without fetching', async (t) => {
  const cacheDir = join(root, 'cached');
  mkdirSync(cacheDir);
  writeFileSync(join(cacheDir, 'questdb-1.2.3.jar'), 'jar');
  t.equal(await ensureQuestDbJar({ cacheDir, version: '1.2.3' }), join(cacheDir, 'questdb-1.2.3.jar'));
});

t.test('a caller waits while another holds the fetch lock, then uses its jar', async (t) => {
  const cacheDir = join(root, 'locked');
  mkdirSync(join(cacheDir, '.fetch.lock'), { recursive: true });
  const jar = join(cacheDir, 'questdb-1.2.4.jar');
  let resolvedEarly = false;
  const waiting = ensureQuestDbJar({ cacheDir, version: '1.2.4' }).then((path) => {
    resolvedEarly = !existsSync(jar);
    return path;
  });
  await new Promise((r) => setTimeout(r, 400));
  writeFileSync(jar, 'jar');
  t.equal(await waiting, jar);
  t.notOk(resolvedEarly);
});

t.test('parallel callers fetch once with Maven, past a stale lock; nothing temporary is left', async (t) => {
  const cacheDir = join(root, 'fetch');
  const lock = join(cacheDir, '.fetch.lock');
  mkdirSync(lock, { recursive: true });
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(lock, hourAgo, hourAgo);
  const logs: string[] = [];
  const [a, b] = await Promise.all([
    ensureQuestDbJar({ cacheDir, log: (l) => logs.push(l) }),
    ensureQuestDbJar({ cacheDir, log: (l) => logs.push(l) }),
  ]);
  const jar = join(cacheDir, `questdb-${QUESTDB_VERSION}.jar`);
  t.same([a, b], [jar, jar]);
  t.equal(logs.length, 1, 'one fetch');
  t.match(logs[0], `mvn -q -B dependency:copy -Dartifact=org.questdb:questdb:${QUESTDB_VERSION}`);
  t.ok(statSync(jar).size > 10_000_000, 'the real jar');
  t.same(readdirSync(cacheDir), [`questdb-${QUESTDB_VERSION}.jar`]);
});

t.test('a failed or empty Maven run is a coded error and leaves no lock or temp folder', async (t) => {
  const fakeMvn = (name: string, script: string): string => {
    const file = join(root, name);
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const failing = join(root, 'failing');
  await t.rejects(
    ensureQuestDbJar({
      cacheDir: failing,
      version: '0.0.1',
      mvn: fakeMvn('mvn-fail', 'echo "no such artifact"; exit 1'),
    }),
    {
      code: 'TF_ERR_STACK_JAR_FETCH',
      message: /^mvn could not fetch org\.questdb:questdb:0\.0\.1: .*\nno such artifact/s,
    },
  );
  t.same(readdirSync(failing), []);
  const empty = join(root, 'empty');
  await t.rejects(
    ensureQuestDbJar({ cacheDir: empty, version: '0.0.2', mvn: fakeMvn('mvn-empty', 'exit 0') }),
    {
      code: 'TF_ERR_STACK_JAR_FETCH',
      message: /^mvn finished but .*questdb-0\.0\.2\.jar is missing$/,
    },
  );
  t.same(readdirSync(empty), []);
  await t.rejects(
    ensureQuestDbJar({ cacheDir: join(root, 'nomvn'), version: '0.0.3', mvn: join(root, 'no-mvn') }),
    {
      code: 'TF_ERR_STACK_JAR_FETCH',
      message: `Maven (${join(root, 'no-mvn')}) is not installed; run as root: apt-get update && apt-get install -y maven`,
    },
  );
});
