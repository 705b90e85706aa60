import type { BackendRequest, Response } from '../../core/request';
import { badRequest } from '../../errors';
import { tryDecodeBase64 } from './base64';
import { batchResponse, runItems, singleResponse, type ItemResult } from './batch';
import { decrypt, encrypt, isAead } from './cipher';
import { has, readBatch, readInt, readString, type JsonObject } from './fields';
import { refuseDerived, upsertKey } from './key-lifecycle';
import { DEFAULT_KEY_TYPE, parseKeyType } from './key-types';
import type { KeyPolicy, PolicyStore } from './policy';

// encrypt/:name, decrypt/:name, rewrap/:name (path_encrypt.go,
// path_decrypt.go, path_rewrap.go), single or batch_input.

const NONCE_NOT_ALLOWED = 'provided nonce not allowed for this key';

function itemsOf(data: JsonObject, field: 'plaintext' | 'ciphertext'): { items: JsonObject[]; batch: boolean } {
  const batch = readBatch(data);
  if (batch) return { items: batch, batch: true };
  if (!has(data, field)) throw badRequest(field === 'plaintext' ? 'missing plaintext to encrypt' : 'missing ciphertext to decrypt');
  return { items: [data], batch: false };
}

/** A single request fails with its item's error; a batch reports per item. */
function answer(data: JsonObject, batch: boolean, run: ReturnType<typeof runItems>, warnings: string[] = []): Response {
  if (!batch) return singleResponse(run, warnings);
  const res = batchResponse(data, run);
  const all = [...warnings, ...(res.warnings ?? [])];
  return { ...res, ...(all.length ? { warnings: all } : {}) };
}

/** Items' context is base64 and only meaningful for derived keys, which this server refuses. */
function checkItemInputs(item: JsonObject): void {
  const context = readString(item, 'context');
  if (context) {
    const c = tryDecodeBase64(context);
    if (!c.ok) throw badRequest(c.error);
  }
  const nonce = readString(item, 'nonce');
  if (nonce) {
    const n = tryDecodeBase64(nonce);
    if (!n.ok) throw badRequest(n.error);
    throw badRequest(NONCE_NOT_ALLOWED); // only convergent (derived) keys take a nonce
  }
}

/** associated_data (base64) for AEAD keys; Vault refuses it for the others. */
function aadOf(item: JsonObject, key: KeyPolicy): Buffer | undefined {
  if (!readString(item, 'associated_data')) return undefined;
  if (!isAead(key.type)) throw badRequest(`'associated_data' provided for non-AEAD cipher suite ${key.type}`);
  return decodeField(item, 'associated_data');
}

function decodeField(item: JsonObject, field: string): Buffer {
  const r = tryDecodeBase64(readString(item, field));
  if (!r.ok) throw badRequest(r.error);
  return r.value;
}

export async function encryptPath(store: PolicyStore, name: string, req: BackendRequest): Promise<Response> {
  const { items, batch } = itemsOf(req.data, 'plaintext');
  const contextSet = readString(items[0], 'context') !== '';
  if (items.some((i) => (readString(i, 'context') !== '') !== contextSet)) throw badRequest('context should be set either in all the request blocks or in none');

  let p: KeyPolicy | null = store.get(name);
  const warnings: string[] = [];
  if (req.operation === 'create') {
    // The caller holds `create` on this path: upsert the key as Vault does (derived when a context is sent).
    refuseDerived(contextSet, readString(req.data, 'convergent_encryption') === 'true');
    const type = parseKeyType(readString(req.data, 'type', DEFAULT_KEY_TYPE));
    if (type === 'ed25519') throw badRequest(`unknown key type ${type}`); // Vault's upsert switch has no ed25519 case
    if (type.startsWith('ecdsa')) throw badRequest(`key type ${type} not supported for this operation`);
    const up = await upsertKey(store, name, { type, exportable: false, allowPlaintextBackup: false, autoRotatePeriod: 0 });
    p = up.policy;
    if (!up.created) warnings.push('Attempted creation of the key during the encrypt operation, but it was created beforehand');
  }
  if (!p) throw badRequest('encryption key not found');
  const key = p;

  const run = runItems(items, (item): ItemResult => {
    if (!has(item, 'plaintext')) throw badRequest('missing plaintext to encrypt');
    const plaintext = decodeField(item, 'plaintext');
    checkItemInputs(item);
    const { ciphertext, version } = encrypt(key, readInt(item, 'key_version') ?? 0, plaintext, aadOf(item, key));
    return { ciphertext, key_version: version };
  });
  return answer(req.data, batch, run, warnings);
}

export function decryptPath(store: PolicyStore, name: string, req: BackendRequest): Response {
  const { items, batch } = itemsOf(req.data, 'ciphertext');
  const p = store.require(name);
  const run = runItems(items, (item): ItemResult => {
    checkItemInputs(item);
    return { plaintext: decrypt(p, readString(item, 'ciphertext'), aadOf(item, p)).plaintext.toString('base64') };
  });
  return answer(req.data, batch, run);
}

export function rewrapPath(store: PolicyStore, name: string, req: BackendRequest): Response {
  const { items, batch } = itemsOf(req.data, 'ciphertext');
  const p = store.require(name);
  const run = runItems(items, (item): ItemResult => {
    checkItemInputs(item);
    const ct = readString(item, 'ciphertext');
    if (ct === '') throw badRequest('missing ciphertext to decrypt');
    const aad = aadOf(item, p);
    const { plaintext } = decrypt(p, ct, aad);
    const out = encrypt(p, readInt(item, 'key_version') ?? readInt(req.data, 'key_version') ?? 0, plaintext, aad);
    return { ciphertext: out.ciphertext, key_version: out.version };
  });
  return answer(req.data, batch, run);
}
