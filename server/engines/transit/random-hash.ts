import { createHash, randomBytes } from 'node:crypto';
import type { BackendRequest, Response } from '../../core/request';
import { badRequest } from '../../errors';
import { tryDecodeBase64 } from './base64';
import { readInt, readString } from './fields';
import { DEFAULT_HASH, digestHash } from './hash-algorithms';

// random(/:source)(/:bytes) and hash(/:algorithm): no key involved
// (sdk helper random.HandleRandomAPI, path_hash.go).

export const DEFAULT_RANDOM_BYTES = 32;
export const MAX_RANDOM_BYTES = 128 * 1024;
/** Every source is the platform's CSPRNG here: there is no HSM seal to draw from. */
const SOURCES = new Set(['platform', 'seal', 'all']);

function encodeAs(format: string, bytes: Buffer): string {
  if (format === 'hex') return bytes.toString('hex');
  if (format === 'base64') return bytes.toString('base64');
  throw badRequest(`unsupported encoding format ${JSON.stringify(format)}; must be "hex" or "base64"`);
}

export function randomPath(urlSource: string, urlBytes: string, req: BackendRequest): Response {
  const source = urlSource || readString(req.data, 'source', 'platform');
  if (!SOURCES.has(source)) throw badRequest(`unsupported entropy source ${JSON.stringify(source)}; must be "platform" or "seal", or "all"`);
  let bytes = readInt(req.data, 'bytes') ?? DEFAULT_RANDOM_BYTES;
  if (urlBytes) {
    if (!/^[+-]?\d+$/.test(urlBytes)) throw badRequest(`error parsing url-set byte count: strconv.Atoi: parsing ${JSON.stringify(urlBytes)}: invalid syntax`);
    bytes = Number(urlBytes);
  }
  if (bytes < 1) throw badRequest('"bytes" cannot be less than 1');
  if (bytes > MAX_RANDOM_BYTES) throw badRequest(`"bytes" should be less than ${MAX_RANDOM_BYTES}`);
  return { data: { random_bytes: encodeAs(readString(req.data, 'format', 'base64'), randomBytes(bytes)) } };
}

export function hashPath(urlAlgorithm: string, req: BackendRequest): Response {
  const r = tryDecodeBase64(readString(req.data, 'input'));
  if (!r.ok) throw badRequest(`unable to decode input as base64: ${r.error}`);
  const format = readString(req.data, 'format', 'hex');
  if (format !== 'hex' && format !== 'base64') throw badRequest(`unsupported encoding format ${format}; must be "hex" or "base64"`);
  const hash = digestHash(urlAlgorithm || readString(req.data, 'algorithm', DEFAULT_HASH));
  return { data: { sum: encodeAs(format, createHash(hash).update(r.value).digest()) } };
}
