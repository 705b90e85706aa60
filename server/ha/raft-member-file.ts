import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// What this node needs to start its etcd member again after a restart: the
// member's name and URLs, the cluster it was created with, and its peer TLS
// (certificate, key and the cluster's CA certificate). Node-local, never in
// SQLite (a repair from etcd replaces SQLite's carried keys). Written 0600 like
// every file Coffer writes; its presence means "this node is a cluster member".

export const MEMBER_FILE = 'raft-member.json';
/** Left behind when this node's member was removed (remove-peer): it must not start the member again. */
export const REMOVED_FILE = 'raft-removed';

export interface MemberRecord {
  name: string;
  clientUrl: string;
  peerUrl: string;
  listenPeerUrl: string;
  initialCluster: Record<string, string>;
  clusterState: 'new' | 'existing';
  clusterToken: string;
  /** The HA prefix in etcd (decision 2: supervised raft uses "coffer/"). */
  prefix: string;
  peerTls: { caCertPem: string; certPem: string; keyPem: string };
}

export function readMemberRecord(storagePath: string): MemberRecord | null {
  const file = join(storagePath, MEMBER_FILE);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as MemberRecord;
}

/** Written to a temp file and renamed, so a crash never leaves half a record. */
export function writeMemberRecord(storagePath: string, record: MemberRecord): void {
  const file = join(storagePath, MEMBER_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** A member that never joined: its record and whatever etcd wrote of it go, so a later join starts clean. */
export function forgetMember(storagePath: string): void {
  rmSync(join(storagePath, MEMBER_FILE), { force: true });
  rmSync(join(storagePath, 'etcd'), { recursive: true, force: true });
}

export function wasRemoved(storagePath: string): boolean {
  return existsSync(join(storagePath, REMOVED_FILE));
}

export function markRemoved(storagePath: string): void {
  writeFileSync(join(storagePath, REMOVED_FILE), `${new Date().toISOString()}\n`, { mode: 0o600 });
}
