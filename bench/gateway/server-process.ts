/**
 * Child process of bench/gateway/run.ts: runs one fan-out (the gateway, or
 * the `ws` baseline) fed in-process from the same replayed trade payloads
 * through `deliverPayload` (decode + validate, as from NATS), so NATS is not
 * what is measured. On `produce` it feeds records as fast as the event loop
 * allows, in batches that leave room for socket I/O between them. Given a
 * NATS URL instead, the gateway reads the engine's real outputs (latency.ts).
 */

import pino from 'pino';
import {
  deliverPayload,
  GATEWAY_DEFAULTS,
  type Gateway,
  type RecordSink,
  startGateway,
} from '../../gateway/index.js';
import type { FromServer, ToServer } from './messages.js';
import { tradePayloads } from './record-stream.js';
import { WsFanout } from './ws-fanout.js';

/** Records fed per event-loop turn. */
const BATCH = 20;

const payloads = tradePayloads(4096);
let sink: RecordSink | null = null;
let gateway: Gateway | null = null;
let ws: WsFanout | null = null;
let producing = false;
let records = 0;
let startedAt = 0;

function send(m: FromServer): void {
  process.send?.(m);
}

function produce(): void {
  if (!producing || sink === null) return;
  const now = Date.now();
  const s = sink;
  for (let k = 0; k < BATCH; k++) deliverPayload(payloads[records++ % payloads.length]!, s, now);
  setImmediate(produce);
}

async function start(impl: 'gateway' | 'ws', natsUrl: string | undefined): Promise<void> {
  if (impl === 'ws') {
    const { fanout, port } = await WsFanout.listen();
    ws = fanout;
    sink = fanout;
    send({ type: 'listening', port, detail: 'ws' });
    return;
  }
  gateway = await startGateway(
    {
      ...GATEWAY_DEFAULTS,
      host: '127.0.0.1',
      port: 0,
      auth: false,
      questdbUrl: 'http://127.0.0.1:1',
      maxConnectionsPerPrincipal: 100_000,
      logLevel: 'silent',
      ...(natsUrl === undefined ? {} : { natsUrl }),
    },
    natsUrl === undefined
      ? {
          log: pino({ level: 'silent' }),
          startSource: async (s) => {
            sink = s;
            return { connected: true, close: async () => {} };
          },
        }
      : { log: pino({ level: 'silent' }) },
  );
  send({ type: 'listening', port: gateway.port, detail: `gateway (${gateway.impl})` });
}

async function gatewayDrops(g: Gateway): Promise<number> {
  let total = 0;
  for (const v of (await g.metrics.drops.get()).values) total += v.value;
  return total;
}

process.on('message', (m: ToServer) => {
  if (m.type === 'start') void start(m.impl, m.natsUrl);
  else if (m.type === 'produce') {
    producing = true;
    records = 0;
    startedAt = performance.now();
    produce();
  } else {
    producing = false;
    const seconds = (performance.now() - startedAt) / 1000;
    void (async () => {
      const drops = gateway !== null ? await gatewayDrops(gateway) : (ws?.drops ?? 0);
      send({ type: 'stats', records, drops, seconds });
      await gateway?.close();
      await ws?.close();
      process.exit(0);
    })();
  }
});
