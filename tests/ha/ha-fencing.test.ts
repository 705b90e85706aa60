import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_TTL_SECONDS } from '../../server/ha/election';
import { api } from '../support/cluster';
import { CHECK_CONCURRENCY, mapLimit } from '../support/map-limit';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { health, startHaCluster, until, type HaCluster } from './ha-cluster';

// Each node talks to etcd through its own TCP proxy, so one node can be cut off
// from the whole etcd cluster while its API stays reachable. The cut active
// must stop acknowledging within its lease; another node takes over; and from
// the moment a second node was seen active, the first never claims it again
// while cut off. Every write anyone acknowledged is present everywhere after.

const LEASE_MS = DEFAULT_LEASE_TTL_SECONDS * 1000;
let c: HaCluster;
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  c = await startHaCluster(3, {
    etcdAddress: async (i, etcd) => {
      const port = Number(new URL(etcd.members[i].clientUrl).port);
      const p = await startTcpProxy({ port });
      proxies[i] = p;
      return `http://${p.address}`;
    },
  });
  const a = await c.waitActive();
  expect((await api(a.addr, 'POST', 'sys/mounts/secret', { token: c.rootToken, body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
}, 240_000);

afterAll(async () => {
  await c?.stop();
  await Promise.all(proxies.map((p) => p.close()));
}, 120_000);

describe('HA fencing', () => {
  it('an active cut off from etcd stops acknowledging writes within its lease and never two actives acknowledge', async () => {
    const old = await c.waitActive();
    const i = c.nodes.indexOf(old);
    const others = c.nodes.filter((n) => n !== old);
    const acked = new Map<string, { i: number; at: number; via: string }>();
    let stop = false;
    let n = 0;
    // Writers straight at the old active, and through the others.
    const writer = (target: () => string, tag: string) =>
      (async () => {
        while (!stop) {
          const k = n++;
          const key = `fence-${tag}-${k}`;
          const r = await api(target(), 'POST', `secret/data/${key}`, { token: c.rootToken, body: { data: { i: k } } }).catch(() => null);
          if (r?.status === 200) acked.set(key, { i: k, at: Date.now(), via: tag });
        }
      })();
    const loops = [writer(() => old.addr, 'old'), writer(() => old.addr, 'old'), writer(() => others[0].addr, 'o0'), writer(() => others[1].addr, 'o1')];
    await until('writes to flow', async () => acked.size >= 20);

    const cutAt = Date.now();
    proxies[i].pause(); // a partition that drops nothing: the old active hears no answer from etcd at all

    // Who claims the active role, seen from outside: [sent, received] of every 200 from sys/health.
    const claims: { node: string; sent: number; received: number }[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const node of c.nodes) {
          const sent = Date.now();
          const code = await health(node.addr);
          if (code === 200) claims.push({ node: node.name, sent, received: Date.now() });
        }
      }
    })();
    const next = await c.waitActive({ exclude: [old] });
    await until('writes acknowledged by the new active', async () => [...acked.values()].filter((x) => x.at > cutAt && x.via !== 'old').length >= 20);
    stop = true;
    await Promise.all(loops);
    watching = false;
    await watcher;

    // The cut node acknowledged nothing past its lease (it cannot: its appends never reach etcd).
    const lateOld = [...acked.entries()].filter(([, x]) => x.via === 'old' && x.at > cutAt + LEASE_MS);
    expect(lateOld).toEqual([]);
    // Once the new active was seen, the old one never claimed the role again.
    const firstNew = claims.find((x) => x.node === next.name);
    expect(firstNew).toBeDefined();
    expect(claims.filter((x) => x.node === old.name && x.sent > firstNew!.received)).toEqual([]);

    // Heal: the old node comes back as a standby and holds every acknowledged write.
    proxies[i].resume();
    await until(`${old.name} to rejoin as a standby`, async () => (await health(old.addr)) === 473, 60_000);
    await expectEverywhere(new Map([...acked].map(([k, x]) => [k, x.i])));
  }, 240_000);

  it('a frozen active (SIGSTOP past its lease) wakes as a standby: writes queued on it are fenced or forwarded, and every acknowledged write is present', async () => {
    const frozen = await c.waitActive();
    const others = c.nodes.filter((n) => n !== frozen);
    const acked = new Map<string, number>();
    let stop = false;
    let n = 0;
    const writer = (target: string, tag: string) =>
      (async () => {
        while (!stop) {
          const k = n++;
          const key = `freeze-${tag}-${k}`;
          const r = await api(target, 'POST', `secret/data/${key}`, { token: c.rootToken, body: { data: { i: k } } }).catch(() => null);
          if (r?.status === 200) acked.set(key, k);
        }
      })();
    const loops = [writer(frozen.addr, 'f'), writer(frozen.addr, 'f'), writer(others[0].addr, 'a'), writer(others[1].addr, 'b')];
    await until('writes to flow', async () => acked.size >= 20);
    frozen.proc.kill('SIGSTOP');
    try {
      const next = await c.waitActive({ exclude: [frozen] });
      expect(next).not.toBe(frozen);
      const count = acked.size;
      await until('writes acknowledged by the new active', async () => acked.size >= count + 20);
    } finally {
      frozen.proc.kill('SIGCONT');
    }
    // Awake, it finds its term gone: it serves as a standby and takes part in the load again.
    await until(`${frozen.name} to wake as a standby`, async () => (await health(frozen.addr)) === 473, 60_000);
    const count = acked.size;
    await until('more writes through every node', async () => acked.size >= count + 20);
    stop = true;
    await Promise.all(loops);
    await expectEverywhere(acked);
  }, 240_000);
});

async function expectEverywhere(acked: Map<string, number>) {
  for (const node of c.nodes) {
    await mapLimit(acked, CHECK_CONCURRENCY, async ([key, i]) => {
      const r = await until(`${key} on ${node.name}`, async () => {
        const got = await api(node.addr, 'GET', `secret/data/${key}`, { token: c.rootToken });
        return got.status === 200 ? got : null;
      }, 30_000);
      expect(r.body.data.data).toEqual({ i });
    });
  }
}
