import { decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { VaultError } from '../errors';
import {
  decodeActivationClaims,
  generateSigningKey,
  looksLikeJwt,
  signActivationToken,
  TokenError,
  verifyActivationToken,
  type JWK,
} from './activation-token';

let keys: { privateJwk: JWK; publicJwk: JWK };
let otherKeys: { privateJwk: JWK; publicJwk: JWK };
beforeAll(async () => {
  keys = await generateSigningKey();
  otherKeys = await generateSigningKey();
});
afterEach(() => {
  vi.useRealTimers();
});

const ADDR = 'https://127.0.0.1:8200';

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    return (err as TokenError).reason;
  }
  throw new Error('expected a TokenError');
}

/** Sign arbitrary claims with the primary's key, bypassing signActivationToken's guarantees. */
async function signRaw(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'ES512', typ: 'JWT' }) {
  const key = await importJWK(keys.privateJwk, 'ES512');
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

describe('generateSigningKey', () => {
  it('makes a P-521 pair whose public half carries no private part', () => {
    expect(keys.privateJwk).toMatchObject({ kty: 'EC', crv: 'P-521' });
    expect(keys.privateJwk.d).toBeTypeOf('string');
    expect(keys.publicJwk.d).toBeUndefined();
    expect(keys.publicJwk.x).toBe(keys.privateJwk.x);
  });
});

describe('sign / verify', () => {
  it('round-trips with Vault’s header and claims', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await signActivationToken(keys.privateJwk, { jti: 'hvs.wrapping-id', addr: ADDR, ttlSeconds: 1800 });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES512', typ: 'JWT' });
    const claims = await verifyActivationToken(keys.publicJwk, token);
    expect(claims).toMatchObject({ jti: 'hvs.wrapping-id', addr: ADDR, accessor: '', type: 'wrapping' });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp - claims.iat).toBe(1800);
    expect(claims.nbf).toBe(claims.iat - 5);
  });

  it('rejects a tampered payload', async () => {
    const token = await signActivationToken(keys.privateJwk, { jti: 'j', addr: ADDR, ttlSeconds: 60 });
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, addr: 'https://evil.example:8200' })).toString('base64url');
    expect(await reasonOf(verifyActivationToken(keys.publicJwk, `${h}.${forged}.${s}`))).toBe('bad signature');
  });

  it('rejects a token signed by another primary', async () => {
    const token = await signActivationToken(otherKeys.privateJwk, { jti: 'j', addr: ADDR, ttlSeconds: 60 });
    expect(await reasonOf(verifyActivationToken(keys.publicJwk, token))).toBe('bad signature');
  });

  it('rejects another algorithm instead of trusting the header', async () => {
    const hs = await new SignJWT({ jti: 'j', addr: ADDR, type: 'wrapping' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await reasonOf(verifyActivationToken(keys.publicJwk, hs))).toBe('bad signature');
  });

  it('rejects an expired token', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3600_000);
    const token = await signActivationToken(keys.privateJwk, { jti: 'j', addr: ADDR, ttlSeconds: 60 });
    vi.useRealTimers();
    const err = await verifyActivationToken(keys.publicJwk, token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).reason).toBe('expired');
    expect((err as TokenError).status).toBe(400);
  });

  it('accepts a token until its ttl runs out', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const token = await signActivationToken(keys.privateJwk, { jti: 'j', addr: ADDR, ttlSeconds: 60 });
    vi.setSystemTime(Date.now() + 59_000);
    await expect(verifyActivationToken(keys.publicJwk, token)).resolves.toMatchObject({ jti: 'j' });
    vi.setSystemTime(Date.now() + 2_000);
    expect(await reasonOf(verifyActivationToken(keys.publicJwk, token))).toBe('expired');
  });

  it('rejects a token that is not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signRaw({ jti: 'j', addr: ADDR, type: 'wrapping', iat: now + 3600, nbf: now + 3595, exp: now + 7200 });
    expect(await reasonOf(verifyActivationToken(keys.publicJwk, token))).toBe('not yet valid');
  });

  it('rejects a validly signed JWT whose type is not wrapping', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signRaw({ jti: 'j', addr: ADDR, type: 'login', iat: now, nbf: now - 5, exp: now + 60 });
    expect(await reasonOf(verifyActivationToken(keys.publicJwk, token))).toBe('wrong type');
  });

  it('rejects a signed token missing exp as malformed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signRaw({ jti: 'j', addr: ADDR, type: 'wrapping', iat: now });
    expect(await reasonOf(verifyActivationToken(keys.publicJwk, token))).toBe('malformed');
  });

  it.each(['', 'garbage', 'hvs.CAESIJ', 'a.b.c', 'a.b', 'e30.e30.', '...'])('rejects %j as malformed', async (junk) => {
    expect(await reasonOf(verifyActivationToken(keys.publicJwk, junk))).toBe('malformed');
  });

  it('refuses a non-positive ttl as a 400', async () => {
    const err = await signActivationToken(keys.privateJwk, { jti: 'j', addr: ADDR, ttlSeconds: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).status).toBe(400);
  });
});

describe('decodeActivationClaims / looksLikeJwt', () => {
  it('reads addr and exp without any key, as a secondary or the console does', async () => {
    const token = await signActivationToken(keys.privateJwk, { jti: 'j', addr: ADDR, ttlSeconds: 120 });
    const claims = decodeActivationClaims(token);
    expect(claims?.addr).toBe(ADDR);
    expect(claims?.type).toBe('wrapping');
    expect(claims!.exp! - claims!.iat!).toBe(120);
    expect(looksLikeJwt(token)).toBe(true);
  });

  it('returns null / false for non-JWTs', () => {
    for (const junk of ['', 'hvs.CAESIJabc', 'a.b.c', 'x.y', 'not a token']) {
      expect(decodeActivationClaims(junk)).toBeNull();
      expect(looksLikeJwt(junk)).toBe(false);
    }
  });
});
