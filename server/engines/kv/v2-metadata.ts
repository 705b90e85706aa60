import { formatDuration, parseDuration } from '../../auth/duration';
import type { BackendRequest, Response } from '../../core/request';
import { badRequest, VaultError } from '../../errors';
import { isObject, readBool, readInt, type JsonObject } from './fields';
import { metadataView, newKeyMetadata, type KeyMetadata } from './key-metadata';
import { listPrefix, listResponse, secretKey } from './secret-path';
import type { KvV2Context } from './v2-store';

// kv v2 metadata/:path and config (path_metadata.go, path_config.go).

const NO_CONTENT: Response = { status: 204 };
const CAS_IGNORED_WARNING = '"cas_required" set to false, but is mandated by backend config. This value will be ignored.';

// Limits Vault applies to custom_metadata (path_metadata.go).
const MAX_CUSTOM_METADATA_KEYS = 64;
const MAX_CUSTOM_METADATA_KEY_LENGTH = 128;
const MAX_CUSTOM_METADATA_VALUE_LENGTH = 512;

export function handleMetadata(ctx: KvV2Context, req: BackendRequest, path: string): Response {
  switch (req.operation) {
    case 'list':
      return listResponse(ctx.store.list(listPrefix(path)));
    case 'read': {
      if (path === '' || path.endsWith('/')) return { status: 404, data: null };
      const meta = ctx.store.metadata(secretKey(path));
      return meta ? { data: metadataView(meta) } : { status: 404, data: null };
    }
    case 'create':
    case 'update':
      return writeMetadata(ctx, req.data, secretKey(path), false);
    case 'patch':
      return writeMetadata(ctx, req.data, secretKey(path), true);
    case 'delete': {
      const key = secretKey(path);
      const meta = ctx.store.metadata(key);
      if (meta) ctx.store.remove(key, meta);
      return NO_CONTENT;
    }
    default:
      throw new VaultError('unsupported_operation', 'unsupported operation');
  }
}

export function handleConfig(ctx: KvV2Context, req: BackendRequest): Response {
  if (req.operation === 'read') {
    const c = ctx.store.config();
    return { data: { cas_required: c.cas_required, delete_version_after: formatDuration(c.delete_version_after), max_versions: c.max_versions } };
  }
  if (req.operation !== 'create' && req.operation !== 'update') throw new VaultError('unsupported_operation', 'unsupported operation');
  const config = ctx.store.config();
  const max = readInt(req.data, 'max_versions');
  const cas = readBool(req.data, 'cas_required');
  const dva = req.data.delete_version_after;
  if (max === undefined && cas === undefined && dva === undefined) return NO_CONTENT;
  if (max !== undefined) config.max_versions = max;
  if (cas !== undefined) config.cas_required = cas;
  if (dva !== undefined) config.delete_version_after = parseDuration(dva, 'delete_version_after');
  ctx.store.putConfig(config);
  return NO_CONTENT;
}

/** POST replaces the given settings (creating the metadata); PATCH needs it to exist and merges custom_metadata. */
function writeMetadata(ctx: KvV2Context, body: JsonObject, path: string, patch: boolean): Response {
  const max = readInt(body, 'max_versions');
  const cas = readBool(body, 'cas_required');
  const dva = body.delete_version_after === undefined ? undefined : parseDuration(body.delete_version_after, 'delete_version_after');
  const custom = body.custom_metadata === undefined ? undefined : customMetadata(body.custom_metadata, patch);

  let meta: KeyMetadata | null = ctx.store.metadata(path);
  if (patch && !meta) return { status: 404, data: null };
  if (max === undefined && cas === undefined && dva === undefined && custom === undefined) return NO_CONTENT;
  meta ??= newKeyMetadata(ctx.now());

  if (max !== undefined) meta.max_versions = max;
  if (cas !== undefined) meta.cas_required = cas;
  if (dva !== undefined) meta.delete_version_after = dva;
  if (custom !== undefined) meta.custom_metadata = patch ? mergeCustom(meta.custom_metadata, custom) : dropNulls(custom);
  validateCustomMetadata(meta.custom_metadata);
  ctx.store.commit(path, meta);

  const warn = cas === false && ctx.store.config().cas_required;
  return warn ? { warnings: [CAS_IGNORED_WARNING] } : NO_CONTENT;
}

/** Weakly decode custom_metadata values to strings; null is kept only for PATCH (it removes the key). */
function customMetadata(raw: unknown, allowNull: boolean): Record<string, string | null> | null {
  if (raw === null) return allowNull ? {} : null;
  if (!isObject(raw)) throw badRequest(`invalid value for "custom_metadata": expected a JSON object of strings, got ${JSON.stringify(raw)}`);
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null && allowNull) out[k] = null;
    else if (v === null) out[k] = '';
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw badRequest(`custom_metadata validation failed: value for key "${k}" must be a string`);
  }
  return out;
}

function mergeCustom(current: Record<string, string> | null, patch: Record<string, string | null> | null): Record<string, string> | null {
  if (patch === null) return current;
  const out: Record<string, string> = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function dropNulls(custom: Record<string, string | null> | null): Record<string, string> | null {
  if (custom === null) return null;
  return Object.fromEntries(Object.entries(custom).filter((e): e is [string, string] => e[1] !== null));
}

function validateCustomMetadata(custom: Record<string, string> | null): void {
  if (!custom) return;
  const entries = Object.entries(custom);
  const fail = (msg: string) => badRequest(`custom_metadata validation failed: ${msg}`);
  if (entries.length > MAX_CUSTOM_METADATA_KEYS)
    throw fail(`payload must contain at most ${MAX_CUSTOM_METADATA_KEYS} keys, provided ${entries.length}`);
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > MAX_CUSTOM_METADATA_KEY_LENGTH)
      throw fail(`length of key "${k}" is ${k.length} but must be 0 < len(key) <= ${MAX_CUSTOM_METADATA_KEY_LENGTH}`);
    if (v.length === 0 || v.length > MAX_CUSTOM_METADATA_VALUE_LENGTH)
      throw fail(`length of value for key "${k}" is ${v.length} but must be 0 < len(value) <= ${MAX_CUSTOM_METADATA_VALUE_LENGTH}`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(k + v)) throw fail(`key "${k}" or its value contains unprintable characters`);
  }
}
