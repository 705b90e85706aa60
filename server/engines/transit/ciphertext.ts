import { badRequest } from '../../errors';

// The versioned envelope Vault puts around every transit output
// (sdk/helper/keysutil/policy.go DefaultVersionTemplate "vault:v{{version}}:"):
// ciphertexts, signatures and HMACs are `vault:v<N>:<base64>`. Parsing keeps
// Vault's error wording per kind, since clients match on it.

export const VERSION_PREFIX = 'vault:v';

export type EnvelopeKind = 'ciphertext' | 'signature' | 'HMAC';

export function encodeEnvelope(version: number, payload: string): string {
  return `${VERSION_PREFIX}${version}:${payload}`;
}

export interface Envelope {
  version: number;
  /** The text after the second colon, still encoded. */
  payload: string;
}

/**
 * Split `vault:v<N>:<payload>`. A ciphertext's version 0 means 1 (Vault's compatibility with
 * its first keys, which started at zero). Throws Vault's 400 for each shape error.
 */
export function parseEnvelope(value: string, kind: EnvelopeKind): Envelope {
  const what = kind === 'HMAC' ? 'HMAC' : kind;
  if (!value.startsWith(VERSION_PREFIX)) throw badRequest(kind === 'HMAC' ? 'invalid HMAC to verify: no prefix' : `invalid ${what}: no prefix`);
  const rest = value.slice(VERSION_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon === -1) throw badRequest(`invalid ${what}: wrong number of fields`);
  const digits = rest.slice(0, colon);
  // strconv.Atoi: optional sign, decimal digits, nothing else.
  if (!/^[+-]?\d+$/.test(digits) || !Number.isSafeInteger(Number(digits))) throw badRequest(`invalid ${what}: version number could not be decoded`);
  const n = Number(digits);
  return { version: n === 0 && kind === 'ciphertext' ? 1 : n, payload: rest.slice(colon + 1) };
}
