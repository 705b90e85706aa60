import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Barrier } from '../barrier/barrier';
import { combineKey } from '../barrier/shamir';
import { VaultError } from '../errors';
import { SqliteBackend } from '../storage/sqlite';
import { SealManager } from './seal-manager';

// The unseal ceremony takes keys from anyone who can reach the port, so the
// share-combining path must turn every malformed or wrong key into a typed
// 400 and never into a 500, and must still open with the real shares after.
async function sealedCluster(shares = 5, threshold = 3) {
  const barrier = new Barrier(new SqliteBackend({ path: ':memory:' }));
  let unsealed = 0;
  const seal = new SealManager(barrier, { setupNew: () => 'root', afterUnseal: () => unsealed++, beforeSeal: () => {} });
  const init = await seal.init({ secret_shares: shares, secret_threshold: threshold });
  return { barrier, seal, keys: init.keys, keysB64: init.keys_base64, unsealedCount: () => unsealed };
}

/** Anything an attacker could put in `key`: random bytes of any length as hex or base64, garbage strings, non-strings. */
const anyKey = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => Buffer.from(b).toString('hex')),
  fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
  fc.uint8Array({ minLength: 33, maxLength: 33 }).map((b) => Buffer.from(b).toString('hex')),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64')),
  fc.string(),
  fc.constantFrom<unknown>(null, 42, {}, [], true, '   ', '=', 'zz'),
);

const isTypedBadRequest = (err: unknown) => err instanceof VaultError && err.code === 'invalid_request' && err.status === 400;

describe('combineKey', () => {
  it('never throws anything but a typed invalid_request for random shares', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 0, maxLength: 6 }), async (parts) => {
        try {
          const out = await combineKey(parts.map((p) => Buffer.from(p)));
          expect(Buffer.isBuffer(out)).toBe(true);
        } catch (err) {
          expect(isTypedBadRequest(err), String(err)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('names the problem with a repeated x coordinate, as Vault does', async () => {
    const a = Buffer.alloc(33, 1);
    const b = Buffer.alloc(33, 2);
    b[32] = 1;
    await expect(combineKey([a, b])).rejects.toMatchObject({ status: 400, message: 'failed to compute combined key: duplicate part detected' });
    await expect(combineKey([Buffer.alloc(33), Buffer.alloc(32)])).rejects.toMatchObject({ status: 400 });
  });
});

describe('SealManager.unseal with wrong shares', () => {
  it('answers every random key with a typed 400 or progress, then the real shares still unseal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyKey, { minLength: 1, maxLength: 8 }), fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 3, maxLength: 3 }), async (junk, pick) => {
        const c = await sealedCluster();
        for (const key of junk) {
          const before = c.seal.status({}).progress as number;
          try {
            await c.seal.unseal(key);
          } catch (err) {
            expect(isTypedBadRequest(err), String(err)).toBe(true);
            const after = c.seal.status({}).progress as number;
            // A key that fails to decode leaves progress alone; a failed combination resets it.
            expect(after === before || after === 0).toBe(true);
          }
          expect(c.barrier.sealed).toBe(true);
        }
        c.seal.resetUnseal();
        for (const i of pick) await c.seal.unseal(c.keys[i]);
        expect(c.barrier.sealed).toBe(false);
        expect(c.unsealedCount()).toBe(1);
      }),
      { numRuns: 60 },
    );
  });

  it('three random 33-byte shares answer 400 and reset progress; the real keys still unseal', async () => {
    for (let round = 0; round < 50; round++) {
      const c = await sealedCluster();
      const random = [0, 1, 2].map(() => Buffer.from(Array.from({ length: 33 }, () => Math.floor(Math.random() * 256))).toString('hex'));
      await c.seal.unseal(random[0]);
      await c.seal.unseal(random[1]);
      expect(c.seal.status({}).progress).toBe(2);
      await expect(c.seal.unseal(random[2])).rejects.toSatisfy(isTypedBadRequest);
      expect(c.seal.status({})).toMatchObject({ sealed: true, progress: 0, nonce: '' });
      await c.seal.unseal(c.keysB64[4]);
      await c.seal.unseal(c.keys[0]);
      await c.seal.unseal(c.keys[2]);
      expect(c.barrier.sealed).toBe(false);
    }
  });

  it('ignores a repeated share and refuses undecodable keys without losing progress', async () => {
    const c = await sealedCluster();
    await c.seal.unseal(c.keys[0]);
    await c.seal.unseal(c.keys[0]);
    expect(c.seal.status({}).progress).toBe(1);
    await expect(c.seal.unseal('not hex or base64!')).rejects.toMatchObject({ status: 400, message: "'key' must be a valid hex or base64 string" });
    await expect(c.seal.unseal('abcd')).rejects.toMatchObject({ status: 400 });
    expect(c.seal.status({}).progress).toBe(1);
    await c.seal.unseal(c.keys[1]);
    await c.seal.unseal(c.keys[2]);
    expect(c.barrier.sealed).toBe(false);
  });

  it('a 1-of-1 cluster refuses a wrong key with 400 and opens with the right one', async () => {
    const c = await sealedCluster(1, 1);
    await expect(c.seal.unseal(Buffer.alloc(32, 9).toString('hex'))).rejects.toMatchObject({ status: 400, message: 'Unseal failed, invalid key' });
    await expect(c.seal.unseal(Buffer.alloc(33, 9).toString('base64'))).rejects.toMatchObject({ status: 400 });
    expect(c.seal.status({}).progress).toBe(0);
    await c.seal.unseal(c.keys[0]);
    expect(c.barrier.sealed).toBe(false);
  });
});
