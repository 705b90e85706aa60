import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../errors';
import { base64ErrorOffset, decodeBase64 } from './base64';
import { encodeEnvelope, parseEnvelope } from './ciphertext';

describe('transit envelope vault:v<N>:<payload>', () => {
  it('round-trips any version and base64 payload', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.uint8Array({ maxLength: 200 }), (version, bytes) => {
        const payload = Buffer.from(bytes).toString('base64');
        const parsed = parseEnvelope(encodeEnvelope(version, payload), 'ciphertext');
        expect(parsed).toEqual({ version, payload });
        expect(decodeBase64(parsed.payload).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('keeps everything after the second colon as the payload (SplitN 2)', () => {
    expect(parseEnvelope('vault:v3:a:b', 'ciphertext')).toEqual({ version: 3, payload: 'a:b' });
  });

  it("reads a ciphertext's v0 as v1 (Vault's first keys), not a signature's", () => {
    expect(parseEnvelope('vault:v0:AA==', 'ciphertext').version).toBe(1);
    expect(parseEnvelope('vault:v0:AA==', 'signature').version).toBe(0);
  });

  it.each([
    ['nope', 'ciphertext', 'invalid ciphertext: no prefix'],
    ['vault:v1', 'ciphertext', 'invalid ciphertext: wrong number of fields'],
    ['vault:vx:AA==', 'ciphertext', 'invalid ciphertext: version number could not be decoded'],
    ['vault:1:AA==', 'signature', 'invalid signature: no prefix'],
    ['x', 'HMAC', 'invalid HMAC to verify: no prefix'],
  ] as const)('refuses %j as Vault does', (value, kind, message) => {
    let err: unknown;
    try {
      parseEnvelope(value, kind);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).status).toBe(400);
    expect((err as VaultError).message).toBe(message);
  });
});

describe("base64 as Go's StdEncoding decodes it", () => {
  it('accepts every standard padded encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(base64ErrorOffset(Buffer.from(bytes).toString('base64'))).toBe(-1);
      }),
    );
  });

  it.each(['aGVsbG8', 'aGVs!G8=', 'Y===', 'YQ==YQ==', 'aGVsbG8gd29ybGQ-'])('refuses %j', (s) => {
    expect(base64ErrorOffset(s)).toBeGreaterThanOrEqual(0);
    expect(() => decodeBase64(s)).toThrow(/^illegal base64 data at input byte \d+$/);
  });

  it('ignores CR and LF as Go does', () => {
    expect(decodeBase64('aGVs\r\nbG8=').toString()).toBe('hello');
  });
});
