import { describe, expect, it } from 'vitest';
import { SqliteBackend } from '../storage/sqlite';
import { ReadOnlyError } from '../storage/write-ownership';
import { emptyState, statePath, type ClusterMode, type Mode } from './state';
import { followStoredRoles, writeModeOf } from './write-mode';

const buf = (s: string) => Buffer.from(s);
const stateOp = (m: Mode, mode: ClusterMode) => ({ op: 'put' as const, key: statePath(m), value: buf(JSON.stringify({ ...emptyState(), mode })) });

describe('write mode follows the stored roles', () => {
  it('maps roles to who may write', () => {
    expect(writeModeOf({ dr: 'disabled', performance: 'disabled' })).toBe('all');
    expect(writeModeOf({ dr: 'primary', performance: 'primary' })).toBe('all');
    expect(writeModeOf({ dr: 'primary', performance: 'secondary' })).toBe('performance-secondary');
    expect(writeModeOf({ dr: 'disabled', performance: 'bootstrapping' })).toBe('performance-secondary');
    expect(writeModeOf({ dr: 'secondary', performance: 'disabled' })).toBe('dr-secondary');
    expect(writeModeOf({ dr: 'bootstrapping', performance: 'disabled' })).toBe('dr-secondary');
  });

  it('whatever writes the role: a transition, the applier, or a rolled-back commit', async () => {
    const s = new SqliteBackend({ path: ':memory:', groupCommit: true });
    followStoredRoles(s);
    expect(s.writeMode).toBe('all');
    s.put(statePath('dr'), stateOp('dr', 'secondary').value);
    expect(s.writeMode).toBe('dr-secondary');
    expect(() => s.put('logical/x', buf('1'))).toThrow(ReadOnlyError);
    s.applyShipped([stateOp('dr', 'disabled')]);
    expect(s.writeMode).toBe('all');
    await s.flushed();
    // A role write whose COMMIT fails leaves the role, and the write mode, as they were.
    s.faults.failCommit = true;
    s.put(statePath('performance'), stateOp('performance', 'secondary').value);
    expect(s.writeMode).toBe('performance-secondary');
    await expect(s.flushed()).rejects.toThrow();
    s.faults.failCommit = false;
    expect(s.writeMode).toBe('all');
  });

  it('a transaction that changes the role may write as the old or the new role: a wipe becoming secondary, a promotion', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    followStoredRoles(s);
    s.put('logical/a', buf('data'));
    // enable-secondary: wipe + role, as the primary it still is
    s.transaction([{ op: 'delete', key: 'logical/a' }, stateOp('dr', 'bootstrapping')]);
    expect(s.writeMode).toBe('dr-secondary');
    expect(() => s.transaction([{ op: 'put', key: 'sys/token/id/h', value: buf('t') }])).toThrow(ReadOnlyError);
    // promote: a write only a primary may make + role, as the primary it becomes
    s.transaction([{ op: 'put', key: 'sys/token/id/h', value: buf('t') }, stateOp('dr', 'primary')]);
    expect(s.writeMode).toBe('all');
    expect(s.get('sys/token/id/h')?.toString()).toBe('t');
    // a role write that leaves it a secondary either way grants nothing
    s.put(statePath('performance'), stateOp('performance', 'secondary').value);
    expect(() => s.transaction([{ op: 'put', key: 'logical/b', value: buf('x') }, stateOp('performance', 'secondary')])).toThrow(ReadOnlyError);
  });
});
