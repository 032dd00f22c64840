/**
 * The gateway under test, started the way an operator starts it: an API key made with
 * `tickflow gateway keys add` into a keys file of the run, then `tickflow gateway` on a free port
 * of the loopback interface, reading the engine's outputs from the run's NATS.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ChildMemory, spawnTickflow } from '../engine/tickflow-child.js';

/** A running gateway child. */
export interface GatewayProcess {
  readonly pid: number;
  readonly port: number;
  /** An API key allowed `candles` on as many connections as the run opens. */
  readonly key: string;
  memory(): ChildMemory;
  stop(): Promise<ChildMemory>;
}

const BIN = fileURLToPath(new URL('../../../bin/tickflow.js', import.meta.url));
const LISTENING = /"port":(\d+)[^\n]*"msg":"gateway listening"/;

/** Makes the key, starts the gateway and waits until it listens. */
export async function startGatewayProcess(
  dir: string,
  o: { natsUrl: string; qdbHttpUrl: string; connections: number },
): Promise<GatewayProcess> {
  const keysFile = join(dir, 'gateway-keys.json');
  const { stdout } = await promisify(execFile)(process.execPath, [
    BIN,
    'gateway',
    'keys',
    'add',
    '--name',
    'bench-harness',
    '--channels',
    'candles',
    '--max-connections',
    String(o.connections),
    '--keys-file',
    keysFile,
  ]);
  const key = stdout.trim();
  const child = spawnTickflow(
    dir,
    'gateway',
    [
      'gateway',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--nats-url',
      o.natsUrl,
      '--questdb-url',
      o.qdbHttpUrl,
      '--keys-file',
      keysFile,
      '--log-level',
      'info',
    ],
    { kind: 'gateway', exitCode: 'TF_ERR_BENCH_GATEWAY_EXIT' },
  );
  let port: number;
  try {
    port = Number(await child.waitForLog(LISTENING, "its 'gateway listening' line"));
  } catch (err) {
    await child.stop(5000);
    throw err;
  }
  return { pid: child.pid, port, key, memory: () => child.memory(), stop: () => child.stop() };
}
