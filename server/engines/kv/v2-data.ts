import type { BackendRequest, Response } from '../../core/request';
import { badRequest, VaultError } from '../../errors';
import { isObject, readInt, readObject, type JsonObject } from './fields';
import { addVersion, isDeleted, isLive, newKeyMetadata, scheduledDeletion, versionView, type KeyMetadata } from './key-metadata';
import { mergePatch } from './merge-patch';
import type { KvConfig, KvV2Context } from './v2-store';

// kv v2 data/:path and subkeys/:path (vault-plugin-secrets-kv path_data.go,
// path_subkeys.go). A deleted or destroyed version answers 404 but still
// carries its metadata, as Vault does.

const NOT_FOUND: Response = { status: 404, data: null };
const NO_CONTENT: Response = { status: 204 };

export function handleData(ctx: KvV2Context, req: BackendRequest, path: string): Response {
  switch (req.operation) {
    case 'read':
      return readData(ctx, req, path);
    case 'create':
    case 'update':
      return writeData(ctx, req.data, path);
    case 'patch':
      return patchData(ctx, req.data, path);
    case 'delete':
      return deleteLatest(ctx, path);
    default:
      throw new VaultError('unsupported_operation', 'unsupported operation');
  }
}

export function handleSubkeys(ctx: KvV2Context, req: BackendRequest, path: string): Response {
  if (req.operation !== 'read') throw new VaultError('unsupported_operation', 'unsupported operation');
  const depth = readInt(paramsOf(req), 'depth') ?? 0;
  const found = findVersion(ctx, req, path);
  if (!found) return NOT_FOUND;
  const { meta, version } = found;
  const metadata = versionView(meta, version);
  if (!isLive(meta.versions[String(version)], ctx.now())) return { status: 404, data: { subkeys: null, metadata } };
  return { data: { subkeys: subkeysOf(storedValue(ctx, path, version), depth, 1), metadata } };
}

function readData(ctx: KvV2Context, req: BackendRequest, path: string): Response {
  const found = findVersion(ctx, req, path);
  if (!found) return NOT_FOUND;
  const { meta, version } = found;
  const metadata = versionView(meta, version);
  if (!isLive(meta.versions[String(version)], ctx.now())) return { status: 404, data: { data: null, metadata } };
  return { data: { data: storedValue(ctx, path, version), metadata } };
}

/** The requested (?version=N) or current version, if the key has it; `meta` is the shared cached copy: read it, never change it. */
function findVersion(ctx: KvV2Context, req: BackendRequest, path: string): { meta: Readonly<KeyMetadata>; version: number } | null {
  const asked = readInt(paramsOf(req), 'version');
  const meta = ctx.store.metadataForRead(path);
  if (!meta) return null;
  const version = asked || meta.current_version;
  return meta.versions[String(version)] ? { meta, version } : null;
}

/** GET parameters arrive in the query string; accept them in a body too. */
function paramsOf(req: BackendRequest): JsonObject {
  const noQuery = !req.query || Object.keys(req.query).length === 0;
  if (noQuery) return req.data ?? {}; // the common read: no copy
  return { ...req.data, ...req.query };
}

function storedValue(ctx: KvV2Context, path: string, version: number): JsonObject {
  const value = ctx.store.value(path, version);
  if (!value) throw new VaultError('internal', 'could not find version data');
  return value;
}

function writeData(ctx: KvV2Context, body: JsonObject, path: string): Response {
  const data = dataField(body);
  const options = readObject(body, 'options') ?? {};
  const config = ctx.store.config();
  const now = ctx.now();
  const meta = ctx.store.metadata(path) ?? newKeyMetadata(now);
  checkCas(options, config, meta);
  return commitVersion(ctx, path, meta, config, data, now);
}

function patchData(ctx: KvV2Context, body: JsonObject, path: string): Response {
  const patch = dataField(body);
  const options = readObject(body, 'options') ?? {};
  const meta = ctx.store.metadata(path);
  if (!meta) return NOT_FOUND;
  const config = ctx.store.config();
  checkCas(options, config, meta);
  const current = meta.versions[String(meta.current_version)];
  if (!current) return NOT_FOUND;
  const now = ctx.now();
  if (!isLive(current, now)) return { status: 404, data: versionView(meta, meta.current_version) };
  const patched = mergePatch(storedValue(ctx, path, meta.current_version), patch);
  return commitVersion(ctx, path, meta, config, patched, now);
}

function deleteLatest(ctx: KvV2Context, path: string): Response {
  const meta = ctx.store.metadata(path);
  const now = ctx.now();
  const latest = meta?.versions[String(meta.current_version)];
  if (!meta || !latest || latest.destroyed || isDeleted(latest, now)) return NO_CONTENT;
  latest.deletion_time = now.toISOString();
  ctx.store.commit(path, meta);
  return NO_CONTENT;
}

/** Add a version (value + metadata + trimmed old values in one transaction). */
function commitVersion(ctx: KvV2Context, path: string, meta: KeyMetadata, config: KvConfig, data: JsonObject, now: Date): Response {
  const vm = {
    created_time: now.toISOString(),
    deletion_time: scheduledDeletion(now, config.delete_version_after, meta.delete_version_after),
    destroyed: false,
  };
  const drop = addVersion(meta, vm, config.max_versions);
  ctx.store.commit(path, meta, { add: { version: meta.current_version, data }, drop });
  return { data: versionView(meta, meta.current_version) };
}

function dataField(body: JsonObject): JsonObject {
  const data = body.data;
  if (data === undefined || data === null) throw badRequest('no data provided');
  if (!isObject(data)) throw badRequest(`invalid value for "data": expected a JSON object, got ${JSON.stringify(data)}`);
  return data;
}

/** Check-and-set: cas must equal the current version (0 = "must not exist yet"). */
function checkCas(options: JsonObject, config: KvConfig, meta: KeyMetadata): void {
  const raw = options.cas;
  if (raw !== undefined && raw !== null) {
    let cas: number | undefined;
    try {
      cas = readInt(options, 'cas');
    } catch {
      throw badRequest('error parsing check-and-set parameter');
    }
    if (cas !== meta.current_version) throw badRequest('check-and-set parameter did not match the current version');
  } else if (config.cas_required || meta.cas_required) {
    throw badRequest('check-and-set parameter required for this call');
  }
}

/** The secret's shape with every leaf replaced by null; `depth` > 0 cuts nesting there. */
function subkeysOf(value: JsonObject, depth: number, level: number): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const nested = isObject(v) && Object.keys(v).length > 0 && (depth === 0 || level < depth);
    out[key] = nested ? subkeysOf(v as JsonObject, depth, level + 1) : null;
  }
  return out;
}
