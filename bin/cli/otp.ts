// Decoding the token that `operator generate-root` (and its -dr-token variant)
// hands back: the server XORs the new token with the one-time password and
// base64-encodes the result, so only the OTP holder can read it.
import { randomInt, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export class OtpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtpDecodeError';
  }
}

/** Strict base64: std or url alphabet, padded or not (Buffer alone skips junk silently). */
export function decodeBase64(text: string): Buffer {
  const s = text.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(s) || s.replace(/=+$/, '').length % 4 === 1) {
    throw new OtpDecodeError('Error decoding base64\'d token: illegal base64 data');
  }
  return Buffer.from(s, 'base64');
}

/**
 * XORs the base64-encoded token with the OTP's UTF-8 bytes and returns the
 * token text. Tokens from servers whose OTP is 16 random bytes in base64
 * (Vault before 1.10, otp_length 0) come back as UUIDs.
 */
export function decodeOtpToken(encoded: string, otp: string): string {
  const tokenBytes = decodeBase64(encoded);
  const otpBytes = Buffer.from(otp.trim(), 'utf8');
  if (tokenBytes.length === otpBytes.length) return xor(tokenBytes, otpBytes).toString('utf8');

  // Legacy form: the OTP itself is base64 and the token is a 16-byte UUID.
  let legacyOtp: Buffer | undefined;
  try {
    legacyOtp = decodeBase64(otp);
  } catch {
    legacyOtp = undefined;
  }
  if (legacyOtp && legacyOtp.length === tokenBytes.length && tokenBytes.length === 16) {
    const hex = xor(tokenBytes, legacyOtp).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  throw new OtpDecodeError(
    `Error xoring token: length of byte slices is not equivalent: ${tokenBytes.length} != ${otpBytes.length}`,
  );
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** An OTP of the server's advertised length (base62), or the legacy 16-byte base64 one. */
export function generateOtp(length: number): string {
  if (!length) return randomBytes(16).toString('base64');
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}
