import { VaultError } from '../errors';
import type { StorageOp } from './backend';
import { classOf, type KeyClass } from './key-class';

// Who may write which class of key, decided where the write lands (vault
// sdk/logical/storage.go ErrReadOnly; ARCHITECTURE.md "Invariants"). A
// secondary's replicated state belongs to its primary: only the replication
// applier (SqliteBackend.applyShipped) writes it. A regex in a request gate can
// be bypassed by the next route; this table cannot.
//
//   mode                  normal writers            the applier
//   all                   every class               every class
//   performance-secondary local + ignored           every class
//   dr-secondary          ignored (node state)      every class
//
// (A performance primary ships no `local` key — context.ts shipsClass — but a
// bootstrap re-seals what this node keeps, its own CA included, in the same
// applier transaction that adopts the primary's keyring.)
export type WriteMode = 'all' | 'performance-secondary' | 'dr-secondary';
export type Writer = 'client' | 'applier';

export const WRITE_RULES: Record<WriteMode, Record<Writer, readonly KeyClass[]>> = {
  all: { client: ['replicated', 'local', 'ignored'], applier: ['replicated', 'local', 'ignored'] },
  'performance-secondary': { client: ['local', 'ignored'], applier: ['replicated', 'local', 'ignored'] },
  'dr-secondary': { client: ['ignored'], applier: ['replicated', 'local', 'ignored'] },
};

export function mayWrite(mode: WriteMode, writer: Writer, cls: KeyClass): boolean {
  return WRITE_RULES[mode][writer].includes(cls);
}

/** Vault's wording (logical.ErrReadOnly), so clients and logs read the same. */
export const READ_ONLY_MESSAGE = 'cannot write to readonly storage';

const WHY: Record<Exclude<WriteMode, 'all'>, string> = {
  'performance-secondary': 'this cluster is a performance secondary: replicated state is written on its primary',
  'dr-secondary': 'this cluster is a DR secondary: only replication from its primary writes here',
};

/**
 * A write this node does not own (typed: core forwards it to the primary or
 * refuses it). Thrown before anything is written, so a refused transaction
 * leaves no trace. The key is kept for logs, never put in the message (a
 * token's salted hash is no one's business).
 */
export class ReadOnlyError extends VaultError {
  constructor(
    readonly key: string,
    readonly keyClass: KeyClass,
    readonly mode: WriteMode,
    readonly writer: Writer,
  ) {
    super('read_only', mode === 'all' ? READ_ONLY_MESSAGE : `${READ_ONLY_MESSAGE}: ${WHY[mode]}`);
    this.name = 'ReadOnlyError';
  }
}

/** Throws ReadOnlyError for the first op this writer may not make under this mode. */
export function checkWriteOwnership(mode: WriteMode, writer: Writer, ops: readonly StorageOp[]): void {
  if (mode === 'all') return;
  for (const o of ops) {
    const cls = classOf(o.key);
    if (!mayWrite(mode, writer, cls)) throw new ReadOnlyError(o.key, cls, mode, writer);
  }
}

/** Where the node's role is stored, and the write mode a transaction that rewrites it establishes (replication/write-mode.ts). */
export interface RoleSource {
  readonly keys: ReadonlySet<string>;
  modeAfter(ops: readonly StorageOp[]): WriteMode;
}

/**
 * Like checkWriteOwnership, but a transaction that changes the node's role (it
 * writes a role key) is that change itself, and may write what either the old
 * or the new role may: enable-secondary wipes as the primary it still is,
 * promote writes as the primary it becomes — atomically with the role.
 */
export function checkRoleWrites(mode: WriteMode, roles: RoleSource | null, writer: Writer, ops: readonly StorageOp[]): void {
  try {
    checkWriteOwnership(mode, writer, ops);
  } catch (err) {
    if (!(err instanceof ReadOnlyError) || !roles || !ops.some((o) => roles.keys.has(o.key))) throw err;
    checkWriteOwnership(roles.modeAfter(ops), writer, ops);
  }
}
