/**
 * Browser `Origin` allow-list. Requests without an Origin header come from
 * non-browser clients and pass (they carry credentials of their own); a page
 * served by this gateway itself (Origin host equal to the Host header) passes;
 * any other browser origin must be listed, or the list must hold `*`.
 */

/** Decides whether an Origin header value may connect; `host` is the request's Host header. */
export function originAllowed(allowed: readonly string[], origin: string, host = ''): boolean {
  if (origin.length === 0) return true;
  if (host.length > 0 && (origin === `http://${host}` || origin === `https://${host}`)) return true;
  for (let i = 0; i < allowed.length; i++) {
    const a = allowed[i];
    if (a === '*' || a === origin) return true;
  }
  return false;
}
