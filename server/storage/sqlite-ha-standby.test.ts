import { describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite';
import { ReadOnlyError } from './write-ownership';

// On an HA standby only the log applier writes the cluster's keys: a client
// write of one is refused before anything is written, the node's own keys
// (core/node/) still take writes, and a request's earlier writes are undone
// when a later one is refused, so the whole request can go to the active.
describe('SqliteBackend on an HA standby', () => {
  it('refuses client writes of carried keys with ReadOnlyError and writes nothing', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.put('logical/a', Buffer.from('1'));
    const before = s.position();
    s.setHaStandby(true);
    expect(() => s.put('logical/a', Buffer.from('2'))).toThrow(ReadOnlyError);
    expect(() => s.transaction([{ op: 'put', key: 'core/node/x', value: Buffer.from('n') }, { op: 'delete', key: 'logical/a' }])).toThrow('cannot write to readonly storage');
    expect(s.get('logical/a')?.toString()).toBe('1');
    expect(s.get('core/node/x')).toBeNull();
    expect(s.position()).toEqual(before);
    s.put('core/node/mine', Buffer.from('ok'));
    expect(s.get('core/node/mine')?.toString()).toBe('ok');
    s.setHaStandby(false);
    s.put('logical/a', Buffer.from('3'));
    expect(s.get('logical/a')?.toString()).toBe('3');
    s.close();
  });

  it('undoes a request\'s node-local writes when a later write is refused', async () => {
    const s = new SqliteBackend({ path: ':memory:' });
    s.setHaStandby(true);
    await expect(
      s.undoOnReadOnly(async () => {
        s.put('core/node/first', Buffer.from('1'));
        s.put('logical/then', Buffer.from('2'));
      }),
    ).rejects.toBeInstanceOf(ReadOnlyError);
    expect(s.get('core/node/first')).toBeNull();
    s.close();
  });
});
