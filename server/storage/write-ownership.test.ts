import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../errors';
import { classOf, type KeyClass } from './key-class';
import { SqliteBackend } from './sqlite';
import { checkWriteOwnership, mayWrite, READ_ONLY_MESSAGE, ReadOnlyError, WRITE_RULES, type WriteMode, type Writer } from './write-ownership';

const buf = (s: string) => Buffer.from(s);
const MODES: WriteMode[] = ['all', 'performance-secondary', 'dr-secondary'];
const SAMPLE: Record<KeyClass, string> = { replicated: 'core/keyring', local: 'sys/token/salt', ignored: 'core/replication/dr/state' };

describe('write ownership table', () => {
  it('a primary (or a node outside replication) writes everything', () => {
    for (const w of ['client', 'applier'] as Writer[]) for (const c of ['replicated', 'local', 'ignored'] as KeyClass[]) expect(mayWrite('all', w, c)).toBe(true);
  });

  it('a performance secondary: its own tokens and node state locally, replicated state only from the applier', () => {
    expect(mayWrite('performance-secondary', 'client', 'replicated')).toBe(false);
    expect(mayWrite('performance-secondary', 'client', 'local')).toBe(true);
    expect(mayWrite('performance-secondary', 'client', 'ignored')).toBe(true);
    expect(mayWrite('performance-secondary', 'applier', 'replicated')).toBe(true);
  });

  it('a DR secondary: only the applier, plus its own node state', () => {
    expect(mayWrite('dr-secondary', 'client', 'replicated')).toBe(false);
    expect(mayWrite('dr-secondary', 'client', 'local')).toBe(false);
    expect(mayWrite('dr-secondary', 'client', 'ignored')).toBe(true);
    for (const c of ['replicated', 'local', 'ignored'] as KeyClass[]) expect(mayWrite('dr-secondary', 'applier', c)).toBe(true);
  });

  it('every mode lets every writer keep its own node state (ignored keys)', () => {
    for (const m of MODES) for (const w of ['client', 'applier'] as Writer[]) expect(WRITE_RULES[m][w]).toContain('ignored');
  });

  it('property: checkWriteOwnership refuses a transaction iff one of its keys is not the writer\'s, naming Vault\'s error', () => {
    const key = fc.oneof(fc.constantFrom(...Object.values(SAMPLE), 'logical/x/y', 'sys/policy/p', 'local-logical/z'), fc.string());
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.constantFrom<Writer>('client', 'applier'), fc.array(key, { maxLength: 5 }), (mode, writer, keys) => {
        const ops = keys.map((k) => ({ op: 'delete' as const, key: k }));
        const allowed = keys.every((k) => mayWrite(mode, writer, classOf(k)));
        if (allowed) expect(() => checkWriteOwnership(mode, writer, ops)).not.toThrow();
        else expect(() => checkWriteOwnership(mode, writer, ops)).toThrow(ReadOnlyError);
      }),
    );
  });
});

describe('SqliteBackend write modes', () => {
  it('refuses a client write to a replicated key on a performance secondary, typed, before anything is written', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.setWriteMode('performance-secondary');
    let err: unknown;
    try {
      s.transaction([
        { op: 'put', key: 'sys/token/id/a', value: buf('t') },
        { op: 'put', key: 'core/keyring', value: buf('k') },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReadOnlyError);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).status).toBe(400);
    expect((err as Error).message).toContain(READ_ONLY_MESSAGE);
    expect(s.get('sys/token/id/a')).toBeNull(); // the whole transaction was refused
    expect(s.log.lastIndex).toBe(0);
    s.put('sys/token/id/a', buf('t')); // local: allowed
    s.applyShipped([{ op: 'put', key: 'core/keyring', value: buf('from primary') }]); // the applier: allowed
    expect(s.get('core/keyring')?.toString()).toBe('from primary');
  });

  it('a DR secondary writes only node state unless the applier writes', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.setWriteMode('dr-secondary');
    expect(() => s.put('sys/token/id/a', buf('t'))).toThrow(ReadOnlyError);
    expect(() => s.delete('logical/x')).toThrow(ReadOnlyError);
    s.put('core/replication/dr/position', buf('{}'));
    s.applyShipped([{ op: 'put', key: 'sys/token/id/a', value: buf('t') }]);
    expect(s.get('sys/token/id/a')?.toString()).toBe('t');
    s.setWriteMode('all'); // promoted
    s.put('logical/x', buf('y'));
  });

  it('undoOnReadOnly puts back the local writes a refused request made first, and only those', async () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.put('sys/token/id/a', buf('old'));
    s.setWriteMode('performance-secondary');
    const attempt = s.undoOnReadOnly(async () => {
      s.put('sys/token/id/a', buf('new'));
      s.put('sys/token/id/b', buf('created'));
      await Promise.resolve();
      s.put('sys/token/id/c', buf('mine'));
      s.put('sys/token/id/c', buf('mine, changed again'));
      s.put('core/mounts', buf('refused'));
    });
    // Someone else's write to c, before this request first touched c: undo puts theirs back.
    s.put('sys/token/id/c', buf('theirs'));
    await expect(attempt).rejects.toBeInstanceOf(ReadOnlyError);
    expect(s.get('sys/token/id/a')?.toString()).toBe('old');
    expect(s.get('sys/token/id/b')).toBeNull();
    expect(s.get('core/mounts')).toBeNull();
    expect(s.get('sys/token/id/c')?.toString()).toBe('theirs');
  });

  it('undo never clobbers a write someone else made after this request', async () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.setWriteMode('performance-secondary');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const attempt = s.undoOnReadOnly(async () => {
      s.put('sys/token/id/a', buf('mine'));
      await gate;
      s.put('core/mounts', buf('refused'));
    });
    s.put('sys/token/id/a', buf('theirs'));
    release();
    await expect(attempt).rejects.toBeInstanceOf(ReadOnlyError);
    expect(s.get('sys/token/id/a')?.toString()).toBe('theirs');
  });

  it('keeps no journal and undoes nothing when every write is allowed', async () => {
    const s = new SqliteBackend({ path: ':memory:' });
    await expect(
      s.undoOnReadOnly(async () => {
        s.put('sys/token/id/a', buf('kept'));
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(s.get('sys/token/id/a')?.toString()).toBe('kept');
  });
});
