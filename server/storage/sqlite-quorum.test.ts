import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogRecord } from './backend';
import { QuorumLostError, type QuorumBatch } from './quorum';
import { SqliteBackend } from './sqlite';

// The storage side of the HA log (ha-design.md decision 3), against a real
// SQLite file: with a quorum appender set, a commit is local first, but
// nothing acknowledges it (flushed(), committedIndex, onCommit) until the
// appender resolves — in commit order; a refusal rejects the waiters with a
// 503-class QuorumLostError and stops every later acknowledgement until a
// repair. The node's own keys never go to the appender.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(): SqliteBackend {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-quorum-'));
  dirs.push(dir);
  return new SqliteBackend({ path: join(dir, 'db.sqlite'), groupCommit: true });
}

/** An appender the test settles by hand, recording what it was given. */
function manualAppender() {
  const calls: { batch: QuorumBatch; resolve: () => void; reject: (e: Error) => void }[] = [];
  return {
    calls,
    append(batch: QuorumBatch) {
      return new Promise<void>((resolve, reject) => calls.push({ batch, resolve, reject }));
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));
const v = (s: string) => Buffer.from(s);

describe('SqliteBackend with a quorum appender', () => {
  it('acknowledges a write (flushed, committedIndex, onCommit) only after the appender resolved it', async () => {
    const s = open();
    const q = manualAppender();
    await s.setQuorum(q);
    const seen: LogRecord[] = [];
    s.onCommit((r) => seen.push(...r));
    s.put('secret/a', v('1'));
    let done = false;
    const f = s.flushed().then(() => (done = true));
    await settle();
    await settle();
    expect(q.calls).toHaveLength(1);
    expect(s.get('secret/a')).toEqual(v('1')); // local first
    expect(done).toBe(false);
    expect(s.committedIndex).toBe(0);
    expect(seen).toHaveLength(0);
    q.calls[0].resolve();
    await f;
    expect(s.committedIndex).toBe(1);
    expect(seen.map((r) => r.key)).toEqual(['secret/a']);
    expect(q.calls[0].batch).toEqual({ before: { index: 0, guard: '0'.repeat(32) }, txns: [{ ops: [{ op: 'put', key: 'secret/a', value: v('1') }], after: s.position() }] });
    s.close();
  });

  it('never sends core/node/ keys, and a commit of only those waits for earlier appends', async () => {
    const s = open();
    const q = manualAppender();
    await s.setQuorum(q);
    s.transaction([
      { op: 'put', key: 'core/node/merkle-health', value: v('x') },
      { op: 'put', key: 'core/replication/role', value: v('primary') },
    ]);
    const first = s.flushed();
    await settle();
    s.put('core/node/ha-applied', v('y'));
    let second = false;
    const p2 = s.flushed().then(() => (second = true));
    await settle();
    await settle();
    expect(q.calls).toHaveLength(1);
    expect(q.calls[0].batch.txns.map((t) => t.ops.map((o) => o.key))).toEqual([['core/replication/role']]);
    expect(second).toBe(false);
    q.calls[0].resolve();
    await first;
    await p2;
    s.close();
  });

  it('a refused append rejects its waiters with QuorumLostError (503) and no later write is acknowledged until a repair', async () => {
    const s = open();
    const q = manualAppender();
    await s.setQuorum(q);
    const seen: LogRecord[] = [];
    s.onCommit((r) => seen.push(...r));
    s.put('a', v('1'));
    const f1 = s.flushed();
    await settle();
    s.put('b', v('2'));
    const f2 = s.flushed();
    await settle();
    await settle();
    expect(q.calls).toHaveLength(2);
    q.calls[1].resolve(); // a later append cannot overtake a refused one
    q.calls[0].reject(new Error('fenced: not the leader'));
    await expect(f1).rejects.toBeInstanceOf(QuorumLostError);
    await expect(f2).rejects.toBeInstanceOf(QuorumLostError);
    const err = (await f1.catch((e: unknown) => e)) as QuorumLostError;
    expect(err.status).toBe(503);
    expect(err.message).toMatch(/fenced: not the leader/);
    expect(seen).toHaveLength(0);
    expect(s.committedIndex).toBe(0);
    await s.setQuorum(null);
    s.put('c', v('3'));
    await expect(s.flushed()).rejects.toBeInstanceOf(QuorumLostError);
    s.replaceCarried([{ key: 'a', value: v('1') }], { index: 1, guard: 'f'.repeat(32) }, { op: 'put', key: 'core/node/ha-applied', value: v('{}') });
    expect(s.get('b')).toBeNull();
    expect(s.committedIndex).toBe(1);
    s.put('d', v('4'));
    await s.flushed();
    expect(s.committedIndex).toBe(2);
    s.close();
  });

  it('admit() refuses a transaction before anything is written', () => {
    const s = open();
    void s.setQuorum({
      append: () => Promise.resolve(),
      admit: (ops) => {
        if (ops.length > 1) throw new Error('too large');
      },
    });
    expect(() => s.transaction([{ op: 'put', key: 'a', value: v('1') }, { op: 'put', key: 'b', value: v('1') }])).toThrow('too large');
    expect(s.get('a')).toBeNull();
    s.close();
  });
});
