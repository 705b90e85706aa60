import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seal } from '../barrier/aes-gcm';
import { answerFor, answerMatches, makeNonce, openNonce, openReply, rootKeyFromShares, sealNonce, sealReply } from './join-challenge';

const PATH = 'core/cluster/local-seal';
const record = (unsealKey: Buffer, rootKey: Buffer) => ({ path: PATH, record: Buffer.from(JSON.stringify({ config: { secret_shares: 1, secret_threshold: 1 }, wrappedRootKey: seal(unsealKey, 0, PATH, rootKey).toString('base64') })) });

describe('raft join challenge', () => {
  it('the unseal key opens the seal record, the root key opens the nonce, and the answer matches', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ minLength: 1, maxLength: 40 }), (uk, serverId) => {
        const unsealKey = Buffer.from(uk);
        const rootKey = randomBytes(32);
        const nonce = makeNonce();
        const sealed = sealNonce(rootKey, serverId, nonce);
        const got = openNonce(rootKeyFromShares(unsealKey, record(unsealKey, rootKey)), serverId, sealed);
        expect(answerMatches(nonce, serverId, answerFor(got, serverId))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('wrong unseal keys open nothing', () => {
    const rootKey = randomBytes(32);
    const unsealKey = randomBytes(32);
    expect(() => rootKeyFromShares(randomBytes(32), record(unsealKey, rootKey))).toThrow();
    // Without a record (shares of the root key itself) a wrong key fails at the nonce.
    expect(() => openNonce(rootKeyFromShares(randomBytes(32), null), 'n', sealNonce(rootKey, 'n', makeNonce()))).toThrow();
  });

  it('an answer is bound to the server id, and a wrong one never matches', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (wrong) => {
        const nonce = makeNonce();
        expect(answerMatches(nonce, 'node-b', answerFor(nonce, 'node-c'))).toBe(false);
        expect(answerMatches(nonce, 'node-b', Buffer.from(wrong))).toBe(false);
        expect(answerMatches(nonce, 'node-b', Buffer.alloc(3))).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('a nonce sealed for one server id does not open for another', () => {
    const rootKey = randomBytes(32);
    expect(() => openNonce(rootKey, 'node-c', sealNonce(rootKey, 'node-b', makeNonce()))).toThrow();
  });

  it('the reply opens only with the nonce', () => {
    const nonce = makeNonce();
    const sealed = sealReply(nonce, { key: 'secret' });
    expect(openReply(nonce, sealed)).toEqual({ key: 'secret' });
    expect(() => openReply(makeNonce(), sealed)).toThrow();
  });
});
