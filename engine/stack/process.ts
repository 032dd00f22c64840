import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './errors.js';

/** A server process started by the stack, leader of its own process group. */
export interface ServerProcess {
  /** Process id, also the process-group id (the child is started detached). */
  readonly pid: number;
  /** File that receives the child's stdout and stderr. */
  readonly logFile: string;
  /** Set once the child has exited while this process was watching it. */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The Node handle; absent for a process adopted from a pid file. */
  readonly child: ChildProcess | undefined;
}

/** What {@link spawnServer} needs. */
export interface SpawnServerOptions {
  command: string;
  args: readonly string[];
  /** Appended to (not replacing) the current environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** stdout and stderr go here (appended). */
  logFile: string;
  /** When set, the pid is written here so another process can stop the server. */
  pidFile?: string;
}

/**
 * Starts a server in its own process group with output to a log file. The handle is unref'd so a
 * CLI can exit and leave the server running; tests stop it explicitly.
 */
export function spawnServer(options: SpawnServerOptions): ServerProcess {
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) {
    // The cause (ENOENT, EACCES) arrives later as an 'error' event; absorb it so it is not unhandled.
    child.once('error', () => {});
    throw new StackError(
      'TF_ERR_STACK_START',
      `could not start ${options.command}: not found or not executable`,
    );
  }
  const handle = {
    pid: child.pid,
    logFile: options.logFile,
    exit: undefined as ServerProcess['exit'],
    child,
  };
  child.once('exit', (code, signal) => {
    handle.exit = { code, signal };
  });
  // Later failures (a kill that cannot be delivered) arrive as events; never leave them unhandled.
  child.on('error', () => {
    handle.exit ??= { code: -1, signal: null };
  });
  child.unref();
  if (options.pidFile !== undefined) writeFileSync(options.pidFile, `${child.pid}\n`);
  return handle;
}

/** A handle for a server started by another process, known only by its pid. */
export function adoptServer(pid: number, logFile: string): ServerProcess {
  return { pid, logFile, exit: undefined, child: undefined };
}

function procState(pid: number, task?: string): string | undefined {
  try {
    const stat = readFileSync(
      task === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${task}/stat`,
      'utf8',
    );
    // The command name in parentheses may contain spaces; the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** True while `pid` exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const state = procState(pid);
  return state !== 'Z' && state !== 'X';
}

/** The command line of `pid` as its arguments, or undefined when it is gone. */
export function commandLine(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const args = raw.split('\0');
    if (args[args.length - 1] === '') args.pop();
    return args;
  } catch {
    return undefined;
  }
}

/** Reads a pid file; undefined when it is missing or does not hold a positive integer. */
export function readPidFile(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone, or the leader was never a group leader: fall back to the process itself.
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function allThreadsStopped(pid: number): boolean {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  for (const task of tasks) {
    const state = procState(pid, task);
    if (state !== undefined && state !== 'T' && state !== 't') return false;
  }
  return true;
}

/** Blocks this thread briefly; pause/resume are called from test code that expects them done on return. */
function waitSync(done: () => boolean, timeoutMs: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) Atomics.wait(cell, 0, 0, 1);
}

/**
 * Sends SIGSTOP to the server's process group (simulates a hung server) and returns once every
 * thread of the leader is stopped: a JVM under load takes a moment to stop all its threads.
 */
export function pauseProcess(pid: number): void {
  signalGroup(pid, 'SIGSTOP');
  waitSync(() => allThreadsStopped(pid), 2000);
}

/** Sends SIGCONT to the server's process group and returns once it runs again. */
export function resumeProcess(pid: number): void {
  signalGroup(pid, 'SIGCONT');
  waitSync(() => procState(pid) !== 'T', 2000);
}

/** SIGKILL to the whole group, without waiting: for crash tests and exit handlers. */
export function killProcess(pid: number): void {
  signalGroup(pid, 'SIGKILL');
}

async function waitGone(pid: number, deadline: number): Promise<boolean> {
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

/**
 * Stops a server and everything in its process group: SIGTERM (plus SIGCONT, since a paused
 * process would never see it), wait up to `graceMs`, then SIGKILL. Resolves once the pid is gone.
 */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  if (!isAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  signalGroup(pid, 'SIGCONT');
  if (await waitGone(pid, Date.now() + graceMs)) return;
  signalGroup(pid, 'SIGKILL');
  if (!(await waitGone(pid, Date.now() + 5_000))) {
    throw new StackError('TF_ERR_STACK_STOP', `process ${pid} did not exit after SIGKILL`);
  }
}

/** The last `lines` lines of a log file, for error messages; empty when unreadable. */
export function logTail(file: string, lines = 20): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(Math.max(0, all.length - lines)).join('\n');
  } catch {
    return '';
  }
}

/** Removes a file if present. */
export function removeFile(file: string): void {
  rmSync(file, { force: true });
}
