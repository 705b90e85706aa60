import { badRequest } from '../errors';

/** Unseal keys arrive as hex (Vault's `keys`) or base64 (`keys_base64`). */
export function decodeKeyShare(key: unknown): Buffer {
  if (typeof key !== 'string' || !key.trim()) throw badRequest("'key' must be a non-empty string");
  const k = key.trim();
  if (/^[0-9a-fA-F]+$/.test(k) && k.length % 2 === 0) return Buffer.from(k, 'hex');
  const b = Buffer.from(k, 'base64');
  if (b.length === 0) throw badRequest('invalid key: neither hex nor base64');
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
