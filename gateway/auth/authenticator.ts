/**
 * One entry point for credentials: an API key (`tfk_…`) is looked up in the
 * key store, anything else is verified as a JWT. Every outcome goes to the
 * audit log (pino, component `audit`) without the credential itself.
 */

import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { type ApiKeyStore, looksLikeApiKey } from './api-keys.js';
import type { Principal } from './permissions.js';
import type { TokenVerifier } from './tokens.js';

/** Why a credential was refused. */
export type AuthFailureReason =
  | 'missing'
  | 'unknown_key'
  | 'no_token_verifier'
  | 'expired'
  | 'bad_signature'
  | 'bad_claims'
  | 'malformed';

/** Outcome of {@link Authenticator.authenticate}. */
export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: AuthFailureReason };

/** Where the credential came from, for the audit log. */
export interface AuthContext {
  transport: 'ws' | 'rest';
  remote: string;
}

/** Checks credentials against the key store and the token verifier. */
export class Authenticator {
  readonly #keys: ApiKeyStore;
  readonly #tokens: TokenVerifier | null;
  readonly #audit: Logger;
  readonly #failures: Counter<'reason'>;

  constructor(keys: ApiKeyStore, tokens: TokenVerifier | null, audit: Logger, failures: Counter<'reason'>) {
    this.#keys = keys;
    this.#tokens = tokens;
    this.#audit = audit;
    this.#failures = failures;
  }

  /** Authenticates a credential (key or JWT); `null` or empty means none was given. */
  async authenticate(credential: string | null, ctx: AuthContext): Promise<AuthResult> {
    const result = await this.#check(credential);
    if (result.ok) {
      this.#audit.info({ event: 'auth_ok', principal: result.principal.id, ...ctx }, 'authenticated');
    } else {
      this.#failures.inc({ reason: result.reason });
      this.#audit.warn({ event: 'auth_failed', reason: result.reason, ...ctx }, 'authentication refused');
    }
    return result;
  }

  async #check(credential: string | null): Promise<AuthResult> {
    if (credential === null || credential.length === 0) return { ok: false, reason: 'missing' };
    if (credential.length > 8192) return { ok: false, reason: 'malformed' };
    if (looksLikeApiKey(credential)) {
      const principal = this.#keys.lookup(credential);
      return principal === undefined ? { ok: false, reason: 'unknown_key' } : { ok: true, principal };
    }
    if (this.#tokens === null) return { ok: false, reason: 'no_token_verifier' };
    const verdict = await this.#tokens(credential);
    return typeof verdict === 'string' ? { ok: false, reason: verdict } : { ok: true, principal: verdict };
  }
}

/** The credential of a request: `Authorization: Bearer <x>` or else the `token` query parameter. */
export function credentialFrom(authorization: string, queryToken: string): string | null {
  if (authorization.length > 0) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    return m === null ? '' : m[1]!;
  }
  return queryToken.length > 0 ? queryToken : null;
}
