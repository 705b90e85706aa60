import { parseDuration } from '../../auth/duration';
import type { Operation, Response } from '../../core/request';
import type { StorageView } from '../../core/storage-view';
import { badRequest, VaultError } from '../../errors';
import { isObject, type JsonObject } from './fields';
import { listPrefix, listResponse, secretKey } from './secret-path';

// Unversioned key/value storage: a JSON object per path, stored as-is
// (vault/logical_passthrough.go). Shared by kv v1 and cubbyhole, which
// differ only in the storage view they hand in.

export interface PassthroughOptions {
  /**
   * kv v1 turns a "ttl" (or "lease") field into the response's lease_duration
   * hint, else the mount's default lease TTL; cubbyhole does not. As in Vault's
   * passthrough backend no lease is made: lease_id stays empty, not renewable.
   */
  ttlHint?: boolean;
  /** Seconds reported when the secret has no usable ttl. */
  defaultTtl?: number;
}

export function passthroughExists(view: StorageView, path: string): boolean {
  if (path === '' || path.endsWith('/') || path.includes('..')) return false;
  return view.get(path) !== null;
}

export function handlePassthrough(view: StorageView, op: Operation, path: string, data: unknown, opts: PassthroughOptions = {}): Response {
  switch (op) {
    case 'read':
      return read(view, path, opts);
    case 'create':
    case 'update':
      return write(view, path, data);
    case 'delete':
      view.delete(secretKey(path));
      return { status: 204 };
    case 'list':
      return listResponse(view.list(listPrefix(path)));
    default:
      throw new VaultError('unsupported_operation', 'unsupported operation');
  }
}

function read(view: StorageView, path: string, opts: PassthroughOptions): Response {
  // A folder or the mount root names no entry: 404 like any missing secret.
  if (path === '' || path.endsWith('/')) return { status: 404, data: null };
  const stored = view.getJSON<JsonObject>(secretKey(path));
  if (!stored) return { status: 404, data: null };
  const res: Response = { data: stored };
  if (opts.ttlHint) {
    const ttl = ttlOf(stored) ?? opts.defaultTtl;
    if (ttl !== undefined) res.leaseDuration = ttl;
  }
  return res;
}

function write(view: StorageView, path: string, data: unknown): Response {
  const key = secretKey(path);
  if (!isObject(data)) throw badRequest('the request body must be a JSON object of key/value pairs');
  if (Object.keys(data).length === 0) throw badRequest('missing data fields');
  view.putJSON(key, data);
  return { status: 204 };
}

/** Vault reads the hint leniently: an unparseable ttl is ignored, not an error. */
function ttlOf(stored: JsonObject): number | undefined {
  const raw = stored.ttl ?? stored.lease;
  if (raw === undefined) return undefined;
  try {
    return parseDuration(raw, 'ttl');
  } catch {
    return undefined;
  }
}
