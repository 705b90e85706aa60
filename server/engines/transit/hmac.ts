import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BackendRequest, Response } from '../../core/request';
import { badRequest } from '../../errors';
import { tryDecodeBase64 } from './base64';
import { batchResponse, runItems, singleResponse, type ItemResult } from './batch';
import { encodeEnvelope, parseEnvelope } from './ciphertext';
import { has, readBatch, readInt, readString, type JsonObject } from './fields';
import { DEFAULT_HASH, digestHash } from './hash-algorithms';
import { hmacKeyOf } from './key-material';
import { versionEntry, type KeyPolicy, type PolicyStore } from './policy';

// hmac/:name(/:algorithm) and the hmac half of verify/:name (path_hmac.go):
// HMAC under the key version's own HMAC key, output `vault:v<N>:<base64>`.

function inputOf(item: JsonObject): Buffer {
  if (!has(item, 'input')) throw badRequest('missing input for HMAC');
  const r = tryDecodeBase64(readString(item, 'input'));
  if (!r.ok) throw badRequest(`unable to decode input as base64: ${r.error}`);
  return r.value;
}

function hmacVersion(p: KeyPolicy, requested: number): number {
  if (requested === 0 || requested === p.latest_version) return p.latest_version;
  if (p.min_encryption_version > 0 && requested < p.min_encryption_version) throw badRequest('cannot generate HMAC: version is too old (disallowed by policy)');
  if (requested > p.latest_version) throw badRequest(`key version does not exist; latest key version is ${p.latest_version}`);
  return requested;
}


export function hmacPath(store: PolicyStore, name: string, urlAlgorithm: string, req: BackendRequest): Response {
  const p = store.require(name);
  const version = hmacVersion(p, readInt(req.data, 'key_version') ?? 0);
  const key = hmacKeyOf(versionEntry(p, version));
  const hash = digestHash(urlAlgorithm || readString(req.data, 'algorithm', DEFAULT_HASH));
  const batch = readBatch(req.data);
  if (!batch && !has(req.data, 'input')) throw badRequest('missing input for HMAC');
  const run = runItems(batch ?? [req.data], (item): ItemResult => ({
    hmac: encodeEnvelope(version, createHmac(hash, key).update(inputOf(item)).digest('base64')),
  }));
  return batch ? batchResponse(req.data, run) : singleResponse(run);
}

export function hmacVerifyPath(store: PolicyStore, name: string, urlAlgorithm: string, req: BackendRequest, items: JsonObject[], batch: boolean): Response {
  const p = store.require(name);
  const algorithm = urlAlgorithm || readString(req.data, 'hash_algorithm') || readString(req.data, 'algorithm', DEFAULT_HASH);
  const hash = digestHash(algorithm);
  const run = runItems(items, (item): ItemResult => {
    if (!has(item, 'input')) throw badRequest('missing input');
    const r = tryDecodeBase64(readString(item, 'input'));
    if (!r.ok) throw badRequest(`unable to decode input as base64: ${r.error}`);
    const env = parseEnvelope(readString(item, 'hmac'), 'HMAC');
    const given = tryDecodeBase64(env.payload);
    if (!given.ok) throw badRequest(`unable to decode verification HMAC as base64: ${given.error}`);
    if (env.version > p.latest_version) throw badRequest('invalid HMAC: version is too new');
    if (p.min_decryption_version > 0 && env.version < p.min_decryption_version) throw badRequest('cannot verify HMAC: version is too old (disallowed by policy)');
    const expected = createHmac(hash, hmacKeyOf(versionEntry(p, env.version))).update(r.value).digest();
    return { valid: expected.length === given.value.length && timingSafeEqual(expected, given.value) };
  });
  return batch ? batchResponse(req.data, run) : singleResponse(run);
}
