// Client-side helpers for the tokens replication hands around: the activation
// JWT (read its claims without verifying — the server verifies), a short
// fingerprint two admins can compare by voice, and the DR operation token
// encoded against a one-time password (replication-api.md §2.4, §4).

export interface ActivationClaims {
  /** The primary's API address; when absent the secondary must be told it. */
  addr?: string;
  exp?: number;
  iat?: number;
  jti?: string;
  type?: string;
  [claim: string]: unknown;
}

function base64ToBytes(b64: string): Uint8Array {
  const std = b64.replace(/-/g, '+').replace(/_/g, '/').replace(/\s+/g, '');
  const padded = std + '='.repeat((4 - (std.length % 4)) % 4);
  const bin = atob(padded);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The claims of a compact JWS, or null for anything that is not one. */
export function decodeJwtClaims(jwt: string): ActivationClaims | null {
  const parts = jwt.trim().split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const json = new TextDecoder().decode(base64ToBytes(parts[1]));
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as ActivationClaims) : null;
  } catch {
    return null;
  }
}

/** Does the pasted activation token leave "Primary API address" to the user? */
export function tokenNeedsPrimaryAddr(jwt: string): boolean {
  const claims = decodeJwtClaims(jwt);
  return !!claims && !(typeof claims.addr === 'string' && claims.addr.trim() !== '');
}

export const FINGERPRINT_EDGE = 4;

/**
 * First and last four hex digits of SHA-256(token): "ab12…9f0e". WebCrypto
 * exists only in secure contexts; a console served over plain http on a LAN
 * name falls back to sha256Hex below.
 */
export async function tokenFingerprint(token: string): Promise<string> {
  const bytes = new TextEncoder().encode(token.trim());
  const subtle = globalThis.crypto?.subtle;
  const hex = subtle
    ? Array.from(new Uint8Array(await subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('')
    : sha256Hex(bytes);
  return `${hex.slice(0, FINGERPRINT_EDGE)}…${hex.slice(-FINGERPRINT_EDGE)}`;
}

const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Plain SHA-256 (FIPS 180-4), hex. Only for fingerprints where WebCrypto is missing. */
export function sha256Hex(data: Uint8Array): string {
  const h = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor((data.length * 8) / 2 ** 32));
  view.setUint32(padded.length - 4, (data.length * 8) >>> 0);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    const next = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = (h[i] + next[i]) >>> 0;
  }
  return Array.from(h, (x) => x.toString(16).padStart(8, '0')).join('');
}

/**
 * `vault operator generate-root -dr-token -decode=<encoded> -otp=<otp>`:
 * base64-decode the encoded token and XOR it with the OTP's bytes.
 */
export function decodeOperationToken(encoded: string, otp: string): string {
  const tokenBytes = base64ToBytes(encoded.trim());
  const otpBytes = new TextEncoder().encode(otp.trim());
  if (tokenBytes.length !== otpBytes.length) {
    throw new Error(`the encoded token is ${tokenBytes.length} bytes but the OTP is ${otpBytes.length}; they must match`);
  }
  const out = new Uint8Array(tokenBytes.length);
  for (let i = 0; i < out.length; i++) out[i] = tokenBytes[i] ^ otpBytes[i];
  return new TextDecoder().decode(out);
}

const EXPIRES_FORMAT = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: true,
});

/** "Jan 10, 2025, 09:15:02 AM", like Vault's `MMM dd, yyyy hh:mm:ss a`. */
export function formatExpires(d: Date | null): string {
  return d ? EXPIRES_FORMAT.format(d) : 'Unknown';
}
