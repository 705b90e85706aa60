import { describe, expect, it } from 'vitest';
import { SqliteBackend } from '../storage/sqlite';
import { Barrier } from './barrier';
import { combineKey, splitKey } from './shamir';

function newBarrier() {
  const physical = new SqliteBackend({ path: ':memory:' });
  const barrier = new Barrier(physical);
  const rootKey = barrier.initialize({ secret_shares: 3, secret_threshold: 2 });
  return { physical, barrier, rootKey };
}

describe('Barrier', () => {
  it('starts sealed and refuses reads and writes', () => {
    const { barrier } = newBarrier();
    expect(barrier.sealed).toBe(true);
    expect(() => barrier.get('x')).toThrow(/sealed/);
    expect(() => barrier.put('x', Buffer.from('y'))).toThrow(/sealed/);
  });

  it('encrypts values at rest and decrypts them after unseal', () => {
    const { physical, barrier, rootKey } = newBarrier();
    barrier.unseal(rootKey);
    barrier.put('logical/x/secret', Buffer.from('hunter2'));
    const raw = physical.get('logical/x/secret')!;
    expect(raw.includes(Buffer.from('hunter2'))).toBe(false);
    expect(barrier.get('logical/x/secret')?.toString()).toBe('hunter2');
  });

  it('rejects a wrong root key and stays sealed', () => {
    const { barrier } = newBarrier();
    expect(() => barrier.unseal(Buffer.alloc(32, 7))).toThrow(/wrong unseal keys/);
    expect(barrier.sealed).toBe(true);
  });

  it('binds ciphertext to its path', () => {
    const { physical, barrier, rootKey } = newBarrier();
    barrier.unseal(rootKey);
    barrier.put('a', Buffer.from('secret'));
    physical.put('b', physical.get('a')!);
    expect(() => barrier.get('b')).toThrow();
  });

  it('rotates the keyring: new writes use the new term, old values still read', () => {
    const { physical, barrier, rootKey } = newBarrier();
    barrier.unseal(rootKey);
    barrier.put('old', Buffer.from('1'));
    expect(barrier.keyStatus().term).toBe(1);
    expect(barrier.rotate().term).toBe(2);
    barrier.put('new', Buffer.from('2'));
    expect(physical.get('new')!.readUInt32BE(1)).toBe(2);
    barrier.seal();
    barrier.unseal(rootKey);
    expect(barrier.get('old')?.toString()).toBe('1');
    expect(barrier.get('new')?.toString()).toBe('2');
    expect(barrier.keyStatus().term).toBe(2);
  });

  it('unseals with any threshold of Shamir shares of the root key', async () => {
    const { barrier, rootKey } = newBarrier();
    const shares = await splitKey(rootKey, 3, 2);
    expect(shares).toHaveLength(3);
    const combined = await combineKey([shares[2], shares[0]]);
    barrier.unseal(combined);
    expect(barrier.sealed).toBe(false);
    const tooFew = await combineKey([shares[1]]);
    expect(barrier.verifyRootKey(tooFew)).toBe(false);
  });
});
