/**
 * Child process of bench/gateway/run.ts: opens `count` counting WebSocket
 * clients to a port, sends each the parent's subscribe message, and reports the
 * running total of updates received to the parent every 250 ms.
 */

import { type FrameCounter, openCountingSocket } from './frame-counter.js';
import type { ClientReport, ClientStart } from './messages.js';

process.once('message', (m: ClientStart) => {
  void run(m);
});

async function run(m: ClientStart): Promise<void> {
  const counters: FrameCounter[] = [];
  for (let i = 0; i < m.count; i++) {
    const { counter } = await openCountingSocket(m.port, '/ws', m.subscribe);
    counters.push(counter);
  }
  const report = (type: ClientReport['type']): void => {
    let total = 0;
    for (let i = 0; i < counters.length; i++) total += counters[i]!.updates;
    process.send?.({
      type,
      updates: total,
      at: performance.now() + performance.timeOrigin,
    } satisfies ClientReport);
  };
  report('ready');
  setInterval(() => report('count'), 250);
}
