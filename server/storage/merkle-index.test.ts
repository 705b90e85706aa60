import fc from 'fast-check';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootOfPages } from './merkle-check';
import { TREE_COUNT } from './merkle-index';
import { SqliteBackend } from './sqlite';
import { buildFromEntriesNow, TreeBuilder } from './tree-builder';

// The rule: the merkle tree kept incrementally (O(1) per write, in memory,
// flushed inside each commit) always equals the obvious one rebuilt from the
// entries — in memory against what the writer sees, and on disk against what
// is committed — whatever mix of puts, deletes, commits and failed commits
// (failPut, failCommit) came before.
const KEYS = ['logical/a/1', 'logical/a/2', 'logical/b/x', 'core/mounts', 'core/keyring', 'sys/token/id/h1', 'sys/token/id/h2', 'local-logical/c/1', 'core/replication/dr/state', 'core/node/x'];

type Op =
  | { t: 'put'; key: string; value: string }
  | { t: 'delete'; key: string }
  | { t: 'tx'; puts: { key: string; value: string }[] }
  | { t: 'commit' }
  | { t: 'failCommit'; key: string; value: string }
  | { t: 'failPut'; key: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('put' as const), key: fc.constantFrom(...KEYS), value: fc.string({ maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('delete' as const), key: fc.constantFrom(...KEYS) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('tx' as const), puts: fc.array(fc.record({ key: fc.constantFrom(...KEYS), value: fc.string({ maxLength: 4 }) }), { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'commit' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('failCommit' as const), key: fc.constantFrom(...KEYS), value: fc.string({ maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('failPut' as const), key: fc.constantFrom(...KEYS) }) },
);

/** Hex roots of every tree rebuilt from the entries a connection sees. */
function rebuiltRoots(db: Database.Database): string[] {
  const b = new TreeBuilder();
  buildFromEntriesNow(db, b);
  return Array.from({ length: TREE_COUNT }, (_, t) => rootOfPages(b.pages(t)).toString('hex'));
}

function run(s: SqliteBackend, groupCommit: boolean, o: Op): void {
  const buf = (v: string) => Buffer.from(v);
  switch (o.t) {
    case 'put':
      return void s.put(o.key, buf(o.value));
    case 'delete':
      return void s.delete(o.key);
    case 'tx':
      return void s.transaction(o.puts.map((p) => ({ op: 'put', key: p.key, value: buf(p.value) })));
    case 'commit':
      return s.commitBatch();
    case 'failCommit':
      s.faults.failCommit = true;
      try {
        if (groupCommit) {
          s.put(o.key, buf(o.value)); // lands in the open batch…
          s.commitBatch(); // …whose COMMIT fails: the whole batch is rolled back
        } else expect(() => s.put(o.key, buf(o.value))).toThrow(/storage transaction failed/);
      } finally {
        s.faults.failCommit = false;
      }
      return;
    case 'failPut':
      s.faults.failPut = true;
      try {
        expect(() => s.put(o.key, buf('never'))).toThrow(/fault/);
      } finally {
        s.faults.failPut = false;
      }
  }
}

describe('merkle index', () => {
  it('property: the incremental root equals a full reindex after any sequence of puts, deletes, commits and failed commits', { timeout: 180_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-merkle-prop-'));
    let n = 0;
    try {
      fc.assert(
        fc.property(fc.boolean(), fc.array(op, { maxLength: 40 }), (groupCommit, ops) => {
          const path = join(dir, `m${n++}.db`);
          const s = new SqliteBackend({ path, groupCommit });
          const committed = new Database(path, { readonly: true });
          try {
            for (const o of ops) run(s, groupCommit, o);
            // In memory, against everything the writer sees (its open batch included):
            expect([s.merkle.root(0), s.merkle.root(1)]).toEqual(rebuiltRoots(s.db));
            // On disk, against what is committed: the rows a primary ships from.
            const shipped = [0, 1].map((t) => s.reader.pages(t).hashes.map((h) => h.toString('hex')));
            const b = new TreeBuilder();
            buildFromEntriesNow(committed, b);
            expect(shipped).toEqual([0, 1].map((t) => b.pages(t).map((p) => p.toString(16).padStart(64, '0'))));
            s.commitBatch();
            expect(rebuiltRoots(committed)).toEqual([s.merkle.root(0), s.merkle.root(1)]);
            // And a reindex changes nothing.
            const before = [s.merkle.root(0), s.merkle.root(1)];
            s.reindexMerkle();
            expect([s.merkle.root(0), s.merkle.root(1)]).toEqual(before);
          } finally {
            committed.close();
            s.close();
          }
        }),
        { numRuns: 80 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
