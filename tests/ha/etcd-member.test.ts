import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdError } from '../../server/ha/etcd-error';
import { EtcdMember, findEtcdBinary } from '../../server/ha/etcd-member';
import { createEtcdCa } from '../../server/ha/etcd-peer-tls';
import { logger, startEtcd, type TestEtcd } from './etcd-cluster';

// Issue 9 foundation: Coffer supervises real etcd members (Debian's binary).
// Three members with mutual-TLS peer traffic under the cluster's CA form a
// cluster and elect a raft leader; a fourth joins with
// --initial-cluster-state existing; a member whose certificate comes from
// another CA is never admitted; SIGTERM stops a member cleanly and it rejoins
// from its data dir.

let etcd: TestEtcd;

beforeAll(async () => {
  etcd = await startEtcd(3);
}, 180_000);

afterAll(async () => {
  await etcd?.stop();
}, 120_000);

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`, { cause: last });
}

describe('supervised etcd members', () => {
  it('three members form one cluster over TLS peer URLs and agree on one raft leader', async () => {
    const members = await etcd.all().memberList();
    expect(members.map((m) => m.name).sort()).toEqual(etcd.names);
    for (const m of members) expect(m.peerUrls[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ids = new Set(members.map((m) => m.id));
    const leaders = await until('one leader seen by all', async () => {
      const seen = await Promise.all([0, 1, 2].map((i) => etcd.client(i).status()));
      const l = new Set(seen.map((s) => s.leader));
      return l.size === 1 && !l.has(0n) ? [...l] : undefined;
    });
    expect(ids.has(leaders[0])).toBe(true);
  });

  it('a member with a certificate from another CA is refused by its peers (start fails with its log)', async () => {
    const stranger = createEtcdCa('other');
    const err = await etcd.addMember('intruder', { ca: stranger, startTimeoutMs: 15_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtcdError);
    expect((err as EtcdError).code).toBe('start_failed');
    expect((err as EtcdError).message).toMatch(/its last log lines:\n.+/);
    expect((err as EtcdError).message).toMatch(/certificate signed by unknown authority|bad certificate/);
    // Take the never-started slot back out, or the cluster counts it toward quorum.
    const c = etcd.all();
    const added = (await c.memberList()).find((m) => m.name === '' || m.name === 'intruder');
    expect(added).toBeDefined();
    await c.memberRemove(added!.id);
    expect((await c.memberList()).map((m) => m.name).sort()).toEqual(etcd.names);
  }, 120_000);

  it('a fourth member joins with --initial-cluster-state existing and sees the data', async () => {
    await etcd.all().put('joined/probe', 'before-join');
    const m = await etcd.addMember('n4', { startTimeoutMs: 60_000 });
    const c = etcd.client(etcd.members.indexOf(m));
    expect((await c.get('joined/probe'))?.value.toString()).toBe('before-join');
    expect((await c.memberList()).map((x) => x.name).sort()).toEqual([...etcd.names, 'n4']);
  }, 120_000);

  it('SIGTERM stops a member (clean exit) and it rejoins from its data dir', async () => {
    const m = etcd.members[2];
    const before = await etcd.client(2).get('joined/probe');
    await m.stop();
    expect(await m.exited).toEqual({ code: null, signal: 'SIGTERM' }); // etcd re-raises SIGTERM after its shutdown
    expect(m.pid).toBeUndefined();
    await etcd.client(0).put('while-down', 'yes');
    await m.start();
    const c = etcd.client(2);
    expect((await c.get('joined/probe'))?.value.toString()).toBe(before?.value.toString());
    expect((await until('catch-up', async () => (await c.get('while-down')) ?? undefined)).value.toString()).toBe('yes');
  }, 120_000);
});

describe('a member left running by a killed Coffer', () => {
  it('is stopped by the next start on the same path, which then serves the same data', async () => {
    const solo = await startEtcd(1, 'orphan');
    let again: EtcdMember | undefined;
    try {
      const first = solo.members[0];
      await solo.client(0).put('survives', 'yes');
      const orphanPid = first.pid!;
      // A second supervisor on the same storage path, as after a SIGKILLed Coffer restarts.
      again = new EtcdMember({ ...first.options, logger });
      await again.start();
      expect(again.pid).not.toBe(orphanPid);
      expect((await first.exited).signal).toBe('SIGKILL');
      expect((await solo.client(0).get('survives'))?.value.toString()).toBe('yes');
    } finally {
      await again?.stop();
      await solo.stop();
    }
  }, 120_000);
});

describe('etcd binary lookup', () => {
  it('names the package to install when etcd is not on PATH', async () => {
    expect(() => findEtcdBinary('/nonexistent:/also-not')).toThrow(/apt-get install etcd-server/);
    const m = new EtcdMember({
      name: 'x',
      storagePath: '/tmp/never-used',
      clientUrl: 'http://127.0.0.1:1',
      peerUrl: 'http://127.0.0.1:2',
      initialCluster: { x: 'http://127.0.0.1:2' },
      clusterState: 'new',
      logger,
      pathEnv: '',
    });
    await expect(m.start()).rejects.toMatchObject({ code: 'not_installed' });
  });

  it('finds Debian\'s binary on this PATH', () => {
    expect(findEtcdBinary(process.env.PATH ?? '')).toMatch(/\/etcd$/);
  });
});
