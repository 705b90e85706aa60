import { describe, expect, it } from 'vitest';
import { Barrier } from '../barrier/barrier';
import { SqliteBackend } from '../storage/sqlite';
import { PolicyStore } from './policy-store';

// The policy store's compiled-ACL cache (acl-cache.ts) against a real barrier
// over SQLite: a hit reads no storage, so only the change bus keeps it honest.
function newStore() {
  const physical = new SqliteBackend({ path: ':memory:' });
  const barrier = new Barrier(physical);
  barrier.unseal(barrier.initialize({ secret_shares: 1, secret_threshold: 1 }));
  return { physical, barrier, policies: new PolicyStore(barrier) };
}

const READ_A = 'path "secret/data/a" { capabilities = ["read"] }';
const READ_B = 'path "secret/data/b" { capabilities = ["read"] }';

describe('ACL cache', () => {
  it('a policy change takes effect on the next request despite the ACL cache', () => {
    const { policies } = newStore();
    policies.set('p', READ_A);
    expect(policies.aclFor(['p']).allows('secret/data/a', 'read')).toBe(true);
    expect(policies.aclFor(['p'])).toBe(policies.aclFor(['p'])); // cached
    policies.set('p', READ_B);
    expect(policies.aclFor(['p']).allows('secret/data/a', 'read')).toBe(false);
    policies.delete('p');
    expect(policies.aclFor(['p']).allows('secret/data/b', 'read')).toBe(false);
  });

  it('a policy change replicated below the barrier (an applied record) takes effect at once', () => {
    const { physical, barrier, policies } = newStore();
    policies.set('p', READ_A);
    expect(policies.aclFor(['p']).allows('secret/data/a', 'read')).toBe(true);
    const key = 'sys/policy/p';
    physical.applyShipped([{ op: 'put', key, value: barrier.encrypt(key, Buffer.from(JSON.stringify({ policy: READ_B }))) }]);
    expect(policies.aclFor(['p']).allows('secret/data/a', 'read')).toBe(false);
    expect(policies.aclFor(['p']).allows('secret/data/b', 'read')).toBe(true);
  });

  it('a token whose one policy name holds a newline never gets the ACL of the names it splits into', () => {
    const { policies } = newStore();
    policies.set('a', READ_A);
    policies.set('b', READ_B);
    expect(policies.aclFor(['a', 'b']).allows('secret/data/b', 'read')).toBe(true); // cached under the joined names
    expect(policies.aclFor(['a\nb']).allows('secret/data/a', 'read')).toBe(false);
    expect(policies.aclFor(['a\nb']).allows('secret/data/b', 'read')).toBe(false);
  });

  it('a policy named by a token but created later counts from then on', () => {
    const { policies } = newStore();
    expect(policies.aclFor(['late']).allows('secret/data/a', 'read')).toBe(false);
    policies.set('late', READ_A);
    expect(policies.aclFor(['late']).allows('secret/data/a', 'read')).toBe(true);
  });

  it('a cached token\'s frozen policy list finds its ACL by identity, and a policy change still reaches it', () => {
    const { policies } = newStore();
    policies.set('p', READ_A);
    const list = Object.freeze(['p']);
    const first = policies.aclFor(list);
    expect(policies.aclFor(list)).toBe(first);
    policies.set('p', READ_B);
    expect(policies.aclFor(list)).not.toBe(first);
    expect(policies.aclFor(list).allows('secret/data/b', 'read')).toBe(true);
  });

  it('a policy list that is not frozen is never keyed by identity: changing it in place changes its ACL', () => {
    const { policies } = newStore();
    policies.set('a', READ_A);
    policies.set('b', READ_B);
    const list = ['a'];
    expect(policies.aclFor(list).allows('secret/data/b', 'read')).toBe(false);
    list[0] = 'b';
    expect(policies.aclFor(list).allows('secret/data/b', 'read')).toBe(true);
  });
});
