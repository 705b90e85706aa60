import { combine, split } from 'shamir-secret-sharing';

// Shamir wiring over the audited `shamir-secret-sharing` package (GF(2^8), the
// same construction as vault/shamir). The library needs threshold >= 2, so a
// 1-of-1 configuration (dev mode, as in Vault) uses the key itself as share.
export async function splitKey(secret: Buffer, shares: number, threshold: number): Promise<Buffer[]> {
  if (shares === 1 && threshold === 1) return [Buffer.from(secret)];
  const parts = await split(new Uint8Array(secret), shares, threshold);
  return parts.map((p) => Buffer.from(p));
}

export async function combineKey(parts: Buffer[]): Promise<Buffer> {
  if (parts.length === 1) return Buffer.from(parts[0]);
  return Buffer.from(await combine(parts.map((p) => new Uint8Array(p))));
}

export function validateShareConfig(shares: number, threshold: number): string | null {
  if (!Number.isInteger(shares) || !Number.isInteger(threshold)) return 'secret_shares and secret_threshold must be integers';
  if (shares < 1) return 'secret shares must be at least one';
  if (threshold < 1) return 'secret threshold must be at least one';
  if (shares > 255) return 'secret shares must be at most 255';
  if (threshold > shares) return 'secret threshold cannot be larger than secret shares';
  if (shares > 1 && threshold === 1) return 'secret threshold must be greater than one for multiple shares';
  return null;
}
