import { VaultError } from '../errors';
import type { StorageOp } from './backend';

// The largest entry storage accepts (Vault's raft `max_entry_size`). Every
// stored entry becomes one replication log record, and a record must always
// fit one replication frame, so this is what keeps one client write from
// stalling replication. Measured on what is stored: key plus the (encrypted)
// value, so barrier overhead counts.

/** Vault's raft default: 1 MiB. */
export const DEFAULT_MAX_ENTRY_SIZE = 1024 * 1024;
/** Below this, Coffer's own entries (mount table, policies) may no longer fit. */
export const MIN_MAX_ENTRY_SIZE = 16 * 1024;
/**
 * The largest configurable limit. A record travels base64-encoded (4/3) in a
 * JSON frame; 32 MiB → ~43 MiB, comfortably under MAX_FRAME_BYTES (64 MiB,
 * replication/frames.ts) with room for key and framing.
 */
export const MAX_MAX_ENTRY_SIZE = 32 * 1024 * 1024;

/** Vault's physical.ErrValueTooLarge, which its HTTP layer answers with 413. */
export const ERR_VALUE_TOO_LARGE = 'put failed due to value being too large';

export const entrySize = (key: string, value: Buffer) => Buffer.byteLength(key) + value.length;

/** Throws a 413 VaultError if any put in ops is larger than max bytes. Nothing is written. */
export function checkEntrySizes(ops: readonly StorageOp[], max: number): void {
  for (const o of ops) {
    if (o.op !== 'put' || !Buffer.isBuffer(o.value)) continue;
    const n = entrySize(o.key, o.value);
    if (n > max) throw new VaultError('too_large', `${ERR_VALUE_TOO_LARGE}; got ${n} bytes, max: ${max} bytes`);
  }
}
