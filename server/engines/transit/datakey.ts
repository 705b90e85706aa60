import { randomBytes } from 'node:crypto';
import type { BackendRequest, Response } from '../../core/request';
import { badRequest } from '../../errors';
import { tryDecodeBase64 } from './base64';
import { encrypt } from './cipher';
import { readInt, readString } from './fields';
import type { PolicyStore } from './policy';

// datakey/:type/:name (path_datakey.go): a fresh random key, returned
// encrypted under the named key, and in plaintext too on the `plaintext` path
// (so ACLs can give some callers only the wrapped form).

const BITS_TO_BYTES: Record<number, number> = { 128: 16, 256: 32, 512: 64 };
export const DEFAULT_DATAKEY_BITS = 256;

export function datakeyPath(store: PolicyStore, kind: string, name: string, req: BackendRequest): Response {
  if (kind !== 'plaintext' && kind !== 'wrapped') throw badRequest("Invalid path, must be 'plaintext' or 'wrapped'");
  const context = readString(req.data, 'context');
  if (context && !tryDecodeBase64(context).ok) throw badRequest('failed to base64-decode context');
  const nonce = readString(req.data, 'nonce');
  if (nonce && !tryDecodeBase64(nonce).ok) throw badRequest('failed to base64-decode nonce');
  const p = store.require(name);
  const size = BITS_TO_BYTES[readInt(req.data, 'bits') ?? DEFAULT_DATAKEY_BITS];
  if (!size) throw badRequest('invalid bit length');
  if (nonce) throw badRequest('provided nonce not allowed for this key');
  const key = randomBytes(size);
  const { ciphertext, version } = encrypt(p, readInt(req.data, 'key_version') ?? 0, key);
  return { data: { ciphertext, key_version: version, ...(kind === 'plaintext' ? { plaintext: key.toString('base64') } : {}) } };
}
