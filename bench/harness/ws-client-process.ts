/**
 * A WS client process of the harness: `counting` clients that only count update frames (cheap,
 * so the gateway stays the bottleneck) and one client that parses every update of the timed
 * channel and times it from the publish time its trade carries. Windows are handed to the
 * harness on request; the process exits when told to or when the harness goes away.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { TimedCandle } from '../engine/open-candle-latency.js';
import { type FrameCounter, openCountingSocket } from '../gateway/frame-counter.js';
import { epochNow } from './clock.js';
import { LatencyWindowRecorder } from './latency-window.js';
import type { FromReceiver, ToWsClients, WsClientsStart } from './messages.js';

const counters: FrameCounter[] = [];
const sockets: Socket[] = [];
const recorder = new LatencyWindowRecorder();
let timed: WebSocket | null = null;
let counted = 0;
let closed = 0;
let stopping = false;

function post(m: FromReceiver): void {
  process.send?.(m);
}

function timedClient(m: WsClientsStart): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${m.port}${m.path}`);
    ws.once('open', () => {
      ws.send(m.subscribe);
      resolve(ws);
    });
    ws.once('error', reject);
    ws.on('message', (data) => {
      const at = epochNow();
      const u = JSON.parse(String(data)) as {
        type: string;
        channel?: string;
        symbol?: string;
        data?: unknown;
      };
      if (u.type !== 'update' || u.channel !== m.channel || u.symbol === undefined) return;
      recorder.update(u.symbol, u.data as TimedCandle, at);
    });
    ws.on('close', () => {
      if (!stopping) closed++;
    });
  });
}

async function start(m: WsClientsStart): Promise<void> {
  for (let i = 0; i < m.counting; i++) {
    const { socket, counter } = await openCountingSocket(m.port, m.path, m.subscribe);
    socket.on('close', () => {
      if (!stopping) closed++;
    });
    counters.push(counter);
    sockets.push(socket);
  }
  timed = await timedClient(m);
}

function windowReport(): void {
  let total = 0;
  for (let i = 0; i < counters.length; i++) total += counters[i]!.updates;
  const w = recorder.take();
  // Counting clients report running totals; the window carries the difference.
  w.updates += total - counted;
  counted = total;
  post({ type: 'window', window: w, closed });
  closed = 0;
}

function stop(): void {
  stopping = true;
  for (const s of sockets) s.destroy();
  timed?.terminate();
  process.exit(0);
}

process.on('message', (m: ToWsClients) => {
  if (m.type === 'start') {
    start(m).then(
      () => post({ type: 'ready' }),
      (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
  } else if (m.type === 'window') windowReport();
  else stop();
});
// The harness died or closed the channel: nothing is left running.
process.on('disconnect', stop);
