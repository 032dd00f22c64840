/**
 * The REST history API on the uWS app: GET /api/v1/symbols, /candles,
 * /trades, /alerts and /indicators/latest. Each request is authenticated
 * (Bearer header or `token` parameter), rate-limited per principal, checked
 * against the channel the data belongs to, validated strictly (rest/params.ts)
 * and answered from QuestDB through SQL built only from validated values.
 */

import type { HttpRequest, HttpResponse, TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import type { Logger } from 'pino';
import { ALERT_KINDS, SEVERITIES } from '../../schemas/index.js';
import { type Authenticator, credentialFrom } from '../auth/authenticator.js';
import { mayUse, type Principal } from '../auth/permissions.js';
import type { ChannelKind } from '../channels.js';
import { errorBody, RequestGuard } from '../http-reply.js';
import type { GatewayMetrics } from '../metrics.js';
import { originAllowed } from '../origin-policy.js';
import type { QuestDbClient } from '../questdb-client.js';
import { createTokenBucket, type TokenBucket, takeToken } from '../rate-limit.js';
import {
  alertFromRow,
  alertsQuery,
  candleFromRow,
  candlesQuery,
  type HistoryTables,
  indicatorFromRow,
  latestIndicatorQuery,
  type PageRequest,
  rowObjects,
  symbolsQuery,
  toPage,
  tradeFromRow,
  tradesQuery,
} from './history-queries.js';
import { HttpError } from './http-error.js';
import { QueryParams } from './params.js';

/** What the REST routes need. */
export interface RestDeps {
  questdb: QuestDbClient;
  tables: HistoryTables;
  authenticator: Authenticator | null;
  anonymous: Principal;
  allowedOrigins: readonly string[];
  metrics: GatewayMetrics;
  log: Logger;
}

type Handler = (params: QueryParams, now: number) => Promise<unknown>;

/** Principals tracked for REST rate limits before the table is reset (bounds memory). */
const MAX_BUCKETS = 10_000;

const MIN_US = 946_684_800_000_000;

/** Registers the REST routes on the app. */
export function registerRestRoutes(app: TemplatedApp, d: RestDeps): void {
  const buckets = new Map<string, TokenBucket>();
  const page = (p: QueryParams, now: number): PageRequest => ({
    fromUs: p.timeMicros('from', MIN_US, now),
    toUs: p.timeMicros('to', (now + 86_400_000) * 1000, now),
    limit: p.limit(),
    cursor: p.cursor(),
  });
  const query = async (sqlText: Parameters<QuestDbClient['query']>[0]) => {
    try {
      return rowObjects(await d.questdb.query(sqlText));
    } catch (err) {
      d.log.error({ err }, 'QuestDB query failed');
      throw new HttpError(503, 'upstream_unavailable', 'the history store is unavailable; retry later');
    }
  };

  function route(path: string, allowed: string[], channel: ChannelKind | null, handler: Handler): void {
    const names = [...allowed, 'token'];
    app.get(path, (res: HttpResponse, req: HttpRequest) => {
      const started = performance.now();
      const guard = new RequestGuard(res);
      const rawQuery = req.getQuery() ?? '';
      const authorization = req.getHeader('authorization');
      const origin = req.getHeader('origin');
      const host = req.getHeader('host');
      const remote = Buffer.from(res.getRemoteAddressAsText()).toString();
      const cors: Record<string, string> =
        origin === '' ? {} : { 'access-control-allow-origin': origin, vary: 'origin' };
      const finish = (status: number, body: unknown): void => {
        guard.json(status, body, cors);
        d.metrics.restLatency.observe(
          { route: path, status: String(status) },
          (performance.now() - started) / 1000,
        );
      };
      const run = async (): Promise<void> => {
        if (!originAllowed(d.allowedOrigins, origin, host))
          throw new HttpError(403, 'forbidden', `origin ${origin} is not allowed`);
        const params = new QueryParams(rawQuery, names);
        let principal = d.anonymous;
        if (d.authenticator !== null) {
          const result = await d.authenticator.authenticate(
            credentialFrom(authorization, params.raw('token') ?? ''),
            {
              transport: 'rest',
              remote,
            },
          );
          if (!result.ok) throw new HttpError(401, 'unauthorized', `credentials refused: ${result.reason}`);
          principal = result.principal;
        }
        const now = Date.now();
        let bucket = buckets.get(principal.id);
        if (bucket === undefined) {
          if (buckets.size >= MAX_BUCKETS) buckets.clear();
          bucket = createTokenBucket(principal.ratePerSecond, principal.burst, now);
          buckets.set(principal.id, bucket);
        }
        if (!takeToken(bucket, now))
          throw new HttpError(429, 'rate_limited', `at most ${principal.ratePerSecond} requests per second`);
        if (channel !== null && !mayUse(principal, channel)) {
          throw new HttpError(403, 'forbidden', `this credential may not read ${channel}`);
        }
        const body = await handler(params, now);
        if (!guard.done) finish(200, body);
      };
      run().catch((err: unknown) => {
        if (guard.done) return;
        if (err instanceof HttpError) {
          finish(err.status, errorBody(err.code, err.message));
          return;
        }
        d.log.error({ err }, 'REST handler failed');
        finish(500, errorBody('internal', 'internal error'));
      });
    });
  }

  route('/api/v1/symbols', ['venue'], null, async (p) => {
    const rows = await query(symbolsQuery(d.tables, p.venue('venue', false)));
    const data: { venue: string; symbol: string }[] = [];
    for (const r of rows) data.push({ venue: String(r['venue']), symbol: String(r['symbol']) });
    return { data };
  });

  route(
    '/api/v1/candles',
    ['venue', 'symbol', 'interval', 'from', 'to', 'limit', 'cursor'],
    'candles',
    async (p, now) => {
      const venue = p.venue('venue', true);
      const symbol = p.symbol('symbol', true);
      const { value: interval } = p.interval('interval');
      const req = page(p, now);
      return toPage(await query(candlesQuery(d.tables, venue, symbol, interval, req)), candleFromRow, req);
    },
  );

  route('/api/v1/trades', ['venue', 'symbol', 'from', 'to', 'limit', 'cursor'], 'trades', async (p, now) => {
    const venue = p.venue('venue', true);
    const symbol = p.symbol('symbol', true);
    const req = page(p, now);
    return toPage(await query(tradesQuery(d.tables, venue, symbol, req)), tradeFromRow, req);
  });

  route(
    '/api/v1/alerts',
    ['venue', 'symbol', 'severity', 'kind', 'from', 'to', 'limit', 'cursor'],
    'alerts',
    async (p, now) => {
      const filters = {
        venue: p.venue('venue', false),
        symbol: p.symbol('symbol', false),
        severity: p.oneOf('severity', SEVERITIES),
        kind: p.oneOf('kind', ALERT_KINDS),
      };
      const req = page(p, now);
      return toPage(await query(alertsQuery(d.tables, filters, req)), alertFromRow, req);
    },
  );

  route('/api/v1/indicators/latest', ['venue', 'symbol', 'interval'], 'indicators', async (p) => {
    const venue = p.venue('venue', true);
    const symbol = p.symbol('symbol', true);
    const { value: interval } = p.interval('interval');
    const rows = await query(latestIndicatorQuery(d.tables, venue, symbol, interval));
    if (rows.length === 0)
      throw new HttpError(404, 'not_found', 'no indicator snapshot stored for that symbol and interval');
    return { data: indicatorFromRow(rows[0]!) };
  });

  app.options('/api/*', (res, req) => {
    const origin = req.getHeader('origin');
    const host = req.getHeader('host');
    const guard = new RequestGuard(res);
    if (!originAllowed(d.allowedOrigins, origin, host)) {
      guard.json(403, errorBody('forbidden', `origin ${origin} is not allowed`));
      return;
    }
    guard.text(200, '', 'text/plain', {
      'access-control-allow-origin': origin === '' ? '*' : origin,
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'authorization',
      'access-control-max-age': '600',
      vary: 'origin',
    });
  });
}
