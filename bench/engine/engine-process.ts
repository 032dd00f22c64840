/**
 * The engine under test, as its own process (`tickflow engine --config <file>`), so its memory is
 * its own: resident set size is sampled from /proc/<pid>/status while it runs, and the kernel's
 * high-water mark (VmHWM) is read just before it is asked to stop.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchStack } from './bench-stack.js';
import { type ChildMemory, spawnTickflow } from './tickflow-child.js';

/** Memory of the engine process, bytes. */
export type EngineMemory = ChildMemory;

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

/**
 * A benchmark engine's config file: defaults, except where the servers are, the partition and
 * shard counts, and the ops port (any free one).
 */
export function benchEngineConfig(
  stack: BenchStack,
  o: { id: string; partitions: number; shards: number },
): object {
  return {
    nats: { servers: [stack.natsUrl], name: o.id },
    streams: { partitions: o.partitions },
    engine: { id: o.id, shards: o.shards },
    questdb: { ilpUrl: stack.qdbHttpUrl, httpUrl: stack.qdbHttpUrl },
    http: { host: '127.0.0.1', port: 0 },
    // info: the 'engine started' line carries the ops port the diagnostics are scraped from.
    log: { level: 'info' },
  };
}

/**
 * Writes `config` (a JSON object of option sections) next to the log and starts the engine.
 * `memory()` throws if the child ends before `stop()`.
 */
export function spawnEngine(dir: string, name: string, config: object): EngineProcess {
  const configFile = join(dir, `${name}.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const child = spawnTickflow(dir, name, ['engine', '--config', configFile], {
    kind: 'engine',
    exitCode: 'TF_ERR_BENCH_ENGINE_EXIT',
  });
  return {
    pid: child.pid,
    memory: () => child.memory(),
    opsPort: async (timeoutMs = 60_000) =>
      Number(await child.waitForLog(OPS_PORT, 'its ops port', timeoutMs)),
    stop: (graceMs) => child.stop(graceMs),
  };
}
