import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { decodeOtpToken, generateOtp, OtpDecodeError } from './otp';

// Seed 002's DR operation token example. The transcript prints the encoded
// token as "...FBBYMRNU..."; that is a transcription slip (Y for y): the
// value below is the one that XORs back to the token shown in the seed.
const SEED_OTP = 'Frq1TtFmZp1iSD4VwNlRH8ccGm46';
const SEED_ENCODED = 'LgQCHzFBByMRNUYeFgcBHT0KJxN+WwEnIyF1dA';
const SEED_TOKEN = 'hvs.e5ANKEwwEC5KJDKA6cbDdLAB';

const encode = (token: string, otp: string) =>
  Buffer.from(Buffer.from(token).map((b, i) => b ^ Buffer.from(otp)[i])).toString('base64');

describe('decodeOtpToken', () => {
  it('decodes the seed transcript example', () => {
    expect(decodeOtpToken(SEED_ENCODED, SEED_OTP)).toBe(SEED_TOKEN);
  });

  it('accepts padded, unpadded and URL-safe base64 alike', () => {
    const padded = encode(SEED_TOKEN, SEED_OTP);
    expect(padded.endsWith('==')).toBe(true);
    expect(decodeOtpToken(padded, SEED_OTP)).toBe(SEED_TOKEN);
    const urlSafe = padded.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(urlSafe).toContain('-');
    expect(decodeOtpToken(urlSafe, SEED_OTP)).toBe(SEED_TOKEN);
  });

  it('round-trips random tokens of the OTP length', () => {
    for (let i = 0; i < 20; i++) {
      const otp = generateOtp(28);
      const token = 'hvs.' + randomBytes(18).toString('base64url').slice(0, 24);
      expect(decodeOtpToken(encode(token, otp), otp)).toBe(token);
    }
  });

  it('decodes legacy UUID tokens XORed with a base64 OTP', () => {
    const uuidHex = '0e5f2c3a9b7d4e1f8a6b5c4d3e2f1a0b';
    const otpBytes = randomBytes(16);
    const encoded = Buffer.from(Buffer.from(uuidHex, 'hex').map((b, i) => b ^ otpBytes[i])).toString('base64');
    expect(decodeOtpToken(encoded, otpBytes.toString('base64'))).toBe('0e5f2c3a-9b7d-4e1f-8a6b-5c4d3e2f1a0b');
  });

  it('rejects a wrong-length OTP and invalid base64', () => {
    expect(() => decodeOtpToken(SEED_ENCODED, 'short')).toThrow(/not equivalent: 28 != 5/);
    expect(() => decodeOtpToken('not base64!!', SEED_OTP)).toThrow(OtpDecodeError);
    expect(() => decodeOtpToken('abcde', SEED_OTP)).toThrow(OtpDecodeError);
  });
});

describe('generateOtp', () => {
  it('produces base62 of the requested length, or 16 random bytes in base64', () => {
    expect(generateOtp(28)).toMatch(/^[0-9A-Za-z]{28}$/);
    expect(generateOtp(28)).not.toBe(generateOtp(28));
    expect(Buffer.from(generateOtp(0), 'base64')).toHaveLength(16);
  });
});
