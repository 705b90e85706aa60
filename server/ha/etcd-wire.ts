import { EtcdError } from './etcd-error';

// etcd 3.4's JSON gateway speaks protobuf-JSON: keys and values are base64,
// int64 fields are decimal strings, and fields at their zero value are left
// out. This file turns that into plain TypeScript values and back, in one place.
// Revisions, versions and TTLs are JS numbers (they stay far below 2^53; a
// larger one is refused, not rounded); lease and member IDs are random 64-bit
// values, so they are bigints.

export type Bytes = string | Uint8Array;

export interface KeyValue {
  key: string;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  /** 0n when the key has no lease. */
  lease: bigint;
}

export interface ResponseHeader {
  clusterId: bigint;
  memberId: bigint;
  revision: number;
  raftTerm: number;
}

export interface RawKeyValue {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
  lease?: string;
}

export interface RawHeader {
  cluster_id?: string;
  member_id?: string;
  revision?: string;
  raft_term?: string;
}

export const b64 = (v: Bytes): string => Buffer.from(typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('base64');

export function num(v: string | number | undefined, field = 'number'): number {
  if (v === undefined) return 0;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n)) throw new EtcdError('bad_response', `etcd: ${field} ${v} is not a safe integer`);
  return n;
}

export function id(v: string | undefined, field = 'id'): bigint {
  if (v === undefined) return 0n;
  try {
    return BigInt(v);
  } catch (cause) {
    throw new EtcdError('bad_response', `etcd: ${field} ${v} is not an integer`, { cause });
  }
}

export function keyValue(raw: RawKeyValue): KeyValue {
  return {
    key: Buffer.from(raw.key ?? '', 'base64').toString('utf8'),
    value: Buffer.from(raw.value ?? '', 'base64'),
    createRevision: num(raw.create_revision, 'create_revision'),
    modRevision: num(raw.mod_revision, 'mod_revision'),
    version: num(raw.version, 'version'),
    lease: id(raw.lease, 'lease'),
  };
}

export function header(raw: RawHeader | undefined): ResponseHeader {
  return {
    clusterId: id(raw?.cluster_id, 'cluster_id'),
    memberId: id(raw?.member_id, 'member_id'),
    revision: num(raw?.revision, 'revision'),
    raftTerm: num(raw?.raft_term, 'raft_term'),
  };
}

/** The range_end that selects every key starting with `prefix` (etcd's clientv3.GetPrefixRangeEnd). */
export function prefixEnd(prefix: Bytes): Buffer {
  const end = Buffer.from(typeof prefix === 'string' ? Buffer.from(prefix, 'utf8') : prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all 0xff: every key from prefix on
}
