import { createHash, randomBytes, randomUUID } from 'node:crypto';

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Uniform base62 string (rejection sampling keeps it unbiased). */
export function base62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

/** Service token ids look like Vault's: `hvs.` + 24 base62 characters (28 chars, as the seeds show). */
export const newServiceTokenId = () => 'hvs.' + base62(24);
export const newAccessor = () => base62(24);
export const newUuid = () => randomUUID();

/** Salted hash used in storage keys, so no token id is ever stored in plaintext. */
export function saltedHash(salt: string, value: string): string {
  return createHash('sha256').update(salt).update('\0').update(value).digest('hex');
}
