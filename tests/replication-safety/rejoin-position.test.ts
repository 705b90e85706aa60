import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, pair, replStatus, secondaryToken, waitFor, drOperationBatchToken } from '../support/replication';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// Chaos defect F1 (`npm run chaos -- --seed 7 --faults 6 --kinds failover`).
// A cluster that had once been a DR secondary kept its stored replication
// position ("my data equals the followed log up to index i, guard g") through
// a promotion. Demoted and re-joined later, it said hello with that old
// position; the new primary's log still held index i with guard g, so it
// streamed from there instead of asking for a merkle sync, and the re-joined
// cluster kept forever the writes it had acknowledged alone as primary: status
// said stream-wals with unequal merkle roots. Now taking or leaving the lead
// forgets the position (ReplicationManager.transition), so the re-joined
// cluster merkle-syncs and sheds what the new primary never had.
let y: DevServer;
let x: DevServer;
let xLink: TcpProxy;
let root = '';
let drOpToken = '';

const write = (addr: string, key: string) => api(addr, 'POST', `secret/data/${key}`, { token: root, body: { data: { v: key } } });
const syncs = (s: DevServer) => s.output().split('merkle sync complete').length - 1;
const clusterPort = (s: DevServer) => s.port + 1; // tests/support/cluster.ts: every server takes a port pair

async function promote(s: DevServer, body: Record<string, unknown> = {}) {
  const r = await api(s.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: drOpToken, ...body } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** Demote `old` and make it a DR secondary of `leader` with a fresh activation token from the leader. */
async function rejoin(old: DevServer, leader: DevServer, id: string) {
  const d = await api(old.addr, 'POST', 'sys/replication/dr/primary/demote', { token: root });
  expect(d.status, JSON.stringify(d.body)).toBe(200);
  const tok = await secondaryToken(leader.addr, root, 'dr', id);
  const r = await api(old.addr, 'POST', 'sys/replication/dr/secondary/update-primary', { body: { dr_operation_token: drOpToken, token: tok } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

beforeAll(async () => {
  [y, x] = await Promise.all([startDevServer({ healthTimeoutMs: 120_000 }), startDevServer({ healthTimeoutMs: 120_000 })]);
  root = y.rootToken;
  // A dev server mounts secret/ as KV v2, as Vault's does.
  drOpToken = await drOperationBatchToken(y.addr, root);
  // x starts as y's DR secondary: it stores a position in y's log.
  await pair({ addr: y.addr, token: root }, { addr: x.addr, token: x.rootToken }, 'dr', 'x');
  expect((await write(y.addr, 'before')).status).toBe(200);
  await converged(y.addr, x.addr, 'dr', 60_000);
  // Whoever follows x later dials it through this proxy, so the test can partition them.
  xLink = await startTcpProxy({ port: clusterPort(x) });
}, 240_000);

afterAll(async () => {
  await xLink?.close();
  await Promise.all([y?.stop(), x?.stop()]);
});

describe('chaos F1: a re-joined old primary never resumes from its pre-promotion position', () => {
  it('x, once a secondary, promoted, partitioned, writing alone, then demoted and re-joined under y: it sheds the lone write and the roots agree', async () => {
    // Fail over to x (its address for followers goes through the proxy); y re-joins under x.
    await promote(x, { primary_cluster_addr: `https://${xLink.address}` });
    await rejoin(y, x, 'y');
    expect((await write(x.addr, 'on-x')).status).toBe(200);
    await converged(x.addr, y.addr, 'dr', 60_000);

    // Partition y from x; x acknowledges a write y can never receive.
    xLink.pause();
    xLink.cutAll();
    expect((await write(x.addr, 'alone')).status).toBe(200);

    // Fail over back to y, which never saw "alone"; x is demoted and re-joins under y directly.
    await promote(y);
    await waitFor('y to lead', async () => (await replStatus(y.addr, 'dr')).mode === 'primary');
    expect((await write(y.addr, 'on-y')).status).toBe(200);
    const syncsBefore = syncs(x);
    await rejoin(x, y, 'x-again');

    // Before the fix x streamed from its old position and kept "alone": roots never agreed.
    await converged(y.addr, x.addr, 'dr', 90_000);
    expect((await api(y.addr, 'GET', 'secret/data/alone', { token: root })).status).toBe(404);
    for (const key of ['before', 'on-x', 'on-y']) expect((await api(y.addr, 'GET', `secret/data/${key}`, { token: root })).status, key).toBe(200);
    expect(syncs(x), 'x merkle-synced when it re-joined').toBeGreaterThan(syncsBefore);
  }, 300_000);
});
