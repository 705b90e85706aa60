import { b64, type Bytes, prefixEnd } from './etcd-wire';

// A transaction as a typed value (what log-append builds and property tests
// inspect) and its encoding for the gateway's POST /v3/kv/txn. etcd evaluates
// every compare against one revision and applies success or failure
// atomically; a key may appear only once among a branch's writes.

export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';

/** On a missing key, create/mod/version compare as 0 and lease as 0n; a value compare is false. */
export type Compare =
  | { key: string; target: 'create'; result: CompareResult; revision: number }
  | { key: string; target: 'mod'; result: CompareResult; revision: number }
  | { key: string; target: 'version'; result: CompareResult; version: number }
  | { key: string; target: 'value'; result: CompareResult; value: Bytes }
  | { key: string; target: 'lease'; result: CompareResult; lease: bigint };

export interface RangeOptions {
  /** Every key with `key` as prefix (ignored when rangeEnd is given). */
  prefix?: boolean;
  rangeEnd?: Bytes;
  limit?: number;
  /** Read at this revision (0 = latest). */
  revision?: number;
  keysOnly?: boolean;
  countOnly?: boolean;
}

export type RequestOp =
  | { op: 'put'; key: string; value: Bytes; lease?: bigint }
  | { op: 'range'; key: string; options?: RangeOptions }
  | { op: 'delete'; key: string; prefix?: boolean; rangeEnd?: Bytes };

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

const TARGET = { create: 'CREATE', mod: 'MOD', version: 'VERSION', value: 'VALUE', lease: 'LEASE' } as const;

export function encodeCompare(c: Compare): Record<string, unknown> {
  const out: Record<string, unknown> = { key: b64(c.key), target: TARGET[c.target], result: c.result };
  if (c.target === 'create') out.create_revision = String(c.revision);
  else if (c.target === 'mod') out.mod_revision = String(c.revision);
  else if (c.target === 'version') out.version = String(c.version);
  else if (c.target === 'value') out.value = b64(c.value);
  else out.lease = c.lease.toString();
  return out;
}

export function encodeRange(key: string, o: RangeOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { key: b64(key) };
  if (o.rangeEnd !== undefined) out.range_end = b64(o.rangeEnd);
  else if (o.prefix) out.range_end = prefixEnd(key).toString('base64');
  if (o.limit) out.limit = String(o.limit);
  if (o.revision) out.revision = String(o.revision);
  if (o.keysOnly) out.keys_only = true;
  if (o.countOnly) out.count_only = true;
  return out;
}

export function encodePut(key: string, value: Bytes, lease?: bigint): Record<string, unknown> {
  const out: Record<string, unknown> = { key: b64(key), value: b64(value) };
  if (lease) out.lease = lease.toString();
  return out;
}

export function encodeDelete(key: string, prefix?: boolean, rangeEnd?: Bytes): Record<string, unknown> {
  const out: Record<string, unknown> = { key: b64(key) };
  if (rangeEnd !== undefined) out.range_end = b64(rangeEnd);
  else if (prefix) out.range_end = prefixEnd(key).toString('base64');
  return out;
}

export function encodeOp(op: RequestOp): Record<string, unknown> {
  if (op.op === 'put') return { request_put: encodePut(op.key, op.value, op.lease) };
  if (op.op === 'range') return { request_range: encodeRange(op.key, op.options) };
  return { request_delete_range: encodeDelete(op.key, op.prefix, op.rangeEnd) };
}

export function encodeTxn(t: TxnRequest): Record<string, unknown> {
  return { compare: t.compare.map(encodeCompare), success: t.success.map(encodeOp), failure: t.failure.map(encodeOp) };
}
