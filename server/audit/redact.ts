// Hashing of request and response data for the audit log (vault audit/hashstructure.go):
// every string value, at any depth, is replaced by its HMAC; keys, numbers,
// booleans and null are kept, so the shape of the data stays readable.
// Keys named in `exempt` (a mount's audit_non_hmac_*_keys) keep their value.
export type Hasher = (value: string) => string;

export function hashStructure(value: unknown, hash: Hasher, exempt: ReadonlySet<string> = new Set()): unknown {
  if (typeof value === 'string') return hash(value);
  if (Array.isArray(value)) return value.map((v) => hashStructure(v, hash, exempt));
  if (value && typeof value === 'object') {
    // fromEntries defines own properties: a "__proto__" key stays a key.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exempt.has(k) ? v : hashStructure(v, hash, exempt)]));
  }
  return value;
}
