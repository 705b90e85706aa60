import { combine, split } from 'shamir-secret-sharing';
import { VaultError } from '../errors';

// Shamir wiring over the audited `shamir-secret-sharing` package (GF(2^8), the
// same construction as vault/shamir). The library needs threshold >= 2, so a
// 1-of-1 configuration (dev mode, as in Vault) uses the key itself as share.
export async function splitKey(secret: Buffer, shares: number, threshold: number): Promise<Buffer[]> {
  if (shares === 1 && threshold === 1) return [Buffer.from(secret)];
  const parts = await split(new Uint8Array(secret), shares, threshold);
  return parts.map((p) => Buffer.from(p));
}

/**
 * Reconstruct a secret from shares. Shares come from the network, so every way
 * they can be wrong (unequal lengths, repeated x coordinates, too short) is a
 * client error: a typed 400 with Vault's wording ("failed to compute combined
 * key: …", vault/seal_manager unsealFragment), never a library exception that
 * would surface as a 500.
 */
export async function combineKey(parts: Buffer[]): Promise<Buffer> {
  const problem = shareProblem(parts);
  if (problem) throw combineError(problem);
  if (parts.length === 1) return Buffer.from(parts[0]);
  try {
    return Buffer.from(await combine(parts.map((p) => new Uint8Array(p))));
  } catch (cause) {
    throw combineError((cause as Error).message, cause);
  }
}

function shareProblem(parts: Buffer[]): string | null {
  if (parts.length === 0) return 'no shares given';
  if (parts.length > 255) return 'too many shares';
  if (parts.length === 1) return null;
  const len = parts[0].length;
  if (len < 2) return 'shares must be at least 2 bytes';
  if (parts.some((p) => p.length !== len)) return 'all shares must be the same length';
  const xs = new Set(parts.map((p) => p[len - 1]));
  if (xs.size !== parts.length) return 'duplicate part detected';
  return null;
}

const combineError = (reason: string, cause?: unknown) =>
  new VaultError('invalid_request', `failed to compute combined key: ${reason}`, cause === undefined ? undefined : { cause });

export function validateShareConfig(shares: number, threshold: number): string | null {
  if (!Number.isInteger(shares) || !Number.isInteger(threshold)) return 'secret_shares and secret_threshold must be integers';
  if (shares < 1) return 'secret shares must be at least one';
  if (threshold < 1) return 'secret threshold must be at least one';
  if (shares > 255) return 'secret shares must be at most 255';
  if (threshold > shares) return 'secret threshold cannot be larger than secret shares';
  if (shares > 1 && threshold === 1) return 'secret threshold must be greater than one for multiple shares';
  return null;
}
