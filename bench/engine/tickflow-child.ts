/**
 * A `tickflow <command>` child process under test, its output appended to a log file, so its
 * memory and CPU are its own: resident set size is sampled from /proc/<pid>/status while it runs,
 * and the kernel's high-water mark (VmHWM) is read just before it is asked to stop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchEngineError, type BenchEngineErrorCode } from './bench-error.js';
import { readMemory } from './proc-stats.js';

/** Memory of a child process, bytes. */
export interface ChildMemory {
  /** Kernel high-water mark of the resident set over the process's life. */
  peakRss: number;
  /** Largest VmRSS seen by sampling. */
  sampledMaxRss: number;
  /** VmRSS at the last sample before stop. */
  lastRss: number;
}

/** A running `tickflow` child. */
export interface TickflowChild {
  readonly pid: number;
  /** Its log file (stdout and stderr). */
  readonly logFile: string;
  /** Latest memory figures (sampled every 100 ms); throws if the child ended before `stop()`. */
  memory(): ChildMemory;
  /**
   * Waits until the log matches `pattern` and returns its first capture group; `what` names the
   * awaited line in the error when the child exits or `timeoutMs` passes first.
   */
  waitForLog(pattern: RegExp, what: string, timeoutMs?: number): Promise<string>;
  /** SIGTERM (graceful stop), SIGKILL after `graceMs`; resolves with the final memory figures. */
  stop(graceMs?: number): Promise<ChildMemory>;
}

const BIN = fileURLToPath(new URL('../../../bin/tickflow.js', import.meta.url));

/** How a child is named in messages, and the error code when it dies. */
export interface ChildLabel {
  /** e.g. `engine`, `gateway`. */
  kind: string;
  exitCode: BenchEngineErrorCode;
}

/** Starts `node bin/tickflow.js ...args`, logging to `<dir>/<name>.log`. */
export function spawnTickflow(dir: string, name: string, args: string[], label: ChildLabel): TickflowChild {
  const logFile = join(dir, `${name}.log`);
  const out = openSync(logFile, 'a');
  // Extra node flags for the child, e.g. TICKFLOW_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'
  // to profile the engine and the gateway under the benchmark (node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.TICKFLOW_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
    stdio: ['ignore', out, out],
  });
  const pid = child.pid;
  if (pid === undefined) throw new BenchEngineError(label.exitCode, `could not start the ${label.kind}`);
  const mem: ChildMemory = { peakRss: 0, sampledMaxRss: 0, lastRss: 0 };
  let stopping = false;
  let exitCode: number | null = null;
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = true;
      exitCode = code;
      resolve();
    });
  });
  const sample = (): void => {
    const m = readMemory(pid);
    // null: the process is gone; keep the last figures.
    if (m === null) return;
    mem.lastRss = m.rss;
    mem.peakRss = Math.max(mem.peakRss, m.hwm);
    if (mem.lastRss > mem.sampledMaxRss) mem.sampledMaxRss = mem.lastRss;
  };
  const timer = setInterval(() => {
    sample();
    if (exited && !stopping) {
      clearInterval(timer);
      process.stderr.write(`${label.kind} ${name} exited early with code ${exitCode}; see ${logFile}\n`);
    }
  }, 100);
  const killOnExit = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    pid,
    logFile,
    memory: () => {
      if (exited && !stopping) {
        throw new BenchEngineError(
          label.exitCode,
          `the ${label.kind} exited with code ${exitCode} during the run; its log is ${readTail(logFile)}`,
        );
      }
      return { ...mem };
    },
    async waitForLog(pattern: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(readFileSync(logFile, 'utf8'));
        if (m !== null) return m[1] ?? m[0];
        if (exited || Date.now() > deadline) {
          throw new BenchEngineError(
            label.exitCode,
            `the ${label.kind} did not log ${what}; ${readTail(logFile)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(graceMs = 30_000): Promise<ChildMemory> {
      sample();
      stopping = true;
      clearInterval(timer);
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(t);
      }
      process.off('exit', killOnExit);
      return { ...mem };
    },
  };
}

function readTail(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return `${file}:\n${text.slice(-2000)}`;
  } catch {
    return file;
  }
}
