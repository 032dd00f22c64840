import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** One readiness condition (NATS connected, QuestDB reachable, partitions owned…); throwing counts as false. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

/** How to start the ops server. */
export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  registry: Registry;
  /** Reported by /health. */
  version: string;
  /** /ready is 200 only when every check passes; names appear in the 503 body. */
  checks?: Readonly<Record<string, ReadinessCheck>>;
  /** A check slower than this fails. Default 2000 ms. */
  checkTimeoutMs?: number;
  /** /health is 503 when the event loop lagged more than this in the last sample. Default 1000 ms. */
  maxEventLoopLagMs?: number;
  /** Replaces the built-in lag sampler (tests). */
  eventLoopLagMs?: () => number;
}

/** A running ops server. */
export interface OpsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const LAG_SAMPLE_MS = 500;

/**
 * Starts the ops HTTP server: `GET /metrics` (Prometheus text from `registry`), `GET /health` (200 with
 * uptime and version while the event loop is responsive, else 503), `GET /ready` (200 when every
 * injected check passes, else 503 naming the failing ones). Other paths are 404, other methods 405.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const started = Date.now();
  const checks = options.checks ?? {};
  const checkTimeoutMs = options.checkTimeoutMs ?? 2_000;
  const maxLag = options.maxEventLoopLagMs ?? 1_000;
  let sampler: NodeJS.Timeout | undefined;
  let lag = options.eventLoopLagMs;
  if (lag === undefined) {
    // A timer that fires late by N ms means the loop was blocked for about N ms.
    let last = 0;
    let expected = performance.now() + LAG_SAMPLE_MS;
    sampler = setInterval(() => {
      const t = performance.now();
      last = Math.max(0, t - expected);
      expected = t + LAG_SAMPLE_MS;
    }, LAG_SAMPLE_MS);
    sampler.unref();
    lag = () => last;
  }
  const lagNow = lag;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(res, 500, 'application/json', JSON.stringify({ error: String(err) }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/health' && path !== '/ready') {
      send(
        res,
        404,
        'application/json',
        JSON.stringify({ error: 'not found', paths: ['/metrics', '/health', '/ready'] }),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'application/json', JSON.stringify({ error: 'method not allowed' }));
      return;
    }
    if (path === '/metrics') {
      send(res, 200, options.registry.contentType, await options.registry.metrics());
      return;
    }
    if (path === '/health') {
      const eventLoopLagMs = Math.round(lagNow());
      const ok = eventLoopLagMs <= maxLag;
      const body = {
        status: ok ? 'ok' : 'event loop unresponsive',
        uptimeSeconds: Math.floor((Date.now() - started) / 1000),
        version: options.version,
        eventLoopLagMs,
      };
      send(res, ok ? 200 : 503, 'application/json', JSON.stringify(body));
      return;
    }
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!, checkTimeoutMs)));
    const status: Record<string, boolean> = {};
    const failing: string[] = [];
    for (let i = 0; i < names.length; i++) {
      status[names[i]!] = results[i]!;
      if (!results[i]) failing.push(names[i]!);
    }
    const ready = failing.length === 0;
    send(res, ready ? 200 : 503, 'application/json', JSON.stringify({ ready, failing, checks: status }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (sampler !== undefined) clearInterval(sampler);
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return (await Promise.race([Promise.resolve().then(check), timeout])) === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', 'no-store');
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
