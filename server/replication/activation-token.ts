import { decodeJwt, decodeProtectedHeader, errors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { VaultError } from '../errors';

// The secondary activation token (replication-api.md §4): a compact ES512 JWS
// that stands in for a response-wrapping token. `jti` is the real wrapping
// token's id, `addr` the primary's API address the secondary redeems it at.
// The signature only proves the primary minted it; single use and revocation
// live in the wrapping-token entry behind `jti`, which the caller owns.

export type { JWK };

export interface ActivationClaims {
  jti: string;
  addr: string;
  accessor: string;
  type: 'wrapping';
  iat: number;
  exp: number;
  nbf: number;
  /** Coffer's addition: 'dr' | 'performance'. */
  mode?: string;
}

export const ACTIVATION_ALG = 'ES512';
export const DEFAULT_ACTIVATION_TTL_SECONDS = 1800;
/** Vault backdates nbf so a secondary whose clock is a little behind can redeem at once. */
const NBF_BACKDATE_SECONDS = 5;

export type TokenErrorReason = 'malformed' | 'bad signature' | 'expired' | 'not yet valid' | 'wrong type';

/**
 * A token that cannot be redeemed. It is a 400 at the HTTP edge (a client
 * presented it), so it extends VaultError; `reason` tells callers and tests why.
 */
export class TokenError extends VaultError {
  constructor(
    readonly reason: TokenErrorReason,
    msg: string,
    opts?: ErrorOptions,
  ) {
    super('invalid_request', msg, opts);
    this.name = 'TokenError';
  }
}

/** A fresh P-521 key pair as JWKs; the caller persists the private one behind its barrier. */
export async function generateSigningKey(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(ACTIVATION_ALG, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const publicJwk = await exportJWK(publicKey);
  return { privateJwk: { ...privateJwk, alg: ACTIVATION_ALG }, publicJwk: { ...publicJwk, alg: ACTIVATION_ALG } };
}

export async function signActivationToken(
  privateJwk: JWK,
  c: { jti: string; addr: string; accessor?: string; ttlSeconds: number; mode?: string },
): Promise<string> {
  if (!Number.isSafeInteger(c.ttlSeconds) || c.ttlSeconds <= 0) {
    throw new VaultError('invalid_request', `invalid ttl ${c.ttlSeconds}: must be a positive number of seconds`);
  }
  if (!c.jti) throw new Error('signActivationToken: jti is required');
  const key = await importJWK(privateJwk, ACTIVATION_ALG);
  const iat = Math.floor(Date.now() / 1000);
  // `mode` is Coffer's addition: a secondary can refuse a wrong-mode token before redeeming (and burning) it.
  return new SignJWT({ addr: c.addr, accessor: c.accessor ?? '', type: 'wrapping', ...(c.mode ? { mode: c.mode } : {}) })
    .setProtectedHeader({ alg: ACTIVATION_ALG, typ: 'JWT' })
    .setJti(c.jti)
    .setIssuedAt(iat)
    .setNotBefore(iat - NBF_BACKDATE_SECONDS)
    .setExpirationTime(iat + c.ttlSeconds)
    .sign(key);
}

/** Verify signature, time window and `type`; returns the claims or throws TokenError. */
export async function verifyActivationToken(publicJwk: JWK, token: string): Promise<ActivationClaims> {
  if (!looksLikeJwt(token)) throw new TokenError('malformed', 'activation token is not a JWT');
  const key = await importJWK(publicJwk, ACTIVATION_ALG);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: [ACTIVATION_ALG], typ: 'JWT', requiredClaims: ['jti', 'exp', 'iat'] }));
  } catch (err) {
    throw mapJoseError(err);
  }
  if (payload.type !== 'wrapping') {
    throw new TokenError('wrong type', `activation token has type ${JSON.stringify(payload.type)}, expected "wrapping"`);
  }
  const claims = pickClaims(payload);
  if (claims.jti === undefined || claims.addr === undefined || claims.iat === undefined || claims.exp === undefined) {
    throw new TokenError('malformed', 'activation token lacks jti, addr, iat or exp');
  }
  return { accessor: '', nbf: claims.iat, ...claims } as ActivationClaims;
}

/**
 * Read the claims WITHOUT verifying anything: what a secondary or the console
 * looks at (addr, exp) before redeeming. Never base a trust decision on it.
 */
export function decodeActivationClaims(token: string): Partial<ActivationClaims> | null {
  if (!looksLikeJwt(token)) return null;
  try {
    return pickClaims(decodeJwt(token));
  } catch {
    return null;
  }
}

/** Three base64url parts whose header is JSON naming an algorithm (Vault: "has two dots"). */
export function looksLikeJwt(token: string): boolean {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return false;
  try {
    return typeof decodeProtectedHeader(token).alg === 'string';
  } catch {
    return false;
  }
}

function pickClaims(p: Record<string, unknown>): Partial<ActivationClaims> {
  const out: Partial<ActivationClaims> = {};
  for (const k of ['jti', 'addr', 'accessor', 'mode'] as const) if (typeof p[k] === 'string') out[k] = p[k] as string;
  for (const k of ['iat', 'exp', 'nbf'] as const) if (typeof p[k] === 'number') out[k] = p[k] as number;
  if (p.type === 'wrapping') out.type = 'wrapping';
  return out;
}

function mapJoseError(err: unknown): TokenError {
  const opts = { cause: err };
  if (err instanceof errors.JWTExpired) return new TokenError('expired', 'activation token has expired', opts);
  // An algorithm other than ES512 (alg "none", HS256 with the public key…) is a forgery, not a typo.
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JOSEAlgNotAllowed) {
    return new TokenError('bad signature', 'activation token signature is not valid for this cluster', opts);
  }
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') {
    return new TokenError('not yet valid', 'activation token is not yet valid (check the clocks)', opts);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new TokenError('malformed', `activation token is malformed: ${detail}`, opts);
}
