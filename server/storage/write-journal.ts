import { AsyncLocalStorage } from 'node:async_hooks';
import type { StorageOp } from './backend';

// A request that a secondary ends up forwarding (its handler hit a write the
// node does not own) must leave no half of itself behind: the local writes it
// made before the refusal are undone. Handlers are async and interleave with
// other requests on one connection, so a SQL savepoint cannot span a request;
// instead each request records, per key it wrote, the value before its first
// write and the value it left. Undo restores a key only if it still holds what
// this request left — a later write by someone else wins.
export class WriteJournal {
  private readonly before = new Map<string, Buffer | null>();
  private readonly after = new Map<string, Buffer | null>();

  /** Call before a write is applied, with the key's current value. */
  noteBefore(key: string, current: () => Buffer | null): void {
    if (!this.before.has(key)) this.before.set(key, current());
  }

  noteAfter(ops: readonly StorageOp[]): void {
    for (const o of ops) this.after.set(o.key, o.op === 'put' ? o.value : null);
  }

  /** The ops that put back what this request changed, skipping keys changed since by others. */
  undoOps(current: (key: string) => Buffer | null): StorageOp[] {
    const ops: StorageOp[] = [];
    for (const [key, left] of this.after) {
      const now = current(key);
      if (!sameValue(now, left)) continue;
      const was = this.before.get(key) ?? null;
      if (sameValue(now, was)) continue;
      ops.push(was === null ? { op: 'delete', key } : { op: 'put', key, value: was });
    }
    return ops;
  }
}

function sameValue(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

const current = new AsyncLocalStorage<WriteJournal>();

/** The journal of the request running now, if it keeps one. */
export function activeJournal(): WriteJournal | undefined {
  return current.getStore();
}

/**
 * Run fn with a fresh journal; if it throws an error `undoes` picks, commit
 * the ops that put back what it wrote (read through `get`), then rethrow.
 */
export async function runUndoingOn<T>(fn: () => Promise<T>, undoes: (err: unknown) => boolean, get: (key: string) => Buffer | null, commit: (ops: StorageOp[]) => void): Promise<T> {
  const journal = new WriteJournal();
  try {
    return await current.run(journal, fn);
  } catch (err) {
    if (undoes(err)) {
      const ops = journal.undoOps(get);
      if (ops.length) commit(ops);
    }
    throw err;
  }
}
