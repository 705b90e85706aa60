import { badRequest } from '../../errors';

// Go's base64.StdEncoding.DecodeString, which Vault uses for every transit
// input: padded standard alphabet, CR/LF ignored, anything else refused with
// Go's wording. Node's Buffer.from(s, 'base64') would silently skip bad
// characters and accept missing padding, turning a client's mistake into a
// wrong plaintext instead of a 400.

const ALPHABET = /^[A-Za-z0-9+/]$/;

/** The byte offset Go reports (near enough) for the first thing it cannot accept, or -1 when the text decodes. */
export function base64ErrorOffset(text: string): number {
  const s = text.replace(/[\r\n]/g, '');
  let i = 0;
  while (i < s.length && ALPHABET.test(s[i])) i++;
  const dataEnd = i;
  while (i < s.length && s[i] === '=') i++;
  if (i < s.length) return i; // a character outside the alphabet, or padding followed by data
  if (s.length % 4 !== 0) return s.length; // padding is required: a truncated quantum
  // Only "xx==" and "xxx=" are padded quanta.
  const pad = s.length - dataEnd;
  if (pad > 2 || (pad > 0 && dataEnd % 4 < 2)) return dataEnd;
  return -1;
}

/** Decode or throw Vault's 400 ("illegal base64 data at input byte N"), optionally prefixed. */
export function decodeBase64(text: string, prefix = ''): Buffer {
  const at = base64ErrorOffset(text);
  if (at >= 0) throw badRequest(`${prefix}illegal base64 data at input byte ${at}`);
  return Buffer.from(text.replace(/[\r\n]/g, ''), 'base64');
}

/** Like decodeBase64, but returns the error text instead of throwing (batch items carry their own errors). */
export function tryDecodeBase64(text: string): { ok: true; value: Buffer } | { ok: false; error: string } {
  const at = base64ErrorOffset(text);
  return at >= 0 ? { ok: false, error: `illegal base64 data at input byte ${at}` } : { ok: true, value: Buffer.from(text.replace(/[\r\n]/g, ''), 'base64') };
}

/** Go's base64.RawURLEncoding (JWS signatures): URL alphabet, no padding. */
export function decodeRawUrlBase64(text: string): Buffer | null {
  return /^[A-Za-z0-9_-]*$/.test(text) && text.length % 4 !== 1 ? Buffer.from(text, 'base64url') : null;
}
