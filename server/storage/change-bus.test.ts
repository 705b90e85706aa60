import { describe, expect, it } from 'vitest';
import { ChangeBus } from './change-bus';
import { SqliteBackend } from './sqlite';

const buf = (s: string) => Buffer.from(s);

describe('ChangeBus', () => {
  it('delivers each subscriber only its prefixes, caches before owners, null to everyone', () => {
    const bus = new ChangeBus();
    const got: string[] = [];
    bus.subscribe('core/mounts', (k) => got.push(`owner:${k}`));
    bus.subscribe('', (k) => got.push(`cache:${k}`), 'cache');
    bus.subscribe(['sys/token/salt', 'core/token-salt'], (k) => got.push(`salt:${k}`));
    bus.publish(['core/mounts', 'logical/x']);
    expect(got).toEqual(['cache:core/mounts,logical/x', 'owner:core/mounts']);
    got.length = 0;
    bus.publish(null);
    expect(got).toEqual(['cache:null', 'owner:null', 'salt:null']);
  });

  it('a subscriber that throws is reported and does not stop the others', () => {
    const bus = new ChangeBus();
    const errors: unknown[] = [];
    bus.onSubscriberError = (e) => errors.push(e);
    let heard = false;
    bus.subscribe('', () => {
      throw new Error('boom');
    });
    bus.subscribe('', () => (heard = true));
    bus.publish(['k']);
    expect(heard).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('unsubscribes', () => {
    const bus = new ChangeBus();
    let n = 0;
    const off = bus.subscribe('', () => n++);
    bus.publish(['a']);
    off();
    bus.publish(['a']);
    expect(n).toBe(1);
  });
});

describe('storage publishes every change on its bus', () => {
  it('client writes, replicated applies and deletes alike; a write that throws in a subscriber still commits', () => {
    const s = new SqliteBackend({ path: ':memory:' });
    const seen: (string[] | null)[] = [];
    s.changes.onSubscriberError = () => {};
    s.changes.subscribe('', () => {
      throw new Error('cache reload failed');
    });
    s.changes.subscribe('logical/', (k) => seen.push(k));
    s.put('logical/a', buf('1'));
    s.applyShipped([{ op: 'put', key: 'logical/b', value: buf('2') }]);
    s.transaction([{ op: 'delete', key: 'logical/a' }, { op: 'put', key: 'core/mounts', value: buf('[]') }]);
    expect(seen).toEqual([['logical/a'], ['logical/b'], ['logical/a']]);
    expect(s.get('logical/b')?.toString()).toBe('2');
  });
});
