import { constants, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { badRequest } from '../../errors';
import { decodeBase64, decodeRawUrlBase64 } from './base64';
import { ERR_TOO_OLD } from './cipher';
import { encodeEnvelope, parseEnvelope } from './ciphertext';
import { privateKeyOf, publicKeyOf } from './key-material';
import { KEY_TRAITS } from './key-types';
import { versionEntry, type KeyPolicy } from './policy';
import { signPkcs1Prehashed, verifyPkcs1Prehashed } from './rsa-prehashed';

// Signatures with a key version (keysutil SignWithOptions /
// VerifySignatureWithOptions) on Node's crypto. ed25519 signs the input
// itself; ECDSA and RSA sign the input's hash, which Node computes from the
// input and the named digest — the same bytes Go signs after hashing. ECDSA
// `asn1` is DER, `jws` is r||s (IEEE P1363) in unpadded base64url; RSA is PSS
// (salt as long as possible, as Go's PSSSaltLengthAuto) or PKCS#1 v1.5.
// `prehashed` input is signed as given for PKCS#1 v1.5 (rsa-prehashed.ts);
// ed25519 never hashes; ECDSA and PSS over a given digest are refused.

export type Marshaling = 'asn1' | 'jws';
export type RsaScheme = 'pss' | 'pkcs1v15';

export interface SignOptions {
  /** Node digest name. */
  hash: string;
  marshaling: Marshaling;
  rsa: RsaScheme;
  /** PSS salt: 'auto' (max when signing, detected when verifying), 'hash' (digest length) or bytes. */
  saltLength: 'auto' | 'hash' | number;
  prehashed: boolean;
}

export function parseMarshaling(s: string): Marshaling {
  if (s === 'asn1' || s === 'jws') return s;
  throw badRequest(`invalid marshaling type ${JSON.stringify(s)}`);
}

export function parseRsaScheme(s: string): RsaScheme {
  if (s === '' || s === 'pss') return 'pss';
  if (s === 'pkcs1v15') return 'pkcs1v15';
  throw badRequest(`unsupported rsa signature algorithm ${s}`);
}

export function parseSaltLength(s: string): SignOptions['saltLength'] {
  if (s === '' || s === 'auto') return 'auto';
  if (s === 'hash') return 'hash';
  if (/^\d+$/.test(s)) return Number(s);
  throw badRequest(`salt length must be "auto", "hash", or an integer; got ${JSON.stringify(s)}`);
}

/** Node's signing options for this key, or a 400 for what Node's API cannot do. */
function keyOptions(p: KeyPolicy, key: KeyObject, o: SignOptions, signing: boolean) {
  const family = KEY_TRAITS[p.type].family;
  if (o.prehashed && (family === 'ecdsa' || (family === 'rsa' && o.rsa === 'pss')))
    // Node hashes inside sign(); it has no call that signs a given digest with ECDSA or PSS.
    throw badRequest(
      `prehashed input is not supported by this server for ${family === 'rsa' ? 'rsa pss signatures' : `key type ${p.type}`}; send the unhashed input and hash_algorithm${family === 'rsa' ? ', or use signature_algorithm pkcs1v15' : ''}`,
    );
  if (family === 'ecdsa') return { key, dsaEncoding: o.marshaling === 'jws' ? ('ieee-p1363' as const) : ('der' as const) };
  if (family === 'rsa' && o.rsa === 'pss') {
    const saltLength =
      o.saltLength === 'auto' ? (signing ? constants.RSA_PSS_SALTLEN_MAX_SIGN : constants.RSA_PSS_SALTLEN_AUTO) : o.saltLength === 'hash' ? constants.RSA_PSS_SALTLEN_DIGEST : o.saltLength;
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
  }
  if (family === 'rsa') return { key, padding: constants.RSA_PKCS1_PADDING };
  return { key };
}

export function signingVersion(p: KeyPolicy, requested: number): number {
  if (requested === 0) return p.latest_version;
  if (requested > p.latest_version) throw badRequest('requested version for signing is higher than the latest key version');
  if (p.min_encryption_version > 0 && requested < p.min_encryption_version)
    throw badRequest('requested version for signing is less than the minimum encryption key version');
  return requested;
}

export function signInput(p: KeyPolicy, requestedVersion: number, input: Buffer, o: SignOptions): string {
  const version = signingVersion(p, requestedVersion);
  const entry = versionEntry(p, version);
  const hashed = KEY_TRAITS[p.type].hashesInput;
  const options = keyOptions(p, privateKeyOf(entry), o, true);
  let sig: Buffer;
  try {
    sig = o.prehashed && hashed ? signPkcs1Prehashed(options.key, o.hash, input) : nodeSign(hashed ? o.hash : null, input, options);
  } catch (err) {
    if (err instanceof Error && /salt/i.test(err.message)) throw badRequest(`requested salt length ${o.saltLength} is invalid`);
    throw err;
  }
  const encoded = o.marshaling === 'jws' ? sig.toString('base64url') : sig.toString('base64');
  return encodeEnvelope(version, encoded);
}

export function verifyInput(p: KeyPolicy, input: Buffer, signature: string, o: SignOptions): boolean {
  const { version, payload } = parseEnvelope(signature, 'signature');
  if (version > p.latest_version) throw badRequest('invalid signature: version is too new');
  if (p.min_decryption_version > 0 && version < p.min_decryption_version) throw badRequest(ERR_TOO_OLD);
  let sig: Buffer | null;
  if (o.marshaling === 'jws') sig = decodeRawUrlBase64(payload);
  else {
    try {
      sig = decodeBase64(payload);
    } catch {
      sig = null;
    }
  }
  if (!sig) throw badRequest('invalid base64 signature value');
  const entry = versionEntry(p, version);
  const hashed = KEY_TRAITS[p.type].hashesInput;
  const options = keyOptions(p, publicKeyOf(entry), o, false);
  if (o.prehashed && hashed) return verifyPkcs1Prehashed(options.key, o.hash, input, sig); // only RSA PKCS#1 v1.5 gets here
  try {
    return nodeVerify(hashed ? o.hash : null, input, options, sig);
  } catch {
    // Malformed DER and the like: Vault says "supplied signature is invalid" (ECDSA), otherwise just not valid.
    if (KEY_TRAITS[p.type].family === 'ecdsa' && o.marshaling === 'asn1') throw badRequest('supplied signature is invalid');
    return false;
  }
}
