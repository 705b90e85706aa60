import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Barrier } from '../barrier/barrier';
import { splitKey } from '../barrier/shamir';
import { VaultError } from '../errors';
import { SqliteBackend } from '../storage/sqlite';
import { OTP_LENGTH, RootGeneration, xorDecode } from './generate-root';
import { base62 } from './ids';

// Root generation mints the most powerful credential there is, so: every
// input problem is a 400 before an attempt starts, and a token is minted only
// when the shares reconstruct this cluster's root key (vault/generate_root.go).
async function setup(shares = 3, threshold = 2) {
  const barrier = new Barrier(new SqliteBackend({ path: ':memory:' }));
  const rootKey = barrier.initialize({ secret_shares: shares, secret_threshold: threshold });
  barrier.unseal(rootKey);
  const keys = (await splitKey(rootKey, shares, threshold)).map((k) => k.toString('hex'));
  const minted: string[] = [];
  const revoked: string[] = [];
  const gen = new RootGeneration(barrier, {
    generate: () => {
      const t = 'hvs.' + base62(24);
      minted.push(t);
      return t;
    },
    revoke: (t) => revoked.push(t),
  });
  return { gen, keys, minted, revoked };
}

const isTypedBadRequest = (err: unknown) => err instanceof VaultError && err.status === 400;

describe('RootGeneration.start', () => {
  it('refuses an OTP of the wrong length, type or encoding before an attempt exists', async () => {
    const { gen } = await setup();
    const bad: unknown[] = ['short', 'x'.repeat(OTP_LENGTH + 1), 'é' + 'a'.repeat(OTP_LENGTH - 1), 42, { otp: 1 }, ['a']];
    for (const otp of bad) {
      expect(() => gen.start({ otp }), JSON.stringify(otp)).toThrow(VaultError);
      expect(gen.status().started).toBe(false);
    }
    expect(() => gen.start({ otp: 'short' })).toThrow('OTP string is wrong length');
  });

  it('refuses a pgp_key, malformed or not, and starts nothing', async () => {
    const { gen } = await setup();
    expect(() => gen.start({ pgp_key: '%%% not base64' })).toThrow(/error parsing PGP key/);
    expect(() => gen.start({ pgp_key: Buffer.from('a public key').toString('base64') })).toThrow(/not supported/);
    expect(() => gen.start({ otp: base62(OTP_LENGTH), pgp_key: 'AAAA' })).toThrow(VaultError);
    expect(gen.status().started).toBe(false);
  });

  it('with a valid OTP of its own, the client gets no OTP back; without one, the server makes one', async () => {
    const { gen } = await setup();
    const mine = base62(OTP_LENGTH);
    expect(gen.start({ otp: mine })).toMatchObject({ started: true, otp: '', otp_length: OTP_LENGTH });
    gen.cancel();
    const made = gen.start({});
    expect(made.otp).toHaveLength(OTP_LENGTH);
  });
});

describe('RootGeneration.update', () => {
  it('a wrong set of shares mints nothing, uses the shares up, and keeps the attempt', async () => {
    const { gen, keys, minted } = await setup();
    const otp = base62(OTP_LENGTH);
    const { nonce } = gen.start({ otp });
    await gen.update({ nonce, key: keys[0] });
    await expect(gen.update({ nonce, key: Buffer.alloc(33, 5).toString('hex') })).rejects.toThrow(/root key verification failed|failed to compute root key/);
    expect(minted).toEqual([]);
    expect(gen.status()).toMatchObject({ started: true, progress: 0, nonce, complete: false, encoded_token: '' });
    await gen.update({ nonce, key: keys[2] });
    const done = await gen.update({ nonce, key: keys[1] });
    expect(minted).toHaveLength(1);
    expect(xorDecode(done.encoded_token as string, otp)).toBe(minted[0]);
    expect(gen.status().started).toBe(false);
  });

  it('mints nothing when the attempt is cancelled while the last share is combined', async () => {
    const { gen, keys, minted } = await setup();
    const { nonce } = gen.start({});
    await gen.update({ nonce, key: keys[0] });
    const last = gen.update({ nonce, key: keys[1] });
    gen.cancel();
    await expect(last).rejects.toThrow(/cancelled/);
    expect(minted).toEqual([]);
  });

  it('random key sequences never mint and only ever fail with a typed 400', async () => {
    const key = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => Buffer.from(b).toString('hex')),
      fc.uint8Array({ minLength: 33, maxLength: 33 }).map((b) => Buffer.from(b).toString('base64')),
      fc.string(),
      fc.constantFrom<unknown>(undefined, null, 7, {}),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(key, { minLength: 1, maxLength: 6 }), async (junk) => {
        const { gen, minted } = await setup();
        const { nonce } = gen.start({});
        for (const k of junk) {
          try {
            await gen.update({ nonce, key: k });
          } catch (err) {
            expect(isTypedBadRequest(err), String(err)).toBe(true);
          }
        }
        expect(minted).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a stale nonce and a missing attempt with 400', async () => {
    const { gen, keys } = await setup();
    await expect(gen.update({ nonce: 'x', key: keys[0] })).rejects.toMatchObject({ status: 400 });
    gen.start({});
    await expect(gen.update({ nonce: 'wrong', key: keys[0] })).rejects.toMatchObject({ status: 400 });
  });

  it('xorDecode refuses an OTP of another length with 400', () => {
    expect(() => xorDecode('AAAA', 'toolongotp')).toThrow(VaultError);
  });
});
