/**
 * QuestDB over its HTTP `/exec` endpoint, for history reads. Takes only
 * {@link SafeSql} (see rest/sql.ts), so request values cannot reach it unquoted.
 */

import { GatewayError } from './errors.js';
import type { SafeSql } from './rest/sql.js';

/** Rows of one answer, with column names. */
export interface QuestDbRows {
  columns: { name: string; type: string }[];
  dataset: unknown[][];
}

/** Read access to QuestDB. */
export interface QuestDbClient {
  /** Runs a query; rejects with `TF_ERR_GATEWAY_QUESTDB` when QuestDB is unreachable or refuses it. */
  query(q: SafeSql): Promise<QuestDbRows>;
  /** True when QuestDB answers `select 1` in time. */
  ping(): Promise<boolean>;
}

/** A client for `http://host:port`; each request is abandoned after `timeoutMs`. */
export function createQuestDbClient(httpUrl: string, timeoutMs: number): QuestDbClient {
  const base = httpUrl.replace(/\/+$/, '');
  async function query(q: SafeSql): Promise<QuestDbRows> {
    let res: Response;
    try {
      res = await fetch(`${base}/exec?query=${encodeURIComponent(q.text)}`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new GatewayError('TF_ERR_GATEWAY_QUESTDB', `QuestDB at ${base} is unreachable`, { cause: err });
    }
    let body: { columns?: QuestDbRows['columns']; dataset?: unknown[][]; error?: string };
    try {
      body = (await res.json()) as typeof body;
    } catch (err) {
      throw new GatewayError('TF_ERR_GATEWAY_QUESTDB', `QuestDB answered HTTP ${res.status} without JSON`, {
        cause: err,
      });
    }
    if (!res.ok || body.error !== undefined) {
      throw new GatewayError(
        'TF_ERR_GATEWAY_QUESTDB',
        `QuestDB refused a query: ${body.error ?? `HTTP ${res.status}`}`,
      );
    }
    return { columns: body.columns ?? [], dataset: body.dataset ?? [] };
  }
  return {
    query,
    async ping() {
      try {
        await query({ text: 'select 1' });
        return true;
      } catch {
        return false;
      }
    },
  };
}
