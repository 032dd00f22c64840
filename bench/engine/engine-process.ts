/**
 * The engine under test, as its own process (`tickflow engine --config <file>`), so its memory is
 * its own: resident set size is sampled from /proc/<pid>/status while it runs, and the kernel's
 * high-water mark (VmHWM) is read just before it is asked to stop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchEngineError } from './bench-error.js';

/** Memory of the engine process, bytes. */
export interface EngineMemory {
  /** Kernel high-water mark of the resident set over the process's life. */
  peakRss: number;
  /** Largest VmRSS seen by sampling. */
  sampledMaxRss: number;
  /** VmRSS at the last sample before stop. */
  lastRss: number;
}

/** A running engine child. */
export interface EngineProcess {
  readonly pid: number;
  /** Latest memory figures (sampled every 100 ms). */
  memory(): EngineMemory;
  /** Port of the engine's ops HTTP server, read from its 'engine started' log line (log level info). */
  opsPort(timeoutMs?: number): Promise<number>;
  /** SIGTERM (graceful stop), SIGKILL after `graceMs`; resolves with the final memory figures. */
  stop(graceMs?: number): Promise<EngineMemory>;
}

// pino writes the bindings before `msg`.
const OPS_PORT = /"ops":(\d+)[^\n]*"msg":"engine started"/;

const BIN = fileURLToPath(new URL('../../../bin/tickflow.js', import.meta.url));

function statusKb(text: string, field: string): number {
  const at = text.indexOf(`${field}:`);
  if (at < 0) return 0;
  return Number.parseInt(text.slice(at + field.length + 1), 10) * 1024;
}

/**
 * Writes `config` (a JSON object of option sections) next to the log and starts the engine.
 * Rejects the returned `exited` promise if the child ends before `stop()`.
 */
export function spawnEngine(dir: string, name: string, config: object): EngineProcess {
  const configFile = join(dir, `${name}.json`);
  const logFile = join(dir, `${name}.log`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [BIN, 'engine', '--config', configFile], {
    stdio: ['ignore', out, out],
  });
  const pid = child.pid;
  if (pid === undefined) throw new BenchEngineError('TF_ERR_BENCH_ENGINE_EXIT', 'could not start the engine');
  const mem: EngineMemory = { peakRss: 0, sampledMaxRss: 0, lastRss: 0 };
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
    try {
      const text = readFileSync(`/proc/${pid}/status`, 'utf8');
      mem.lastRss = statusKb(text, 'VmRSS');
      mem.peakRss = Math.max(mem.peakRss, statusKb(text, 'VmHWM'));
      if (mem.lastRss > mem.sampledMaxRss) mem.sampledMaxRss = mem.lastRss;
    } catch {
      // The process is gone; keep the last figures.
    }
  };
  const timer = setInterval(() => {
    sample();
    if (exited && !stopping) {
      clearInterval(timer);
      process.stderr.write(`engine ${name} exited early with code ${exitCode}; see ${logFile}\n`);
    }
  }, 100);
  const killOnExit = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    pid,
    memory: () => {
      if (exited && !stopping) {
        throw new BenchEngineError(
          'TF_ERR_BENCH_ENGINE_EXIT',
          `the engine exited with code ${exitCode} during the run; its log is ${readTail(logFile)}`,
        );
      }
      return { ...mem };
    },
    async opsPort(timeoutMs = 60_000): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = OPS_PORT.exec(readFileSync(logFile, 'utf8'));
        if (m !== null) return Number(m[1]);
        if (exited || Date.now() > deadline) {
          throw new BenchEngineError(
            'TF_ERR_BENCH_ENGINE_EXIT',
            `the engine did not log its ops port; ${readTail(logFile)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(graceMs = 30_000): Promise<EngineMemory> {
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
