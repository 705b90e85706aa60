import { badRequest } from '../errors';

/** A share of the 32-byte root key is 33 bytes (x coordinate appended); a 1-of-1 key is the key itself. */
const SHARE_LENGTHS = [32, 33];

/** Unseal keys arrive as hex (Vault's `keys`) or base64 (`keys_base64`). */
export function decodeKeyShare(key: unknown): Buffer {
  if (typeof key !== 'string' || !key.trim()) throw badRequest("'key' must be a non-empty string");
  const k = key.trim();
  // Hex first, then base64 when hex fails or gives an impossible length (as
  // Vault's handler does, so a base64 key made only of hex digits still works).
  let b: Buffer | null = /^[0-9a-fA-F]+$/.test(k) && k.length % 2 === 0 ? Buffer.from(k, 'hex') : null;
  if (!b || !SHARE_LENGTHS.includes(b.length)) {
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(k) && k.length % 4 !== 1) b = Buffer.from(k, 'base64');
    else if (!b) throw badRequest("'key' must be a valid hex or base64 string");
  }
  if (!SHARE_LENGTHS.includes(b.length)) throw badRequest(`invalid key: a share must be 32 or 33 bytes, got ${b.length}`);
  return b;
}

/** Collects distinct shares toward a threshold (unseal and generate-root). */
export class ShareCollector {
  private shares: Buffer[] = [];

  get progress(): number {
    return this.shares.length;
  }

  add(share: Buffer): void {
    if (this.shares.some((s) => s.equals(share))) throw badRequest('given key has already been provided during this generation operation');
    this.shares.push(share);
  }

  take(): Buffer[] {
    const out = this.shares;
    this.shares = [];
    return out;
  }

  reset(): void {
    this.shares = [];
  }
}
