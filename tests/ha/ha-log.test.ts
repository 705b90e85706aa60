import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeTip, haLogKey, haLogPrefix, haTipKey } from '../../server/ha/ha-log-txn';
import type { LogRecord, StorageOp } from '../../server/storage/backend';
import { QuorumLostError } from '../../server/storage/quorum';
import { SqliteBackend } from '../../server/storage/sqlite';
import { startEtcd, type TestEtcd } from './etcd-cluster';
import { applied, lead, stateOf, startNode, stopNodes, until, write } from './ha-log-nodes';

// The HA log against a real 3-member etcd and real SQLite files: "nodes" are
// SqliteBackend + HaLog pairs in this process (the process-level failover
// tests belong to the HA runtime). Each test uses its own prefix.

let etcd: TestEtcd;

beforeAll(async () => {
  etcd = await startEtcd(3, 'h');
}, 180_000);

afterEach(async () => {
  await stopNodes();
}, 60_000);

afterAll(async () => {
  await etcd?.stop();
}, 120_000);

/** A small deterministic PRNG, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const KEYS = ['logical/m1/a', 'logical/m1/b', 'logical/m2/c', 'sys/token/id/t1', 'sys/token/id/t2', 'core/mounts', 'core/replication/role', 'core/cluster/local-seal', 'core/node/own', 'auth/u1/local/x'];

/** A random storage transaction: puts and deletes (of present and absent keys), one to four ops, keys the node keeps to itself included. */
function mixedTxn(r: () => number, i: number): StorageOp[] {
  const ops: StorageOp[] = [];
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const key = KEYS[Math.floor(r() * KEYS.length)] + (r() < 0.5 ? '' : `/${Math.floor(r() * 20)}`);
    ops.push(r() < 0.3 ? { op: 'delete', key } : { op: 'put', key, value: Buffer.from(`v${i}.${k}.${r()}`) });
  }
  return ops;
}

describe('HA log', () => {
  it('two nodes on one etcd log hold identical entries, WalLog index/guard and merkle roots after 500 mixed transactions', async () => {
    const p = 'hl/mixed/';
    const a = await startNode(etcd, 0, p, 'a');
    await lead(a); // seeds the prefix from a's (empty) SQLite
    const b = await startNode(etcd, 1, p, 'b');
    const r = rng(7);
    let i = 0;
    while (i < 500) {
      // Several transactions in one loop turn share a group commit; now and then a burst larger than one etcd txn (split between transactions).
      const burst = r() < 0.05 ? 60 : 1 + Math.floor(r() * 8);
      const waits: Promise<void>[] = [];
      for (let k = 0; k < burst && i < 500; k++, i++) {
        a.storage.transaction(mixedTxn(r, i));
        waits.push(a.storage.flushed());
      }
      await Promise.all(waits);
    }
    expect(a.log.committedIndex).toBeGreaterThan(0);
    await applied(b, a.log.committedIndex);
    expect(stateOf(b.storage)).toEqual(stateOf(a.storage));
    expect(a.storage.position().index).toBeGreaterThan(300);
    // The node's own keys stay its own.
    expect(b.storage.keysUnder('core/node/own')).toEqual([]);
    expect(b.log.repairs).toBe(1); // its bootstrap from state/ at open; every batch after it applied in order
  }, 180_000);

  it('a deposed leader\'s append is refused and its waiting writes are rejected, nothing acknowledged', async () => {
    const p = 'hl/deposed/';
    const a = await startNode(etcd, 0, p, 'a');
    const b = await startNode(etcd, 1, p, 'b');
    await lead(a);
    await write(a, [{ op: 'put', key: 'logical/x/before', value: Buffer.from('1') }]);
    const term = a.election.current!;
    const acked: LogRecord[] = [];
    a.storage.onCommit((recs) => acked.push(...recs));
    const committedBefore = a.storage.committedIndex;
    await etcd.client(2).leaseRevoke(term.lease); // what expiry does in etcd, before a notices
    a.storage.transaction([{ op: 'put', key: 'logical/x/late', value: Buffer.from('by the deposed leader') }]);
    const late = a.storage.flushed();
    await expect(late).rejects.toBeInstanceOf(QuorumLostError);
    await expect(late).rejects.toThrow(/fenced/);
    expect(a.fenced.length).toBeGreaterThan(0);
    expect(acked).toEqual([]);
    expect(a.storage.committedIndex).toBe(committedBefore);
    // A later write on the deposed node is refused too.
    a.storage.put('logical/x/later', Buffer.from('2'));
    await expect(a.storage.flushed()).rejects.toBeInstanceOf(QuorumLostError);

    await lead(b);
    await write(b, [{ op: 'put', key: 'logical/x/by-b', value: Buffer.from('3') }]);
    await a.log.follow();
    await applied(a, b.log.committedIndex);
    expect(a.storage.get('logical/x/late')).toBeNull();
    expect(a.storage.get('logical/x/later')).toBeNull();
    expect(a.log.repairs).toBe(1);
    expect(stateOf(a.storage, false)).toEqual(stateOf(b.storage, false));
  }, 120_000);

  it('a DR secondary resumes without merkle-sync from an active that repaired: a node that repaired after losing its lease keeps its acknowledged WalLog records, so a secondary behind the tip can resume', async () => {
    const p = 'hl/repair-keeps-wal/';
    const a = await startNode(etcd, 0, p, 'a');
    const b = await startNode(etcd, 1, p, 'b');
    await lead(a);
    await until('b bootstrapped from the seed before any write, so its WalLog holds every record', () => b.log.repairs === 1);
    for (let i = 0; i < 3; i++) await write(a, [{ op: 'put', key: `logical/k/early-${i}`, value: Buffer.from(String(i)) }]);
    const secondaryAt = a.storage.committedIndex; // a secondary stops streaming here and falls behind
    for (let i = 0; i < 5; i++) await write(a, [{ op: 'put', key: `logical/k/missed-${i}`, value: Buffer.from(String(i)) }, { op: 'delete', key: `logical/k/early-${i % 3}` }]);
    await etcd.client(2).leaseRevoke(a.election.current!.lease); // a loses its lease before it notices
    a.storage.transaction([{ op: 'put', key: 'logical/k/unacked', value: Buffer.from('never acknowledged') }]);
    await expect(a.storage.flushed()).rejects.toBeInstanceOf(QuorumLostError);
    const unackedAt = a.storage.position().index;
    await lead(b);
    for (let i = 0; i < 4; i++) await write(b, [{ op: 'put', key: `logical/k/by-b-${i}`, value: Buffer.from(String(i)) }]);

    await a.log.follow(); // stepped down with a write etcd does not hold: repairs
    await applied(a, b.log.committedIndex);
    expect(a.log.repairs).toBe(1);
    expect(a.storage.get('logical/k/unacked')).toBeNull();
    // Nothing unacknowledged survives, the WalLog ends at etcd's tip, and its records are the cluster's own — back past the secondary's position.
    expect(stateOf(a.storage)).toEqual(stateOf(b.storage));
    expect(a.storage.log.firstIndex()).toBeLessThanOrEqual(secondaryAt + 1);
    expect(a.storage.log.at(unackedAt)?.key).not.toBe('logical/k/unacked');
    const tip = decodeTip(await etcd.client(0).get(haTipKey(p)));
    expect(a.storage.position()).toEqual({ index: tip.tip.index, guard: tip.tip.guard });

    // a leads again: what a secondary at secondaryAt asks for next is there, record for record as b wrote it.
    await b.election.resign();
    await b.log.follow();
    await lead(a);
    await write(a, [{ op: 'put', key: 'logical/k/back', value: Buffer.from('1') }]);
    const resume = a.storage.log.readFrom(secondaryAt + 1, 1_000);
    expect(resume[0]?.index).toBe(secondaryAt + 1);
    expect(resume[resume.length - 1].index).toBe(a.storage.position().index);
    await applied(b, a.log.committedIndex);
    expect(stateOf(b.storage)).toEqual(stateOf(a.storage));
  }, 120_000);

  it('a node that crashed between local commit and etcd ack keeps its acknowledged WalLog records when it repairs on start', async () => {
    const p = 'hl/crash-keeps-wal/';
    const b = await startNode(etcd, 1, p, 'b');
    await lead(b); // b seeds; a bootstraps from the seed, so both WalLogs hold every record
    const a = await startNode(etcd, 0, p, 'a', { unreachableMs: 1_000 });
    await until('a bootstrapped from the seed', () => a.log.repairs === 1);
    await write(b, [{ op: 'put', key: 'logical/s/by-b', value: Buffer.from('0') }]);
    await b.election.resign();
    await b.log.follow();
    await lead(a); // its on-disk marker: leading, at b's tip
    for (let i = 0; i < 3; i++) await write(a, [{ op: 'put', key: `logical/s/acked-${i}`, value: Buffer.from(String(i)) }]);
    a.proxy.pause();
    a.storage.transaction([{ op: 'put', key: 'logical/s/unacked', value: Buffer.from('x') }]);
    await expect(a.storage.flushed()).rejects.toBeInstanceOf(QuorumLostError);
    await a.election.resign(); // "crash": a's SQLite is opened again as it stands
    await lead(b);
    await write(b, [{ op: 'put', key: 'logical/s/after', value: Buffer.from('1') }]);
    const restarted = await startNode(etcd, 2, p, 'a2', { path: a.path });
    await applied(restarted, b.log.committedIndex);
    expect(restarted.log.repairs).toBe(1);
    expect(restarted.storage.get('logical/s/unacked')).toBeNull();
    expect(stateOf(restarted.storage)).toEqual(stateOf(b.storage)); // WalLog rows included: nothing restarted at the tip
    a.proxy.resume();
  }, 120_000);

  it('a node that crashed between local commit and etcd ack repairs on start and drops the unacknowledged write', async () => {
    const p = 'hl/crash/';
    const a = await startNode(etcd, 0, p, 'a', { unreachableMs: 1_000 });
    const b = await startNode(etcd, 1, p, 'b');
    await lead(a);
    await write(a, [{ op: 'put', key: 'logical/c/acked', value: Buffer.from('1') }]);
    a.proxy.pause(); // a's link to etcd stalls: its append is never answered
    a.storage.transaction([{ op: 'put', key: 'logical/c/unacked', value: Buffer.from('2') }]);
    const f = a.storage.flushed();
    await expect(f).rejects.toBeInstanceOf(QuorumLostError);
    expect(a.storage.get('logical/c/unacked')).not.toBeNull(); // committed locally, never acknowledged
    // "Crash": a is abandoned as it stands; its SQLite file is opened again by a new node.
    await a.election.resign();
    await lead(b);
    await write(b, [{ op: 'put', key: 'logical/c/by-b', value: Buffer.from('3') }]);
    const restarted = await startNode(etcd, 2, p, 'a2', { path: a.path });
    await applied(restarted, b.log.committedIndex);
    await until('the restarted node repaired', () => restarted.log.repairs === 1);
    expect(restarted.storage.get('logical/c/unacked')).toBeNull();
    expect(restarted.storage.get('logical/c/acked')?.toString()).toBe('1');
    expect(stateOf(restarted.storage, false)).toEqual(stateOf(b.storage, false));
    // a seeded the prefix: its marker records the seed's position, so the repair kept the log from there (every record since, replayed).
    expect(restarted.storage.log.firstIndex()).toBe(1);
    a.proxy.resume();
  }, 120_000);

  it('a follower whose watch is cut resumes from its revision without gaps', async () => {
    const p = 'hl/cut/';
    const a = await startNode(etcd, 0, p, 'a');
    await lead(a);
    const b = await startNode(etcd, 1, p, 'b');
    const bootstrapped = b.log.repairs; // its first sync from state/ at open
    for (let i = 0; i < 150; i++) {
      await write(a, [{ op: 'put', key: `logical/w/${i % 17}`, value: Buffer.from(String(i)) }]);
      if (i % 25 === 10) b.proxy.cutAll();
    }
    await applied(b, a.log.committedIndex);
    expect(b.proxy.accepted).toBeGreaterThan(2); // it did reconnect
    expect(b.log.repairs).toBe(bootstrapped); // resumed, never repaired
    expect(stateOf(b.storage)).toEqual(stateOf(a.storage));
  }, 120_000);

  it('a node far behind after log-key deletion repairs from state/ and then follows', async () => {
    const p = 'hl/behind/';
    const a = await startNode(etcd, 0, p, 'a');
    const c = await startNode(etcd, 2, p, 'c');
    await lead(a);
    for (let i = 0; i < 20; i++) await write(a, [{ op: 'put', key: `logical/b/${i}`, value: Buffer.from('x') }]);
    await applied(c, a.log.committedIndex);
    await c.log.close(); // c goes away
    for (let i = 0; i < 40; i++) await write(a, [i % 3 ? { op: 'put', key: `logical/b/${i}`, value: Buffer.from('y') } : { op: 'delete', key: `logical/b/${i}` }]);
    const tip = decodeTip(await etcd.client(0).get(haTipKey(p)));
    // Every member but c applied them: the log keys go.
    await etcd.client(0).deleteRange(haLogPrefix(p), { prefix: true });
    expect(await etcd.client(0).get(haLogKey(p, tip.tip.seq))).toBeNull();
    c.storage.close();
    const c2 = await startNode(etcd, 2, p, 'c2', { path: c.path });
    await applied(c2, tip.tip.seq);
    await until('c2 repaired', () => c2.log.repairs === 1);
    expect(stateOf(c2.storage)).toEqual({ ...stateOf(a.storage), wal: [] }); // no records older than the repair
    await write(a, [{ op: 'put', key: 'logical/b/after', value: Buffer.from('z') }]);
    await applied(c2, a.log.committedIndex);
    const after = stateOf(c2.storage);
    expect(after.entries).toEqual(stateOf(a.storage).entries);
    expect(after.position).toEqual(a.storage.position());
    expect(after.replicatedRoot).toBe(a.storage.merkleRoot('replicated'));
  }, 120_000);

  it("a follower whose watch revision etcd compacted away repairs from state/ and follows", async () => {
    const p = 'hl/compacted/';
    const a = await startNode(etcd, 0, p, 'a');
    await lead(a);
    const b = await startNode(etcd, 1, p, 'b');
    const bootstrapped = b.log.repairs;
    await write(a, [{ op: 'put', key: 'logical/k/0', value: Buffer.from('0') }]);
    await applied(b, a.log.committedIndex);
    b.proxy.pause(); // b hears nothing more
    for (let i = 1; i <= 20; i++) await write(a, [{ op: 'put', key: `logical/k/${i}`, value: Buffer.from(String(i)) }]);
    const rev = (await etcd.client(0).range(haTipKey(p))).header.revision;
    const compacted = await fetch(`${etcd.members[0].clientUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: String(rev), physical: true }) });
    expect(compacted.status).toBe(200);
    b.proxy.cutAll();
    b.proxy.resume(); // b's watch resumes from a revision etcd no longer has
    await applied(b, a.log.committedIndex);
    expect(b.log.repairs).toBe(bootstrapped + 1);
    await write(a, [{ op: 'put', key: 'logical/k/after', value: Buffer.from('z') }]);
    await applied(b, a.log.committedIndex);
    expect(stateOf(b.storage, false)).toEqual(stateOf(a.storage, false));
  }, 120_000);

  it("a lone node's SQLite seeds an empty prefix; a joiner bootstraps from it and follows", async () => {
    const p = 'hl/seed/';
    const dir = mkdtempSync(join(tmpdir(), 'coffer-halog-seed-'));
    const path = join(dir, 'lone.db');
    try {
      // A single node with data, before any etcd: its own keys included.
      const lone = new SqliteBackend({ path, groupCommit: true });
      lone.transaction([
        { op: 'put', key: 'logical/s/a', value: Buffer.from('1') },
        { op: 'put', key: 'sys/token/id/t', value: Buffer.from('2') },
        { op: 'put', key: 'core/replication/role', value: Buffer.from('primary') },
        { op: 'put', key: 'core/node/merkle-health', value: Buffer.from('{}') },
      ]);
      await lone.flushed();
      lone.close();
      const a = await startNode(etcd, 0, p, 'a', { path });
      expect(a.log.repairs).toBe(0); // an empty prefix has nothing to repair from: the lone node keeps its data
      expect(a.storage.get('logical/s/a')?.toString()).toBe('1');
      await lead(a); // seeds P state/ and P tip from a's SQLite
      const seeded = await etcd.client(1).range(`${p}state/`, { prefix: true });
      expect(seeded.kvs.map((kv) => kv.key.slice(`${p}state/`.length)).sort()).toEqual(['core/replication/role', 'logical/s/a', 'sys/token/id/t']);
      expect(decodeTip(await etcd.client(1).get(haTipKey(p))).tip).toEqual({ seq: 0, ...a.storage.position() });
      const b = await startNode(etcd, 1, p, 'b');
      expect(stateOf(b.storage, false)).toEqual(stateOf(a.storage, false));
      expect(b.storage.get('core/node/merkle-health')).toBeNull();
      await write(a, [{ op: 'put', key: 'logical/s/b', value: Buffer.from('3') }]);
      await applied(b, a.log.committedIndex);
      expect(stateOf(b.storage, false)).toEqual(stateOf(a.storage, false));
    } finally {
      await stopNodes();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('the active keeps only the last logRetention batches in etcd; a member further behind repairs from state/', async () => {
    const p = 'hl/trim/';
    const a = await startNode(etcd, 0, p, 'a', { logRetention: 10 });
    await lead(a);
    const c = await startNode(etcd, 2, p, 'c');
    await c.log.close(); // c stops following at seq 0
    for (let i = 0; i < 40; i++) await write(a, [{ op: 'put', key: `logical/t/${i % 7}`, value: Buffer.from(String(i)) }]);
    await until('old batches trimmed', async () => (await etcd.client(0).get(haLogKey(p, 1))) === null);
    const left = await etcd.client(0).range(haLogPrefix(p), { prefix: true, keysOnly: true });
    expect(left.kvs.length).toBeGreaterThanOrEqual(10);
    expect(left.kvs.length).toBeLessThan(40);
    expect(left.kvs.at(-1)!.key).toBe(haLogKey(p, a.log.committedIndex)); // never the newest
    // etcd's history before the oldest batch kept is compacted too (old state/ values would fill its quota).
    await until('history compacted up to the oldest batch kept', async () => {
      const keys = await etcd.client(0).range(haLogPrefix(p), { prefix: true, keysOnly: true });
      const oldest = await etcd.client(0).get(keys.kvs[0].key);
      if (!oldest) return false; // trimmed meanwhile: look again
      try {
        await etcd.client(0).range(haTipKey(p), { revision: oldest.modRevision - 1 });
        return false;
      } catch (err) {
        return /compacted/.test((err as Error).message);
      }
    });
    c.storage.close();
    const c2 = await startNode(etcd, 2, p, 'c2', { path: c.path });
    expect(c2.log.repairs).toBe(1);
    expect(stateOf(c2.storage, false)).toEqual(stateOf(a.storage, false));
  }, 120_000);

  it('an active closed after every write was acknowledged opens again without a repair', async () => {
    const p = 'hl/clean-close/';
    const a = await startNode(etcd, 0, p, 'a');
    await lead(a);
    for (let i = 0; i < 5; i++) await write(a, [{ op: 'put', key: `logical/cc/${i}`, value: Buffer.from(String(i)) }]);
    const before = stateOf(a.storage);
    await a.log.close();
    await a.election.resign();
    a.storage.close();
    const again = await startNode(etcd, 1, p, 'a-again', { path: a.path });
    expect(again.log.repairs).toBe(0);
    expect(again.log.appliedIndex).toBe(5);
    expect(stateOf(again.storage)).toEqual(before); // WalLog rows kept: no repair
  }, 120_000);

  it('an HA node commits locally without waiting for fsync, leading or following (etcd holds what it acknowledges), and with FULL again once closed', async () => {
    const p = 'hl/local-sync/';
    const a = await startNode(etcd, 0, p, 'a');
    const sync = () => a.storage.db.pragma('synchronous', { simple: true });
    const FULL = 2;
    const NORMAL = 1;
    expect(sync()).toBe(NORMAL); // following
    await lead(a);
    expect(sync()).toBe(NORMAL);
    for (let i = 0; i < 3; i++) await write(a, [{ op: 'put', key: `logical/ls/${i}`, value: Buffer.from(String(i)) }]);
    await a.log.follow();
    expect(sync()).toBe(NORMAL);
    await a.log.close(); // the node may go on alone: durable commits again
    expect(sync()).toBe(FULL);
  }, 120_000);

  it('a new leader applies to the tip before its first append', async () => {
    const p = 'hl/newleader/';
    const a = await startNode(etcd, 0, p, 'a');
    await lead(a);
    const b = await startNode(etcd, 1, p, 'b');
    const bootstrapped = b.log.repairs;
    await write(a, [{ op: 'put', key: 'logical/n/0', value: Buffer.from('0') }]);
    await applied(b, a.log.committedIndex);
    b.proxy.pause(); // b falls behind
    for (let i = 1; i <= 30; i++) await write(a, [{ op: 'put', key: `logical/n/${i}`, value: Buffer.from(String(i)) }]);
    const tipSeq = a.log.committedIndex;
    expect(b.log.appliedIndex).toBeLessThan(tipSeq);
    await a.log.follow();
    await a.election.resign();
    const term = await b.election.campaign();
    const leading = b.log.lead(term);
    b.proxy.resume();
    await leading;
    expect(b.log.appliedIndex).toBe(tipSeq);
    expect(b.storage.position()).toEqual(a.storage.position());
    expect(b.log.repairs).toBe(bootstrapped); // caught up batch by batch, no repair
    await write(b, [{ op: 'put', key: 'logical/n/by-b', value: Buffer.from('b') }]);
    expect(b.log.committedIndex).toBe(tipSeq + 1);
    await applied(a, tipSeq + 1);
    expect(a.log.repairs).toBe(0); // a clean step-down: everything it wrote was acknowledged
    expect(stateOf(a.storage)).toEqual(stateOf(b.storage));
  }, 120_000);

  it('a former active opens while etcd has no quorum and, once it has, repairs and follows', async () => {
    const p = 'hl/no-quorum-open/';
    const a = await startNode(etcd, 0, p, 'a');
    await lead(a);
    for (let i = 0; i < 3; i++) await write(a, [{ op: 'put', key: `logical/o/${i}`, value: Buffer.from(String(i)) }]);
    await a.election.resign(); // and a goes down as it stands: its marker says it was the active
    await Promise.all([etcd.members[1].stop(), etcd.members[2].stop()]);
    let a2;
    try {
      a2 = await startNode(etcd, 0, p, 'a2', { path: a.path }); // opens without etcd
      expect(a2.log.repairs).toBe(0);
    } finally {
      await Promise.all([etcd.members[1].start(), etcd.members[2].start()]);
    }
    const b = await startNode(etcd, 1, p, 'b');
    await lead(b);
    await write(b, [{ op: 'put', key: 'logical/o/after', value: Buffer.from('x') }]);
    await applied(a2, b.log.committedIndex);
    expect(a2.log.repairs).toBe(1);
    expect(stateOf(a2.storage, false)).toEqual(stateOf(b.storage, false));
  }, 180_000);

  it('a write is not acknowledged until etcd committed it', async () => {
    const p = 'hl/quorum/';
    const a = await startNode(etcd, 0, p, 'a', { unreachableMs: 3_000 });
    await lead(a);
    await write(a, [{ op: 'put', key: 'logical/q/ok', value: Buffer.from('1') }]);
    const acked: LogRecord[] = [];
    a.storage.onCommit((recs) => acked.push(...recs));
    const committed = a.storage.committedIndex;
    await Promise.all([etcd.members[1].stop(), etcd.members[2].stop()]); // no quorum
    try {
      a.storage.transaction([{ op: 'put', key: 'logical/q/no-quorum', value: Buffer.from('2') }]);
      let resolved = false;
      const f = a.storage.flushed().then(() => (resolved = true));
      await expect(f).rejects.toBeInstanceOf(QuorumLostError);
      expect(resolved).toBe(false);
      expect(acked).toEqual([]);
      expect(a.storage.committedIndex).toBe(committed);
      expect(a.fenced.join()).toMatch(/unreachable|fenced|tip/);
    } finally {
      await Promise.all([etcd.members[1].start(), etcd.members[2].start()]);
    }
  }, 120_000);
});

