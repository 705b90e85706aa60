import type { KeyClass } from './key-class';

// The physical storage interface (vault sdk/physical/physical.go). Values are
// opaque bytes: above this layer they are barrier ciphertext. Storage is
// untrusted, and synchronous because better-sqlite3 is.
export interface PhysicalBackend {
  get(key: string): Buffer | null;
  put(key: string, value: Buffer): void;
  delete(key: string): void;
  /** Vault list semantics: immediate children of prefix, folders end in '/'. */
  list(prefix: string): string[];
  /** Apply several operations in one transaction (one log record each). */
  transaction(ops: StorageOp[]): void;
}

export type StorageOp = { op: 'put'; key: string; value: Buffer } | { op: 'delete'; key: string };

/** One record of the replication log: written in the same transaction as its entry. */
export interface LogRecord {
  index: number;
  key: string;
  op: 'put' | 'delete';
  value: Buffer | null;
  cls: Exclude<KeyClass, 'ignored'>;
  /** Chain hash: H(previous guard ‖ this record). Identifies the history up to here. */
  guard: string;
}
