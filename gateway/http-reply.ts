/**
 * Writing HTTP answers with uWS: a response must be written at most once,
 * inside `cork` when written after an await, and never after `onAborted`
 * fired. {@link RequestGuard} tracks that for one request.
 */

import type { HttpResponse } from '@trufflesuite/uws-js-unofficial';

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/** The status line for a code. */
export function statusLine(status: number): string {
  return STATUS_TEXT[status] ?? `${status} Error`;
}

/** Registers `onAborted` at once and answers only while the client is still there. */
export class RequestGuard {
  readonly #res: HttpResponse;
  #done = false;

  /** Call synchronously in the route handler, before any await. */
  constructor(res: HttpResponse) {
    this.#res = res;
    res.onAborted(() => {
      this.#done = true;
    });
  }

  /** True once answered or aborted. */
  get done(): boolean {
    return this.#done;
  }

  /** Sends a JSON body with a status and headers, corked; does nothing after an abort. */
  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.text(status, JSON.stringify(body), 'application/json', headers);
  }

  /** Sends a text body. */
  text(status: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
    if (this.#done) return;
    this.#done = true;
    const res = this.#res;
    res.cork(() => {
      res.writeStatus(statusLine(status)).writeHeader('content-type', contentType);
      for (const k in headers) res.writeHeader(k, headers[k]!);
      res.end(body);
    });
  }
}

/** `{error: {code, message}}`, the body of every REST refusal. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
