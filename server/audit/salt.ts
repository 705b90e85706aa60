import { createHmac, randomUUID } from 'node:crypto';

// Each audit device HMACs with its own salt (vault sdk/helper/salt): a value
// looks different in two devices' logs, and disabling a device throws its salt
// away, so re-enabling at the same path cannot match old entries.
export const HMAC_PREFIX = 'hmac-sha256:';

export function newSalt(): string {
  return randomUUID();
}

/** "hmac-sha256:<hex>" of a string under a salt, as sys/audit-hash and the log show it. */
export function hashString(salt: string, value: string): string {
  return HMAC_PREFIX + createHmac('sha256', salt).update(value).digest('hex');
}
