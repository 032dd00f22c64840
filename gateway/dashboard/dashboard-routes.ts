/**
 * Serves the operators' dashboard: GET / and /dashboard (the page) and its
 * files under /dashboard/. The page is an ordinary client: it authenticates
 * with an API key like any other and reads the same WS protocol and REST API,
 * so these routes need no credentials and hold no data.
 */

import type { HttpResponse, TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import { errorBody, RequestGuard } from '../http-reply.js';
import { type DashboardAsset, type DashboardAssets, loadDashboardAssets } from './dashboard-assets.js';

// The page talks to its own origin (REST, WS, /metrics) and optionally to an
// engine ops URL given by the operator, so connect-src must allow other hosts.
const PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self' ws: wss: http: https:; frame-ancestors 'none'",
};

const ASSET_HEADERS: Record<string, string> = {
  'cache-control': 'public, max-age=300',
  'x-content-type-options': 'nosniff',
};

// Answered synchronously from memory, so no onAborted/cork bookkeeping is needed.
function send(res: HttpResponse, asset: DashboardAsset, headers: Record<string, string>): void {
  res.writeStatus('200 OK').writeHeader('content-type', asset.contentType);
  for (const k in headers) res.writeHeader(k, headers[k]!);
  res.end(asset.body);
}

/** Registers the dashboard routes; `assets` defaults to the files on disk. */
export function registerDashboardRoutes(
  app: TemplatedApp,
  assets: DashboardAssets = loadDashboardAssets(),
): void {
  if (!assets.ok) {
    const missing = (res: HttpResponse): void => {
      new RequestGuard(res).json(503, errorBody('dashboard_unavailable', assets.reason));
    };
    app.get('/', missing);
    app.get('/dashboard', missing);
    app.get('/dashboard/*', missing);
    return;
  }
  const page = assets.files.get('/dashboard/index.html')!;
  app.get('/', (res) => send(res, page, PAGE_HEADERS));
  app.get('/dashboard', (res) => send(res, page, PAGE_HEADERS));
  for (const [path, asset] of assets.files) {
    if (path.endsWith('.html')) continue;
    app.get(path, (res) => send(res, asset, ASSET_HEADERS));
  }
}
