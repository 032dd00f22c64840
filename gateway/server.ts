/**
 * Assembles the gateway: uWS app with the `/ws` route, REST and ops routes,
 * the latest cache, fan-out and conflation, the NATS source, heartbeats and
 * the backpressure sweep. Holds no state that NATS and QuestDB cannot rebuild.
 */

import type { us_listen_socket, WebSocket } from '@trufflesuite/uws-js-unofficial';
import pino, { type Logger } from 'pino';
import { type Candle, type Interval, questDbTableNames } from '../schemas/index.js';
import { ApiKeyStore, readKeysFile } from './auth/api-keys.js';
import { Authenticator } from './auth/authenticator.js';
import { anonymousPrincipal, ConnectionCounter } from './auth/permissions.js';
import { createTokenVerifier, type TokenVerifier } from './auth/tokens.js';
import { Conflator } from './conflation.js';
import { registerDashboardRoutes } from './dashboard/dashboard-routes.js';
import { GatewayError } from './errors.js';
import { Fanout } from './fanout.js';
import { errorBody, RequestGuard } from './http-reply.js';
import { LatestCache } from './latest-cache.js';
import { createGatewayMetrics, type GatewayMetrics, type UwsImpl } from './metrics.js';
import { type NatsSource, type RecordSink, startNatsSource } from './nats-source.js';
import { registerOpsRoutes } from './ops-routes.js';
import type { GatewayOptions } from './options.js';
import { encodeServerMessage } from './protocol.js';
import { createQuestDbClient, type QuestDbClient } from './questdb-client.js';
import { candleFromRow, latestCandleQuery, rowObjects } from './rest/history-queries.js';
import { registerRestRoutes } from './rest/routes.js';
import { SqlValues } from './rest/sql.js';
import type { Session } from './session.js';
import { heartbeatTopic } from './topics.js';
import { loadUws } from './uws-loader.js';
import { createWebSocketBehavior } from './ws-handler.js';

/** How often socket backpressure is checked. */
export const SWEEP_INTERVAL_MS = 50;

/** Replaceable edges, for tests. */
export interface GatewayDeps {
  /** Root logger; the gateway logs through children with `component` set. */
  log?: Logger;
  /** Starts the record source; defaults to core NATS subscriptions at `options.natsUrl`. */
  startSource?: (sink: RecordSink, log: Logger) => Promise<NatsSource>;
  questdb?: QuestDbClient;
}

/** A running gateway. */
export interface Gateway {
  /** The port listened on (useful with `port: 0`). */
  port: number;
  impl: UwsImpl;
  metrics: GatewayMetrics;
  /** Closes every connection with 1001, stops listening and disconnects from NATS. */
  close(): Promise<void>;
}

function buildAuthenticator(
  o: GatewayOptions,
  metrics: GatewayMetrics,
  log: Logger,
  audit: Logger,
): Authenticator | null {
  if (!o.auth) {
    log.warn('auth is OFF: every client gets every channel');
    return null;
  }
  const keys = new ApiKeyStore(readKeysFile(o.keysFile));
  let tokens: TokenVerifier | null = null;
  if (o.jwtSecret !== undefined || o.jwksFile !== undefined) {
    tokens = createTokenVerifier({
      ...(o.jwtSecret === undefined ? {} : { secret: o.jwtSecret }),
      ...(o.jwksFile === undefined ? {} : { jwksFile: o.jwksFile }),
      ...(o.jwtIssuer === undefined ? {} : { issuer: o.jwtIssuer }),
      ...(o.jwtAudience === undefined ? {} : { audience: o.jwtAudience }),
      defaultMaxConnections: o.maxConnectionsPerPrincipal,
      defaultRatePerSecond: o.ratePerSecond,
      defaultBurst: o.burst,
    });
  }
  if (keys.size === 0 && tokens === null) {
    log.warn(
      { keysFile: o.keysFile },
      'auth is on but there are no API keys and no JWT key: every client will be refused',
    );
  }
  return new Authenticator(keys, tokens, audit, metrics.authFailures);
}

/** Starts a gateway; rejects with `TF_ERR_GATEWAY_LISTEN` when the port cannot be bound. */
export async function startGateway(o: GatewayOptions, deps: GatewayDeps = {}): Promise<Gateway> {
  // The audit logger is a sibling of the gateway logger, so each line has one `component`.
  const root = deps.log ?? pino({ level: o.logLevel });
  const log = root.child({ component: 'gateway' });
  const { uws, impl } = loadUws();
  if (impl === 'fallback') {
    log.error(
      'uWebSockets.js native binary NOT loaded: running on the JavaScript ws fallback; performance targets do not hold',
    );
  } else {
    log.info('uWebSockets.js native binary loaded');
  }
  const metrics = createGatewayMetrics(impl);
  const authenticator = buildAuthenticator(o, metrics, log, root.child({ component: 'audit' }));
  const anonymous = anonymousPrincipal(o.maxConnectionsPerPrincipal, o.ratePerSecond, o.burst);
  const questdb = deps.questdb ?? createQuestDbClient(o.questdbUrl, o.questdbTimeoutMs);
  const names = questDbTableNames(o.tablePrefix);
  const tables = {
    trades: names.trades,
    candles: names.candles,
    indicators: names.indicators,
    alerts: names.alerts,
  };
  const cache = new LatestCache({
    recentTrades: o.recentTrades,
    recentAlerts: o.recentAlerts,
    maxInstruments: o.maxInstruments,
  });
  const conflator = new Conflator(
    {
      softBytes: o.softBackpressureBytes,
      hardBytes: o.hardBackpressureBytes,
      maxSlowMs: o.slowClientTimeoutMs,
    },
    metrics,
  );
  const sockets = new Set<WebSocket<Session>>();
  const app = uws.App();
  const fanout = new Fanout(app, cache, conflator, metrics);

  const coldCandle = async (venue: string, symbol: string, interval: Interval): Promise<Candle | null> => {
    const v = SqlValues.venue(venue);
    const s = SqlValues.symbol(symbol);
    const i = SqlValues.interval(interval);
    if (v === null || s === null || i === null) return null;
    try {
      const rows = rowObjects(await questdb.query(latestCandleQuery(tables, v, s, i)));
      return rows.length === 0 ? null : candleFromRow(rows[0]!);
    } catch (err) {
      log.warn({ err, venue, symbol, interval }, 'cold-cache candle lookup failed; snapshot is empty');
      return null;
    }
  };

  app.ws<Session>(
    '/ws',
    createWebSocketBehavior({
      maxPayloadBytes: o.maxPayloadBytes,
      maxSubscriptions: o.maxSubscriptions,
      idleTimeoutSec: o.idleTimeoutSec,
      maxLifetimeMin: o.maxLifetimeMin,
      hardBackpressureBytes: o.hardBackpressureBytes,
      allowedOrigins: o.allowedOrigins,
      authenticator,
      anonymous,
      connections: new ConnectionCounter(),
      cache,
      conflator,
      metrics,
      log,
      sockets,
      coldCandle,
    }),
  );
  registerRestRoutes(app, {
    questdb,
    tables,
    authenticator,
    anonymous,
    allowedOrigins: o.allowedOrigins,
    metrics,
    log,
  });
  let source: NatsSource | null = null;
  registerOpsRoutes(app, { impl, metrics, questdb, natsConnected: () => source?.connected ?? false });
  registerDashboardRoutes(app);
  app.any('/*', (res) => {
    new RequestGuard(res).json(404, errorBody('not_found', 'no such endpoint'));
  });

  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(o.host, o.port, (ls) => {
      if (ls === false)
        reject(new GatewayError('TF_ERR_GATEWAY_LISTEN', `cannot listen on ${o.host}:${o.port}`));
      else resolve(ls);
    });
  });
  const port = uws.us_socket_local_port(listenSocket as never);

  try {
    source = await (deps.startSource ?? ((sink, l) => startNatsSource(o.natsUrl, sink, l)))(fanout, log);
  } catch (err) {
    uws.us_listen_socket_close(listenSocket);
    throw err;
  }

  const heartbeat = setInterval(() => {
    const ts = Date.now();
    const json = Buffer.from(encodeServerMessage('json', { type: 'heartbeat', ts }) as string);
    const msgpack = encodeServerMessage('msgpack', { type: 'heartbeat', ts }) as Uint8Array;
    app.publish(heartbeatTopic('json'), json, false);
    app.publish(heartbeatTopic('msgpack'), msgpack, true);
  }, o.heartbeatMs);
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const ws of sockets) conflator.check(ws, now);
  }, SWEEP_INTERVAL_MS);
  log.info({ port, impl, auth: o.auth }, 'gateway listening');

  let closed = false;
  return {
    port,
    impl,
    metrics,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      clearInterval(sweep);
      for (const ws of [...sockets]) {
        ws.getUserData().closeReason = 'shutdown';
        ws.end(1001, 'server shutting down');
      }
      uws.us_listen_socket_close(listenSocket);
      await source?.close();
    },
  };
}
