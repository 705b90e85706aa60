import { badRequest } from '../../errors';
import { isObject, readBool, readInt, type JsonObject } from '../kv/fields';

// Request fields for transit handlers, with Vault's weak typing (a number
// where a string is wanted is accepted as its text; an object is a 400).

export { readBool, readInt, type JsonObject };

export function readString(data: JsonObject, field: string, fallback = ''): string {
  const v = data[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badRequest(`invalid value for "${field}": expected a string, got ${JSON.stringify(v)}`);
}

/** Was the field sent at all (Vault's GetOk)? */
export function has(data: JsonObject, field: string): boolean {
  return data[field] !== undefined && data[field] !== null;
}

/** batch_input as a list of objects, or null when absent; an empty list is Vault's 400. */
export function readBatch(data: JsonObject): JsonObject[] | null {
  const raw = data.batch_input;
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw) || !raw.every(isObject)) throw badRequest('failed to parse batch input: batch_input must be a list of objects');
  if (raw.length === 0) throw badRequest('missing batch input to process');
  return raw;
}
