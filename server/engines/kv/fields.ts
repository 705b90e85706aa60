import { badRequest } from '../../errors';

// Request-field decoding with Vault's weak typing (framework field types +
// mapstructure.WeakDecode): "5" is accepted where an int is wanted, and a
// wrong type is a 400 that names the field.

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An optional non-negative integer field; undefined when absent. */
export function readInt(data: JsonObject, field: string): number | undefined {
  const v = data[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw badRequest(`invalid value for "${field}": expected a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

const TRUE = new Set(['1', 't', 'true']);
const FALSE = new Set(['0', 'f', 'false']);

/** An optional boolean field (Go strconv.ParseBool spellings accepted); undefined when absent. */
export function readBool(data: JsonObject, field: string): boolean | undefined {
  const v = data[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && TRUE.has(v.toLowerCase())) return true;
  if (typeof v === 'string' && FALSE.has(v.toLowerCase())) return false;
  throw badRequest(`invalid value for "${field}": expected a boolean, got ${JSON.stringify(v)}`);
}

/** Vault's TypeCommaIntSlice: [1,2], ["1","2"], "1,2" or 2. */
export function readIntList(data: JsonObject, field: string): number[] {
  const v = data[field];
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').filter((s) => s.trim() !== '') : [v];
  return items.map((item) => {
    const n = typeof item === 'string' && /^\s*\d+\s*$/.test(item) ? Number(item) : item;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
      throw badRequest(`invalid value for "${field}": expected a list of integers, got ${JSON.stringify(v)}`);
    return n;
  });
}

/** A field that must be a JSON object when present. */
export function readObject(data: JsonObject, field: string): JsonObject | undefined {
  const v = data[field];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badRequest(`invalid value for "${field}": expected a JSON object, got ${JSON.stringify(v)}`);
  return v;
}
