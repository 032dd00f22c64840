/**
 * Browser `Origin` allow-list. Requests without an Origin header come from
 * non-browser clients and pass (they carry credentials of their own); a
 * browser origin must be listed, or the list must hold `*`.
 */

/** Decides whether an Origin header value may connect. */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  if (origin.length === 0) return true;
  for (let i = 0; i < allowed.length; i++) {
    const a = allowed[i];
    if (a === '*' || a === origin) return true;
  }
  return false;
}
