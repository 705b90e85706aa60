import { EtcdError } from './etcd-error';
import { EtcdTransport, type EtcdTransportOptions } from './etcd-http';
import { encodeDelete, encodePut, encodeRange, encodeTxn, type RangeOptions, type TxnRequest } from './etcd-txn';
import { openWatch, type Watch, type WatchOptions, type WatchResponse } from './etcd-watch';
import { type Bytes, header, id, keyValue, num, type KeyValue, type RawHeader, type RawKeyValue, type ResponseHeader } from './etcd-wire';

// A small typed client over etcd 3.4's v3 JSON gateway: only the calls Coffer's
// HA layer needs (kv, txn, leases, watch, membership, status). Every call has
// a deadline (EtcdTransport); every failure is an EtcdError.

export interface RangeResult {
  header: ResponseHeader;
  kvs: KeyValue[];
  count: number;
  more: boolean;
}

export type OpResponse =
  | { op: 'put'; header: ResponseHeader }
  | { op: 'range'; result: RangeResult }
  | { op: 'delete'; deleted: number };

export interface TxnResult {
  header: ResponseHeader;
  succeeded: boolean;
  responses: OpResponse[];
}

export interface Member {
  id: bigint;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export interface MemberStatus {
  header: ResponseHeader;
  version: string;
  leader: bigint;
  raftIndex: number;
  raftTerm: number;
  /** A learner replicates the log but does not vote, and serves no linearizable reads. */
  isLearner: boolean;
}

interface RawRange {
  header?: RawHeader;
  kvs?: RawKeyValue[];
  count?: string;
  more?: boolean;
}
interface RawMember {
  ID?: string;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

export class EtcdClient {
  private readonly transport: EtcdTransport;

  constructor(opts: EtcdTransportOptions) {
    this.transport = new EtcdTransport(opts);
  }

  async range(key: string, opts: RangeOptions = {}): Promise<RangeResult> {
    return rangeResult(await this.transport.call<RawRange>('/v3/kv/range', encodeRange(key, opts)));
  }

  /** The value at `key`, or null when it is absent. */
  async get(key: string): Promise<KeyValue | null> {
    return (await this.range(key)).kvs[0] ?? null;
  }

  async put(key: string, value: Bytes, opts: { lease?: bigint } = {}): Promise<ResponseHeader> {
    const r = await this.transport.call<{ header?: RawHeader }>('/v3/kv/put', encodePut(key, value, opts.lease));
    return header(r.header);
  }

  async deleteRange(key: string, opts: { prefix?: boolean } = {}): Promise<number> {
    const r = await this.transport.call<{ deleted?: string }>('/v3/kv/deleterange', encodeDelete(key, opts.prefix));
    return num(r.deleted, 'deleted');
  }

  async txn(t: TxnRequest): Promise<TxnResult> {
    const r = await this.transport.call<{ header?: RawHeader; succeeded?: boolean; responses?: Record<string, unknown>[] }>('/v3/kv/txn', encodeTxn(t));
    return { header: header(r.header), succeeded: r.succeeded === true, responses: (r.responses ?? []).map(opResponse) };
  }

  /** Drop the history of every key before `revision` (etcd keeps every old value until compacted; its backend quota counts them). */
  async compact(revision: number): Promise<void> {
    await this.transport.call('/v3/kv/compaction', { revision: String(revision) });
  }

  /** A new lease; its id is what a leader key is bound to. */
  async leaseGrant(ttlSeconds: number): Promise<{ id: bigint; ttl: number }> {
    const r = await this.transport.call<{ ID?: string; TTL?: string; error?: string }>('/v3/lease/grant', { TTL: String(ttlSeconds) });
    if (r.error) throw new EtcdError('rpc', `etcd lease grant: ${r.error}`);
    return { id: id(r.ID, 'lease'), ttl: num(r.TTL, 'TTL') };
  }

  /** Renews the lease; returns its TTL. Throws lease_not_found once it has expired or been revoked. */
  async leaseKeepAlive(lease: bigint, timeoutMs?: number): Promise<number> {
    const r = await this.transport.call<{ result?: { TTL?: string }; error?: { message?: string } }>('/v3/lease/keepalive', { ID: lease.toString() }, timeoutMs);
    if (r.error) throw new EtcdError('rpc', `etcd lease keepalive: ${r.error.message ?? 'failed'}`);
    const ttl = num(r.result?.TTL, 'TTL');
    // The gateway answers an unknown lease with TTL left out (0), not with an error.
    if (ttl <= 0) throw new EtcdError('lease_not_found', `etcd lease ${lease.toString(16)} has expired or was revoked`);
    return ttl;
  }

  async leaseRevoke(lease: bigint): Promise<void> {
    await this.transport.call('/v3/lease/revoke', { ID: lease.toString() });
  }

  /** Streams changes under `key` (or its prefix) to onResponse, in revision order. */
  watch(key: string, opts: WatchOptions, onResponse: (r: WatchResponse) => void): Watch {
    return openWatch(this.transport, key, opts, onResponse);
  }

  async memberList(): Promise<Member[]> {
    const r = await this.transport.call<{ members?: RawMember[] }>('/v3/cluster/member/list', {});
    return (r.members ?? []).map(member);
  }

  async memberAdd(peerUrls: string[], opts: { learner?: boolean } = {}): Promise<{ member: Member; members: Member[] }> {
    const r = await this.transport.call<{ member?: RawMember; members?: RawMember[] }>('/v3/cluster/member/add', { peerURLs: peerUrls, isLearner: opts.learner === true });
    return { member: member(r.member ?? {}), members: (r.members ?? []).map(member) };
  }

  /** A learner becomes a voter; etcd refuses until it has caught up with the leader's log. */
  async memberPromote(memberId: bigint): Promise<Member[]> {
    const r = await this.transport.call<{ members?: RawMember[] }>('/v3/cluster/member/promote', { ID: memberId.toString() });
    return (r.members ?? []).map(member);
  }

  async memberRemove(memberId: bigint): Promise<Member[]> {
    const r = await this.transport.call<{ members?: RawMember[] }>('/v3/cluster/member/remove', { ID: memberId.toString() });
    return (r.members ?? []).map(member);
  }

  /** The answering member's view: its id (header.memberId), the raft leader and indices. */
  async status(timeoutMs?: number): Promise<MemberStatus> {
    const r = await this.transport.call<{ header?: RawHeader; version?: string; leader?: string; raftIndex?: string; raftTerm?: string; isLearner?: boolean }>('/v3/maintenance/status', {}, timeoutMs);
    return { header: header(r.header), version: r.version ?? '', leader: id(r.leader, 'leader'), raftIndex: num(r.raftIndex, 'raftIndex'), raftTerm: num(r.raftTerm, 'raftTerm'), isLearner: r.isLearner === true };
  }

  close(): void {
    this.transport.destroy();
  }
}

function rangeResult(r: RawRange): RangeResult {
  return { header: header(r.header), kvs: (r.kvs ?? []).map(keyValue), count: num(r.count, 'count'), more: r.more === true };
}

function opResponse(r: Record<string, unknown>): OpResponse {
  if (r.response_range) return { op: 'range', result: rangeResult(r.response_range as RawRange) };
  if (r.response_put) return { op: 'put', header: header((r.response_put as { header?: RawHeader }).header) };
  if (r.response_delete_range) return { op: 'delete', deleted: num((r.response_delete_range as { deleted?: string }).deleted, 'deleted') };
  throw new EtcdError('bad_response', `etcd txn: unknown response ${Object.keys(r).join(',')}`);
}

function member(r: RawMember): Member {
  return { id: id(r.ID, 'member id'), name: r.name ?? '', peerUrls: r.peerURLs ?? [], clientUrls: r.clientURLs ?? [], isLearner: r.isLearner === true };
}
