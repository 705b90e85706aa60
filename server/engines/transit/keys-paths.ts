import { parseDuration } from '../../auth/duration';
import type { BackendRequest, Response } from '../../core/request';
import { badRequest } from '../../errors';
import { has, readBool, readInt, readString } from './fields';
import { checkKeyName, refuseDerived, rotateKey, upsertKey } from './key-lifecycle';
import { DEFAULT_KEY_TYPE, parseKeyType } from './key-types';
import { keyView } from './key-view';
import type { KeyPolicy, PolicyStore } from './policy';

// keys, keys/:name, keys/:name/config, keys/:name/rotate (path_keys.go,
// path_keys_config.go, path_rotate.go).

const MIN_AUTO_ROTATE_SECONDS = 3600;

export function listKeys(store: PolicyStore): Response {
  const keys = store.list();
  return keys.length ? { data: { keys } } : { status: 404, data: null };
}

export function readKey(store: PolicyStore, name: string): Response {
  const p = store.get(name);
  return p ? { data: keyView(p) } : { status: 404, data: null };
}

function autoRotatePeriod(req: BackendRequest): number | undefined {
  if (!has(req.data, 'auto_rotate_period')) return undefined;
  const seconds = parseDuration(req.data.auto_rotate_period, 'auto_rotate_period');
  if (seconds !== 0 && seconds < MIN_AUTO_ROTATE_SECONDS) throw badRequest('auto rotate period must be 0 to disable or at least an hour');
  return seconds;
}

export async function createKey(store: PolicyStore, name: string, req: BackendRequest): Promise<Response> {
  checkKeyName(name);
  const period = autoRotatePeriod(req) ?? 0;
  refuseDerived(readBool(req.data, 'derived') ?? false, readBool(req.data, 'convergent_encryption') ?? false);
  const type = parseKeyType(readString(req.data, 'type', DEFAULT_KEY_TYPE));
  if (has(req.data, 'key_size') && readInt(req.data, 'key_size') !== 0) throw badRequest(`key_size is not valid for algorithm ${type}`);
  const { policy, created } = await upsertKey(store, name, {
    type,
    exportable: readBool(req.data, 'exportable') ?? false,
    allowPlaintextBackup: readBool(req.data, 'allow_plaintext_backup') ?? false,
    autoRotatePeriod: period,
  });
  return { data: keyView(policy), ...(created ? {} : { warnings: [`key ${name} already existed`] }) };
}

export function deleteKey(store: PolicyStore, name: string): Response {
  const p = store.get(name);
  if (!p) throw badRequest(`error deleting policy ${name}: could not delete key; not found`);
  if (!p.deletion_allowed) throw badRequest(`error deleting policy ${name}: deletion is not allowed for this key`);
  store.delete(name);
  return { status: 204 };
}

export async function rotate(store: PolicyStore, name: string): Promise<Response> {
  return { data: keyView(await rotateKey(store, name)) };
}

/** keys/:name/config: Vault's checks and wording, one write when anything changed. */
export function configureKey(store: PolicyStore, name: string, req: BackendRequest): Response {
  const p: KeyPolicy = store.require(name, 'no existing key named ' + name + ' could be found');
  const d = req.data;
  const warnings: string[] = [];
  let changed = false;

  const minDec = readSigned(d, 'min_decryption_version');
  if (minDec !== undefined) {
    if (minDec < 0) throw badRequest('min decryption version cannot be negative');
    let v = minDec;
    if (v === 0) {
      v = 1;
      warnings.push('since Vault 0.3, transit key numbering starts at 1; forcing minimum to 1');
    }
    if (v !== p.min_decryption_version) {
      if (v > p.latest_version) throw badRequest(`cannot set min decryption version of ${v}, latest key version is ${p.latest_version}`);
      p.min_decryption_version = v;
      changed = true;
    }
  }
  const minEnc = readSigned(d, 'min_encryption_version');
  if (minEnc !== undefined) {
    if (minEnc < 0) throw badRequest('min encryption version cannot be negative');
    if (minEnc !== p.min_encryption_version) {
      if (minEnc > p.latest_version) throw badRequest(`cannot set min encryption version of ${minEnc}, latest key version is ${p.latest_version}`);
      p.min_encryption_version = minEnc;
      changed = true;
    }
  }
  if (p.min_encryption_version > 0 && p.min_encryption_version < p.min_decryption_version)
    throw badRequest(
      `cannot set min encryption/decryption values; min encryption version of ${p.min_encryption_version} must be greater than or equal to min decryption version of ${p.min_decryption_version}`,
    );

  const deletion = readBool(d, 'deletion_allowed');
  if (deletion !== undefined && deletion !== p.deletion_allowed) {
    p.deletion_allowed = deletion;
    changed = true;
  }
  // Once on, exportable and allow_plaintext_backup stay on (Vault ignores `false`).
  if (readBool(d, 'exportable') === true && !p.exportable) {
    p.exportable = true;
    changed = true;
  }
  if (readBool(d, 'allow_plaintext_backup') === true && !p.allow_plaintext_backup) {
    p.allow_plaintext_backup = true;
    changed = true;
  }
  const period = autoRotatePeriod(req);
  if (period !== undefined && period !== p.auto_rotate_period) {
    p.auto_rotate_period = period;
    changed = true;
  }
  if (changed) store.put(p);
  return { data: keyView(p), ...(warnings.length ? { warnings } : {}) };
}

/** An integer field that may be negative (so the negative case gets Vault's own message). */
function readSigned(data: Record<string, unknown>, field: string): number | undefined {
  const v = data[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`invalid value for "${field}": expected an integer, got ${JSON.stringify(v)}`);
  return n;
}
