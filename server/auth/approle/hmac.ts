import { createHmac } from 'node:crypto';
import { badRequest } from '../../errors';

// Secret-ids, role_ids and accessors only ever reach storage keys as
// HMAC-SHA256 under the mount's salt (vault approle createHMAC): the clear
// value is in no key and no value.

/** Vault refuses longer inputs (maxHmacInputLength). */
const MAX_HMAC_INPUT = 4096;

export function hmacOf(salt: string, value: string): string {
  if (Buffer.byteLength(value) > MAX_HMAC_INPUT) throw badRequest(`value is longer than maximum of ${MAX_HMAC_INPUT} bytes`);
  return createHmac('sha256', salt).update(value).digest('hex');
}
