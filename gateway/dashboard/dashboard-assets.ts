/**
 * The dashboard's static files, read once at start: the page, its script and
 * style from `gateway/dashboard/public/`, and the lightweight-charts standalone
 * build from node_modules, so the page needs no CDN. `tsc` copies no assets
 * into `build/`, so the public folder is looked up next to the compiled module
 * first and in the source tree second.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Fixed URL of the charting library, referenced by the page. */
export const CHART_LIBRARY_PATH = '/dashboard/vendor/lightweight-charts.js';

/** One file ready to send. */
export interface DashboardAsset {
  body: Buffer;
  contentType: string;
}

/** URL path → file, or the reason the dashboard cannot be served. */
export type DashboardAssets =
  | { ok: true; files: Map<string, DashboardAsset> }
  | { ok: false; reason: string };

const PAGE_FILES: readonly (readonly [string, string, string])[] = [
  ['/dashboard/app.js', 'dashboard.js', 'text/javascript; charset=utf-8'],
  ['/dashboard/app.css', 'dashboard.css', 'text/css; charset=utf-8'],
  ['/dashboard/index.html', 'index.html', 'text/html; charset=utf-8'],
];

function publicDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'public'), join(here, '..', '..', '..', 'gateway', 'dashboard', 'public')];
  for (const dir of candidates) if (existsSync(join(dir, 'index.html'))) return dir;
  return null;
}

function chartLibraryFile(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
    const file = join(dirname(pkg), 'dist', 'lightweight-charts.standalone.production.js');
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

/** Reads every dashboard file; never throws (a gateway without its page still serves data). */
export function loadDashboardAssets(): DashboardAssets {
  const dir = publicDir();
  if (dir === null) return { ok: false, reason: 'gateway/dashboard/public/ not found next to the gateway' };
  const chart = chartLibraryFile();
  if (chart === null)
    return { ok: false, reason: 'lightweight-charts is not installed (npm install lightweight-charts@4)' };
  const files = new Map<string, DashboardAsset>();
  try {
    for (const [path, name, contentType] of PAGE_FILES)
      files.set(path, { body: readFileSync(join(dir, name)), contentType });
    files.set(CHART_LIBRARY_PATH, {
      body: readFileSync(chart),
      contentType: 'text/javascript; charset=utf-8',
    });
  } catch (err) {
    return { ok: false, reason: `cannot read the dashboard files: ${(err as Error).message}` };
  }
  return { ok: true, files };
}
