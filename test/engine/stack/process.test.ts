import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  adoptServer,
  commandLine,
  isAlive,
  killProcess,
  logTail,
  pauseProcess,
  readPidFile,
  resumeProcess,
  spawnServer,
  stopProcess,
} from '../../../engine/stack/process.js';

const state = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
};

const waitFor = async (check: () => boolean): Promise<boolean> => {
  for (let i = 0; i < 200; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
};

const dir = mkdtempSync(join(tmpdir(), 'tickflow-proc-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('spawnServer: own process group, output to the log, pid file; stop ends the group', async (t) => {
  const logFile = join(dir, 'a.log');
  const pidFile = join(dir, 'a.pid');
  // The shell starts a grandchild: stopping must reach it too, through the process group.
  const server = spawnServer({
    command: 'sh',
    args: ['-c', 'echo started $MARK; sleep 300 & wait'],
    env: { MARK: 'xyz' },
    logFile,
    pidFile,
  });
  t.equal(readPidFile(pidFile), server.pid);
  t.ok(await waitFor(() => logTail(logFile) === 'started xyz'), 'env reaches the child, output the log');
  const pgid = Number(readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
  t.equal(pgid, server.pid, 'leader of its own group');
  t.same(commandLine(server.pid), ['sh', '-c', 'echo started $MARK; sleep 300 & wait']);
  await stopProcess(server.pid, 2000);
  t.notOk(isAlive(server.pid));
  t.ok(await waitFor(() => server.exit !== undefined));
  t.equal(server.exit?.signal, 'SIGTERM');
});

t.test('stopProcess escalates to SIGKILL when SIGTERM is ignored', async (t) => {
  const server = spawnServer({
    command: 'sh',
    args: ['-c', "trap '' TERM; echo ready; while :; do sleep 0.05; done"],
    logFile: join(dir, 'b.log'),
  });
  t.ok(await waitFor(() => logTail(server.logFile) === 'ready'));
  const started = Date.now();
  await stopProcess(server.pid, 300);
  t.ok(Date.now() - started >= 300, 'waited the grace period first');
  t.notOk(isAlive(server.pid));
  t.ok(await waitFor(() => server.exit !== undefined));
  t.equal(server.exit?.signal, 'SIGKILL');
});

t.test('pause stops the group, resume continues it, kill ends it; a paused server still stops', async (t) => {
  const server = spawnServer({ command: 'sleep', args: ['300'], logFile: join(dir, 'c.log') });
  pauseProcess(server.pid);
  t.ok(await waitFor(() => state(server.pid) === 'T'), 'stopped state');
  resumeProcess(server.pid);
  t.ok(await waitFor(() => state(server.pid) === 'S'), 'sleeping again');
  killProcess(server.pid);
  t.ok(await waitFor(() => !isAlive(server.pid)));

  const paused = spawnServer({ command: 'sleep', args: ['300'], logFile: join(dir, 'd.log') });
  pauseProcess(paused.pid);
  await stopProcess(paused.pid, 2000);
  t.ok(await waitFor(() => paused.exit !== undefined));
  t.equal(paused.exit?.signal, 'SIGTERM', 'SIGCONT let the pending SIGTERM through');
});

t.test('helpers on missing things', async (t) => {
  t.equal(readPidFile(join(dir, 'none.pid')), undefined);
  t.equal(logTail(join(dir, 'none.log')), '');
  t.equal(commandLine(2 ** 22 + 7), undefined);
  t.notOk(isAlive(2 ** 22 + 7));
  await stopProcess(2 ** 22 + 7);
  t.same(adoptServer(5, 'x.log'), { pid: 5, logFile: 'x.log', exit: undefined, child: undefined });
  t.throws(
    () => spawnServer({ command: join(dir, 'no-such-binary'), args: [], logFile: join(dir, 'e.log') }),
    {
      code: 'TF_ERR_STACK_START',
      message: `could not start ${join(dir, 'no-such-binary')}: not found or not executable`,
    },
  );
  await new Promise((r) => setTimeout(r, 50));
  t.pass('the late spawn error event is absorbed');
});
