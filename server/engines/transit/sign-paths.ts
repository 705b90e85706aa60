import type { BackendRequest, Response } from '../../core/request';
import { badRequest } from '../../errors';
import { tryDecodeBase64 } from './base64';
import { batchResponse, runItems, singleResponse, type ItemResult } from './batch';
import { has, readBatch, readBool, readInt, readString, type JsonObject } from './fields';
import { DEFAULT_HASH, signatureHash } from './hash-algorithms';
import { hmacVerifyPath } from './hmac';
import { KEY_TRAITS } from './key-types';
import type { KeyPolicy, PolicyStore } from './policy';
import { parseMarshaling, parseRsaScheme, parseSaltLength, signInput, verifyInput, type SignOptions } from './sign';

// sign/:name(/:hash_algorithm) and verify/:name(/:hash_algorithm)
// (path_sign_verify.go). verify with `hmac` instead of `signature` checks an HMAC.

function options(req: BackendRequest, urlAlgorithm: string): SignOptions {
  const d = req.data;
  const name = urlAlgorithm || readString(d, 'hash_algorithm') || readString(d, 'algorithm', DEFAULT_HASH);
  return {
    hash: signatureHash(name),
    marshaling: parseMarshaling(readString(d, 'marshaling_algorithm', 'asn1')),
    rsa: parseRsaScheme(readString(d, 'signature_algorithm')),
    saltLength: parseSaltLength(readString(d, 'salt_length')),
    prehashed: readBool(d, 'prehashed') ?? false,
  };
}

function inputOf(item: JsonObject): Buffer {
  if (!has(item, 'input')) throw badRequest('missing input');
  const r = tryDecodeBase64(readString(item, 'input'));
  if (!r.ok) throw badRequest(`unable to decode input as base64: ${r.error}`);
  return r.value;
}

/** A context only means something for derived keys, which this server does not make. */
function checkContext(item: JsonObject): void {
  const c = readString(item, 'context');
  if (c && !tryDecodeBase64(c).ok) throw badRequest('failed to base64-decode context');
}

function signingKey(store: PolicyStore, name: string, verb: 'signing' | 'verification'): KeyPolicy {
  const p = store.require(name);
  if (!KEY_TRAITS[p.type].signing) throw badRequest(`key type ${p.type} does not support ${verb}`);
  return p;
}


export function signPath(store: PolicyStore, name: string, urlAlgorithm: string, req: BackendRequest): Response {
  const o = options(req, urlAlgorithm);
  const p = signingKey(store, name, 'signing');
  const version = readInt(req.data, 'key_version') ?? 0;
  const batch = readBatch(req.data);
  // A single request with no input signs the empty string (Vault: "not an error").
  const items = batch ?? [{ input: readString(req.data, 'input'), context: readString(req.data, 'context') }];
  const run = runItems(items, (item): ItemResult => {
    const input = inputOf(item);
    checkContext(item);
    return { signature: signInput(p, version, input, o) };
  });
  return batch ? batchResponse(req.data, run) : singleResponse(run);
}

export function verifyPath(store: PolicyStore, name: string, urlAlgorithm: string, req: BackendRequest): Response {
  const d = req.data;
  const batch = readBatch(d);
  const items: JsonObject[] = batch ?? [
    { input: readString(d, 'input'), context: readString(d, 'context'), ...(has(d, 'signature') ? { signature: d.signature } : {}), ...(has(d, 'hmac') ? { hmac: d.hmac } : {}) },
  ];
  const sig = items.filter((i) => has(i, 'signature')).length;
  const mac = items.filter((i) => !has(i, 'signature') && has(i, 'hmac')).length;
  const missing = items.length - sig - mac;
  if (!batch && sig && has(items[0], 'hmac')) throw badRequest("provide one of 'signature' or 'hmac'");
  if (!batch && !sig && !mac) throw badRequest("neither a 'signature' nor an 'hmac' were given to verify");
  if (sig && mac) throw badRequest("elements of batch_input must all provide 'signature' or all provide 'hmac'");
  if (missing && sig) throw badRequest("some elements of batch_input are missing 'signature'");
  if (missing && mac) throw badRequest("some elements of batch_input are missing 'hmac'");
  if (missing) throw badRequest("no batch_input elements have 'signature' or 'hmac'");
  if (mac) return hmacVerifyPath(store, name, urlAlgorithm, req, items, batch !== null);

  const o = options(req, urlAlgorithm);
  const p = signingKey(store, name, 'verification');
  const run = runItems(items, (item): ItemResult => {
    const input = inputOf(item);
    checkContext(item);
    return { valid: verifyInput(p, input, readString(item, 'signature'), o) };
  });
  return batch ? batchResponse(d, run) : singleResponse(run);
}
