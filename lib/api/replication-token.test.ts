import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwtClaims, decodeOperationToken, formatExpires, sha256Hex, tokenFingerprint, tokenNeedsPrimaryAddr } from './replication-token';

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: unknown) => `${b64url({ alg: 'ES512', typ: 'JWT' })}.${b64url(claims)}.c2lnbmF0dXJl`;

describe('decodeJwtClaims', () => {
  it('reads addr and exp from the middle part', () => {
    expect(decodeJwtClaims(jwt({ addr: 'http://127.0.0.1:8200', exp: 1653330638, type: 'wrapping' }))).toEqual({
      addr: 'http://127.0.0.1:8200',
      exp: 1653330638,
      type: 'wrapping',
    });
  });
  it('tolerates surrounding whitespace from a paste', () => {
    expect(decodeJwtClaims(`\n  ${jwt({ addr: 'x' })}  \n`)?.addr).toBe('x');
  });
  it('gives null for anything that is not a JWS', () => {
    for (const bad of ['', 'hvs.abc', 'a.b', 'a.!!!.c', `${b64url({})}.${Buffer.from('[1]').toString('base64url')}.x`]) {
      expect(decodeJwtClaims(bad)).toBeNull();
    }
  });
});

describe('tokenNeedsPrimaryAddr', () => {
  it('asks for the address only when a real JWT lacks the addr claim', () => {
    expect(tokenNeedsPrimaryAddr(jwt({ exp: 1 }))).toBe(true);
    expect(tokenNeedsPrimaryAddr(jwt({ addr: '' }))).toBe(true);
    expect(tokenNeedsPrimaryAddr(jwt({ addr: 'https://p:8200' }))).toBe(false);
    expect(tokenNeedsPrimaryAddr('still typing')).toBe(false);
  });
});

describe('tokenFingerprint', () => {
  it('is the first and last 4 hex digits of SHA-256 of the trimmed token', async () => {
    const hex = createHash('sha256').update('eyJ.abc.def').digest('hex');
    await expect(tokenFingerprint(' eyJ.abc.def\n')).resolves.toBe(`${hex.slice(0, 4)}…${hex.slice(-4)}`);
    expect(await tokenFingerprint('a')).not.toBe(await tokenFingerprint('b'));
  });
});

describe('sha256Hex (fallback without WebCrypto)', () => {
  it('matches node:crypto on the empty string, the block edges and a long input', () => {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 1000]) {
      const bytes = new Uint8Array(len).map((_, i) => (i * 31 + 7) & 0xff);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });
});

describe('decodeOperationToken', () => {
  it('XORs the base64 token with the OTP (the seed\'s worked example)', () => {
    // From seed 002's slides; one byte of the printed encoded token is garbled, so check the prefix.
    expect(decodeOperationToken('LgQCHzFBBYMRNUYeFgcBHT0KJxN+WwEnIyF1dA', 'Frq1TtFmZp1iSD4VwNlRH8ccGm46')).toMatch(/^hvs\./);
  });
  it('round-trips a token encoded the way the server does', () => {
    const token = 'hvs.e5ANKEwwEC5KJDKA6cbDdLAB';
    const otp = 'Frq1TtFmZp1iSD4VwNlRH8ccGm46';
    const enc = Buffer.from(Buffer.from(token).map((b, i) => b ^ otp.charCodeAt(i))).toString('base64').replace(/=+$/, '');
    expect(decodeOperationToken(enc, otp)).toBe(token);
  });
  it('refuses an OTP of the wrong length', () => {
    expect(() => decodeOperationToken('AAAA', 'toolongotp')).toThrow(/must match/);
  });
});

describe('formatExpires', () => {
  it('formats a date and says Unknown without one', () => {
    expect(formatExpires(new Date(Date.UTC(2025, 0, 10, 9, 15, 2)))).toMatch(/Jan 10, 2025/);
    expect(formatExpires(null)).toBe('Unknown');
  });
});
