import type { MessagePort } from 'node:worker_threads';
import type { FromShard, ShardInit, ToShard } from './messages.js';
import { Shard } from './shard.js';

/** The task a piscina worker runs for the engine's lifetime: one shard. */
export interface ShardTask {
  init: ShardInit;
  /** Control channel to the supervisor. */
  port: MessagePort;
}

/**
 * Piscina task entry. It resolves only when the supervisor stops the shard;
 * an uncaught error kills the thread, piscina replaces it, and the
 * supervisor starts the shard again (its partitions recover from snapshot +
 * replay).
 */
export default async function runShard(task: ShardTask): Promise<void> {
  const port = task.port;
  const post = (m: FromShard): void => port.postMessage(m);
  const shard = await Shard.open(task.init, post);
  post({ type: 'ready', shard: task.init.shard });
  await new Promise<void>((resolve) => {
    port.on('message', (m: ToShard) => {
      void handle(shard, m, post).then((stopped) => {
        if (stopped) resolve();
      });
    });
  });
  port.close();
}

async function handle(shard: Shard, m: ToShard, post: (m: FromShard) => void): Promise<boolean> {
  try {
    switch (m.type) {
      case 'assign':
        await shard.assign(m.partition);
        break;
      case 'release':
        await shard.release(m.partition);
        break;
      case 'revoke':
        await shard.revoke(m.partition);
        break;
      case 'crash':
        // Uncaught, on purpose: the thread dies the way a real bug would kill it.
        setImmediate(() => {
          throw new Error('crash drill requested by the supervisor');
        });
        return false;
      case 'stop':
        await shard.stop();
        post({ type: 'done', id: m.id, ok: true });
        return true;
    }
    post({ type: 'done', id: m.id, ok: true });
  } catch (err) {
    post({ type: 'done', id: m.id, ok: false, error: (err as Error).message });
  }
  return false;
}
