import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// A standby forwards a client's request over the active's API listener, so the
// active's socket sees the standby, not the client. Logins judge CIDR bindings
// by the client's address (auth/bound-cidrs.ts) and audit records it, so the
// standby names the client in X-Forwarded-For, and the active believes that
// only with a proof that takes the root key to make (the cluster's unsealed
// nodes hold it; so do its replication secondaries, which can read everything
// anyway): an HMAC under a key derived from it, bound to the request (method,
// target, body) and a time. Anything else — a client sending the headers itself, a
// claim replayed later or onto another request — leaves the socket address.

export const FORWARDED_FOR_HEADER = 'x-forwarded-for';
/** `<unix ms>.<hex HMAC>` over the claim. */
export const FORWARDED_PROOF_HEADER = 'x-coffer-ha-forwarded-for';
/** How old a proof may be: a forward answers within its 30 s timeout; clocks of one cluster agree to seconds. */
export const PROOF_MAX_AGE_MS = 60_000;
const KEY_LABEL = 'coffer/ha/forwarded-for';

export interface ForwardedClaim {
  clientAddr: string;
  method: string;
  /** The request target as sent: path and query. */
  target: string;
  body: Buffer | undefined;
}

function keyOf(rootKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), KEY_LABEL, 32));
}

function mac(rootKey: Buffer, at: number, c: ForwardedClaim): Buffer {
  const bodyHash = createHash('sha256').update(c.body ?? Buffer.alloc(0)).digest('hex');
  return createHmac('sha256', keyOf(rootKey)).update([at, c.clientAddr, c.method, c.target, bodyHash].join('\n')).digest();
}

export function proveForwardedFor(rootKey: Buffer, c: ForwardedClaim, now = Date.now()): string {
  return `${now}.${mac(rootKey, now, c).toString('hex')}`;
}

/** The client address the proof vouches for, or undefined (no claim, or one that does not verify). */
export function verifiedForwardedFor(rootKey: Buffer, c: Omit<ForwardedClaim, 'clientAddr'> & { clientAddr: unknown; proof: unknown }, now = Date.now()): string | undefined {
  if (typeof c.clientAddr !== 'string' || !c.clientAddr || typeof c.proof !== 'string') return undefined;
  const m = /^(\d{1,16})\.([0-9a-f]{64})$/.exec(c.proof);
  if (!m) return undefined;
  const at = Number(m[1]);
  if (Math.abs(now - at) > PROOF_MAX_AGE_MS) return undefined;
  const want = mac(rootKey, at, { ...c, clientAddr: c.clientAddr });
  const given = Buffer.from(m[2], 'hex');
  return timingSafeEqual(given, want) ? c.clientAddr : undefined;
}

/** The active's side (node.ts gives it to the API handler): the address a standby's proof vouches for, or undefined. */
export function vouchedClientAddress(rootKey: () => Buffer, req: { method?: string; url?: string; headers: IncomingHttpHeaders }, body: Buffer): string | undefined {
  const proof = req.headers[FORWARDED_PROOF_HEADER];
  if (proof === undefined) return undefined;
  let key: Buffer;
  try {
    key = rootKey();
  } catch {
    return undefined; // sealed: nothing to check the proof with
  }
  try {
    return verifiedForwardedFor(key, { clientAddr: req.headers[FORWARDED_FOR_HEADER], proof, method: req.method ?? 'GET', target: req.url ?? '/', body });
  } finally {
    key.fill(0);
  }
}
