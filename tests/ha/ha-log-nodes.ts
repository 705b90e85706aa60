import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Election } from '../../server/ha/election';
import { EtcdClient } from '../../server/ha/etcd-client';
import { HaLog } from '../../server/ha/ha-log';
import type { StorageOp } from '../../server/storage/backend';
import { SqliteBackend } from '../../server/storage/sqlite';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { logger, type TestEtcd } from './etcd-cluster';

// Test support for the HA log: "nodes" inside one test process, each a real
// SqliteBackend on its own file with its own HaLog, whose etcd traffic goes
// through a TCP proxy to one member (so a test can cut or stall one node's
// link), and an Election over a direct client (so leadership is not tied to
// the log link). Process-level HA tests live with the HA runtime.

export interface LogNode {
  name: string;
  path: string;
  storage: SqliteBackend;
  log: HaLog;
  proxy: TcpProxy;
  /** Through the proxy: what the HaLog uses. */
  client: EtcdClient;
  election: Election;
  fenced: string[];
}

const dirs: string[] = [];
const nodes: LogNode[] = [];

export const LEADER_KEY = (prefix: string) => `${prefix}leader`;

export async function startNode(etcd: TestEtcd, member: number, prefix: string, name: string, opts: { path?: string; unreachableMs?: number; logRetention?: number } = {}): Promise<LogNode> {
  let path = opts.path;
  if (!path) {
    const dir = mkdtempSync(join(tmpdir(), `coffer-halog-${name}-`));
    dirs.push(dir);
    path = join(dir, 'coffer.db');
  }
  const storage = new SqliteBackend({ path, groupCommit: true });
  const port = Number(new URL(etcd.members[member].clientUrl).port);
  const proxy = await startTcpProxy({ port });
  const client = new EtcdClient({ endpoints: [`http://${proxy.address}`], timeoutMs: 2_000 });
  const log = await HaLog.open({ client, prefix, storage, logger, unreachableMs: opts.unreachableMs ?? 3_000, logRetention: opts.logRetention });
  const election = new Election(etcd.client(member), { key: LEADER_KEY(prefix), value: name, ttlSeconds: 5, logger });
  const node: LogNode = { name, path, storage, log, proxy, client, election, fenced: [] };
  log.onFenced((r) => node.fenced.push(r));
  nodes.push(node);
  return node;
}

export async function lead(n: LogNode): Promise<void> {
  const l = await n.election.campaign();
  await n.log.lead(l);
}

export async function stopNodes(): Promise<void> {
  for (const n of nodes.splice(0)) {
    await n.log.close().catch(() => undefined);
    await n.election.resign().catch(() => undefined);
    n.client.close();
    await n.proxy.close();
    try {
      n.storage.close();
    } catch {
      /* closed by the test */
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Write one transaction on the active and wait for its acknowledgement. */
export async function write(n: LogNode, ops: StorageOp[]): Promise<void> {
  n.storage.transaction(ops);
  await n.storage.flushed();
}

/**
 * Everything a node's state consists of, but its own keys: entries, WalLog
 * rows, merkle roots, position. `withWal` false: a repaired node keeps no
 * records older than its repair (by design), so compare all but the rows.
 */
export function stateOf(s: SqliteBackend, withWal = true) {
  const entries = s.db.prepare<[], { key: string; value: Buffer }>("SELECT key, value FROM entries WHERE key NOT LIKE 'core/node/%' ORDER BY key").all();
  const wal = s.db.prepare<[], { idx: number; key: string; guard: string }>('SELECT idx, key, guard FROM wal ORDER BY idx').all();
  return {
    entries: entries.map((e) => `${e.key}=${e.value.toString('hex')}`),
    wal: withWal ? wal : null,
    position: s.position(),
    replicatedRoot: s.merkleRoot('replicated'),
    localRoot: s.merkleRoot('local'),
  };
}

/** Poll until `n` applied batch `seq` (the app's own signal), or fail after the deadline. */
export async function applied(n: LogNode, seq: number, timeoutMs = 60_000): Promise<void> {
  expect(await n.log.waitApplied(seq, timeoutMs), `${n.name} applied seq ${seq} (at ${n.log.appliedIndex})`).toBe(true);
}

export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
