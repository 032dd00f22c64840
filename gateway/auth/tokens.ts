/**
 * Bearer JWTs, verified with jose against an HS256 secret or a local JWKS
 * file (RS256/ES256/EdDSA keys). Claims: `sub` (required), `channels` (list of
 * channel kinds or `*`), optional `max_conn`, `rate` and `burst` overriding the
 * gateway defaults. `exp` is required, so a leaked token does not live forever.
 */

import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { GatewayError } from '../errors.js';
import { type Principal, parseChannelGrants } from './permissions.js';

/** Where token keys come from and what the claims must say. */
export interface TokenVerifierOptions {
  /** HS256 shared secret (at least 32 bytes). */
  secret?: string;
  /** Path of a JWKS JSON file with public keys. */
  jwksFile?: string;
  issuer?: string;
  audience?: string;
  /** Limits for tokens whose claims do not set them. */
  defaultMaxConnections: number;
  defaultRatePerSecond: number;
  defaultBurst: number;
}

/** Why a token was refused (audit log and metric label). */
export type TokenFailure = 'expired' | 'bad_signature' | 'bad_claims' | 'malformed';

/** Verifies a token: a principal, or the reason it was refused. */
export type TokenVerifier = (token: string) => Promise<Principal | TokenFailure>;

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

function limit(x: unknown, fallback: number): number | null {
  if (x === undefined) return fallback;
  return typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 100_000 ? x : null;
}

/** Builds a verifier; throws `TF_ERR_GATEWAY_CONFIG` when neither or a bad key source is given. */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (opts.secret !== undefined) {
    if (Buffer.byteLength(opts.secret) < 32) {
      throw new GatewayError('TF_ERR_GATEWAY_CONFIG', 'options.jwtSecret must be at least 32 bytes');
    }
    key = new TextEncoder().encode(opts.secret);
    algorithms = ['HS256'];
  } else if (opts.jwksFile !== undefined) {
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(readFileSync(opts.jwksFile, 'utf8')) as JSONWebKeySet;
    } catch (err) {
      throw new GatewayError(
        'TF_ERR_GATEWAY_CONFIG',
        `options.jwksFile ${opts.jwksFile} is not a readable JSON file`,
        {
          cause: err,
        },
      );
    }
    key = createLocalJWKSet(jwks);
    algorithms = ASYMMETRIC;
  } else {
    throw new GatewayError(
      'TF_ERR_GATEWAY_CONFIG',
      'a token verifier needs options.jwtSecret or options.jwksFile',
    );
  }
  const verifyOptions = {
    algorithms,
    requiredClaims: ['exp', 'sub'],
    ...(opts.issuer === undefined ? {} : { issuer: opts.issuer }),
    ...(opts.audience === undefined ? {} : { audience: opts.audience }),
  };
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      const result =
        typeof key === 'function'
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions);
      payload = result.payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return 'expired';
      if (
        err instanceof joseErrors.JWSSignatureVerificationFailed ||
        err instanceof joseErrors.JWKSNoMatchingKey
      ) {
        return 'bad_signature';
      }
      if (err instanceof joseErrors.JWTClaimValidationFailed) return 'bad_claims';
      return 'malformed';
    }
    const sub = payload['sub'];
    const channels = parseChannelGrants(payload['channels']);
    const maxConnections = limit(payload['max_conn'], opts.defaultMaxConnections);
    const ratePerSecond = limit(payload['rate'], opts.defaultRatePerSecond);
    const burst = limit(payload['burst'], opts.defaultBurst);
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128 || channels === null)
      return 'bad_claims';
    if (maxConnections === null || ratePerSecond === null || burst === null) return 'bad_claims';
    return { id: `jwt:${sub}`, kind: 'jwt', channels, maxConnections, ratePerSecond, burst };
  };
}
