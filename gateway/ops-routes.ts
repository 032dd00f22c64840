/**
 * Operations endpoints, without auth: GET /health (the process answers),
 * /ready (NATS connected and QuestDB reachable: 503 otherwise, so a load
 * balancer stops routing here), /metrics (Prometheus text).
 */

import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import { RequestGuard } from './http-reply.js';
import type { GatewayMetrics, UwsImpl } from './metrics.js';
import type { QuestDbClient } from './questdb-client.js';

/** What the ops routes read. */
export interface OpsDeps {
  impl: UwsImpl;
  metrics: GatewayMetrics;
  questdb: QuestDbClient;
  natsConnected: () => boolean;
}

/** Registers /health, /ready and /metrics. */
export function registerOpsRoutes(app: TemplatedApp, d: OpsDeps): void {
  app.get('/health', (res) => {
    new RequestGuard(res).json(200, { status: 'ok', impl: d.impl });
  });
  app.get('/ready', (res) => {
    const guard = new RequestGuard(res);
    const nats = d.natsConnected();
    void d.questdb.ping().then((questdb) => {
      const ready = nats && questdb;
      guard.json(ready ? 200 : 503, { ready, nats, questdb });
    });
  });
  app.get('/metrics', (res) => {
    const guard = new RequestGuard(res);
    void d.metrics.registry.metrics().then(
      (text) => guard.text(200, text, d.metrics.registry.contentType),
      () => guard.text(500, 'metrics unavailable\n', 'text/plain'),
    );
  });
}
