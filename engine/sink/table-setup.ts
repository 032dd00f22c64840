/**
 * Creates the QuestDB tables over the REST `/exec` endpoint before any writer starts. Every
 * statement is idempotent, so every engine process may run it at start-up.
 */
import { indicatorColumnName, questDbDdl, questDbTableNames } from '../../schemas/index.js';
import { SinkError } from './errors.js';

/** Options of {@link ensureTables}. */
export interface TableSetupOptions {
  /** Drop partitions older than this many days; omitted: keep everything. */
  ttlDays?: number;
  /** Indicator output names; one DOUBLE column each. */
  indicatorColumns: readonly string[];
  /** Prepended to every table name, e.g. `test_`. */
  tablePrefix?: string;
  /** Per statement; default 30 000 ms. */
  timeoutMs?: number;
}

/** What {@link ensureTables} ran, in order. */
export interface TableSetupResult {
  statements: string[];
}

/**
 * Runs the CREATE TABLE IF NOT EXISTS statements of `questDbDdl`, then
 * `ADD COLUMN IF NOT EXISTS` for every indicator column, because a table made by an
 * older configuration keeps its old column set otherwise. Rejects with
 * `TF_ERR_SINK_DDL` naming the statement QuestDB refused (or could not be reached for).
 */
export async function ensureTables(httpUrl: string, opts: TableSetupOptions): Promise<TableSetupResult> {
  const statements = questDbDdl(opts);
  const indicators = questDbTableNames(opts.tablePrefix).indicators;
  const added = new Set<string>();
  for (const name of opts.indicatorColumns) {
    const column = indicatorColumnName(name);
    if (added.has(column)) continue;
    added.add(column);
    statements.push(`ALTER TABLE ${indicators} ADD COLUMN IF NOT EXISTS ${column} DOUBLE`);
  }
  const timeoutMs = opts.timeoutMs ?? 30_000;
  for (const sql of statements) await execDdl(httpUrl, sql, timeoutMs);
  return { statements };
}

async function execDdl(httpUrl: string, sql: string, timeoutMs: number): Promise<void> {
  const url = `${httpUrl.replace(/\/+$/, '')}/exec?query=${encodeURIComponent(sql)}`;
  let res: Response;
  let body: { error?: string; position?: number } = {};
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = { error: text.slice(0, 200) };
    }
  } catch (err) {
    throw new SinkError(
      'TF_ERR_SINK_DDL',
      `QuestDB at ${httpUrl} did not answer ${firstLine(sql)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (!res.ok || body.error !== undefined) {
    const at = body.position === undefined ? '' : ` at position ${body.position}`;
    throw new SinkError(
      'TF_ERR_SINK_DDL',
      `QuestDB refused ${firstLine(sql)}: ${body.error ?? `HTTP ${res.status}`}${at}\n${sql}`,
    );
  }
}

function firstLine(sql: string): string {
  const nl = sql.indexOf('\n');
  return JSON.stringify(nl < 0 ? sql : `${sql.slice(0, nl)} …`);
}
