import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, enablePrimary, pair, replStatus, secondaryToken, waitFor, drOperationBatchToken } from '../support/replication';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// Issue 8 item 9 on seed 002's picture, with real processes: dallas is the
// performance primary and the DR primary, london its performance secondary,
// dallas-dr its DR secondary. The performance primary's replication state
// (known secondaries, CA, signing key) ships to dallas-dr, so once promoted
// dallas-dr *is* the performance primary and london follows it without a wipe.
// London first reaches dallas through a proxy, so "the primary moved" is the
// proxy going away (update_primary_addrs re-points without a token).
let dallas: DevServer;
let london: DevServer;
let dallasDr: DevServer;
let proxy: TcpProxy;
let root = '';
let batchOpToken = '';
let localToken = '';
let perfClusterId = '';

const clusterAddr = (s: DevServer) => `https://127.0.0.1:${s.port + 1}`;
const read = async (s: DevServer, path: string, token = root) => api(s.addr, 'GET', path, { token });
const write = async (s: DevServer, path: string, data: Record<string, unknown>, token = root) => {
  const r = await api(s.addr, 'POST', path, { token, body: { data } });
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
};
const has = (s: DevServer, path: string) => async () => (await read(s, path)).status === 200;
/** An address nothing listens on (a closed port). */
const deadAddr = async () => {
  const p = await startTcpProxy({ port: 9 });
  await p.close();
  return `https://${p.address}`;
};

beforeAll(async () => {
  // Three processes starting at once on a loaded 2-core box: give them time.
  const start = () => startDevServer({ healthTimeoutMs: 120_000 });
  [dallas, london, dallasDr] = await Promise.all([start(), start(), start()]);
  root = dallas.rootToken;
  proxy = await startTcpProxy({ port: dallas.port + 1 });
  // A batch DR operation token, made on the primary before any failure (seed 002).
  batchOpToken = await drOperationBatchToken(dallas.addr, root, '2h');

  await enablePrimary(dallas.addr, root, 'performance', { primary_cluster_addr: `https://${proxy.address}` });
  await pair({ addr: dallas.addr, token: root }, { addr: london.addr, token: london.rootToken }, 'performance', 'london');
  await pair({ addr: dallas.addr, token: root }, { addr: dallasDr.addr, token: dallasDr.rootToken }, 'dr', 'dallas-dr');
  perfClusterId = (await replStatus(dallas.addr, 'performance')).cluster_id;

  // London's own state, which no re-pointing may wipe: a local mount with data, and a local token.
  const m = await api(london.addr, 'POST', 'sys/mounts/london-kv', { token: root, body: { type: 'kv', local: true, options: { version: '2' } } });
  expect(m.status, JSON.stringify(m.body)).toBe(204);
  await write(london, 'london-kv/data/branch', { city: 'london' });
  localToken = (await api(london.addr, 'POST', 'auth/token/create', { token: root, body: { policies: ['default'], ttl: '4h' } })).body.auth.client_token;
  expect(localToken).toBeTruthy();
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all([dallas?.kill(), london?.kill(), dallasDr?.kill()]);
});

/** London kept everything that is its own. */
async function londonKeptItsOwnState() {
  expect((await read(london, 'london-kv/data/branch')).body.data.data).toEqual({ city: 'london' });
  expect((await api(london.addr, 'GET', 'auth/token/lookup-self', { token: localToken })).status).toBe(200);
}

describe('DR failover keeps seed 002 topology', () => {
  it('update_primary_addrs re-points a performance secondary without a token when its primary moves address, instead of detaching it', async () => {
    await write(dallas, 'secret/data/before-move', { v: 1 });
    await waitFor('london to have before-move', has(london, 'secret/data/before-move'));
    expect((await replStatus(london.addr, 'performance')).primary_cluster_addr).toBe(`https://${proxy.address}`);

    // The primary "moves": its old address is gone.
    await proxy.close();
    await waitFor('london to lose its primary', async () => (await replStatus(london.addr, 'performance')).connection_state !== 'ready', 60_000);

    // Vault: token and update_primary_addrs are mutually exclusive; addresses none of which answer change nothing.
    const both = await api(london.addr, 'POST', 'sys/replication/performance/secondary/update-primary', {
      token: root,
      body: { token: 'eyJhbGciOiJFUzUxMiJ9.e30.x', update_primary_addrs: [clusterAddr(dallas)] },
    });
    expect(both.status).toBe(400);
    expect(both.body.errors[0]).toMatch(/mutually exclusive/);
    const nobody = await api(london.addr, 'POST', 'sys/replication/performance/secondary/update-primary', {
      token: root,
      body: { update_primary_addrs: [await deadAddr()] },
    });
    expect(nobody.status).toBe(400);
    expect(nobody.body.errors[0]).toMatch(/no primary/i);
    let st = await replStatus(london.addr, 'performance');
    expect(st).toMatchObject({ mode: 'secondary', primary_cluster_addr: `https://${proxy.address}` });

    // The first address that answers as london's primary is followed.
    const r = await api(london.addr, 'POST', 'sys/replication/performance/secondary/update-primary', {
      token: root,
      body: { update_primary_addrs: [await deadAddr(), clusterAddr(dallas)] },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    st = await waitFor('london to stream from the new address', async () => {
      const s = await replStatus(london.addr, 'performance');
      return s.state === 'stream-wals' && s.connection_state === 'ready' ? s : null;
    }, 60_000);
    expect(st).toMatchObject({ mode: 'secondary', cluster_id: perfClusterId, primary_cluster_addr: clusterAddr(dallas), secondary_id: 'london' });
    expect(st.known_primary_cluster_addrs).toEqual([clusterAddr(dallas)]);

    await write(dallas, 'secret/data/after-move', { v: 2 });
    await waitFor('london to have after-move', has(london, 'secret/data/after-move'));
    await write(london, 'secret/data/forwarded-after-move', { from: 'london' }); // forwarded to dallas at its new address
    expect((await read(dallas, 'secret/data/forwarded-after-move')).body.data.data).toEqual({ from: 'london' });
    await londonKeptItsOwnState();
    expect((await read(london, 'secret/data/before-move')).status).toBe(200);
  }, 180_000);

  it('a promoted DR secondary of the performance primary is the performance primary: same set, same known secondaries; london follows it by address alone', async () => {
    await write(dallas, 'secret/data/before-failover', { v: 'pre' });
    await write(london, 'secret/data/forwarded-before-failover', { from: 'london' });
    await converged(dallas.addr, dallasDr.addr, 'dr', 60_000);
    // A DR secondary serves nothing: its performance mode reads disabled, as in Vault.
    expect((await replStatus(dallasDr.addr, 'performance')).mode).toBe('disabled');

    // The disaster: dallas stops answering (frozen, so it can come back undemoted in the last test).
    process.kill(dallas.proc.pid!, 'SIGSTOP');
    const p = await api(dallasDr.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: batchOpToken } });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.warnings.join(' ')).toMatch(/performance replication set/);
    const perf = await waitFor('dallas-dr to lead the performance set', async () => {
      const s = await replStatus(dallasDr.addr, 'performance');
      return s.mode === 'primary' ? s : null;
    });
    expect(perf.cluster_id).toBe(perfClusterId);
    expect(perf.known_secondaries).toEqual(['london']);
    expect(perf.epoch).toBe(2); // one past dallas's: dallas, should it return, is the stale one
    expect((await replStatus(dallasDr.addr, 'dr')).mode).toBe('primary');

    await write(dallasDr, 'secret/data/after-failover', { v: 'post' }); // before london follows

    // London's certificate is one the set knows, from the set's CA: its address is all it needs.
    const u = await api(london.addr, 'POST', 'sys/replication/performance/secondary/update-primary', {
      token: root,
      body: { update_primary_addrs: [clusterAddr(dallasDr)] },
    });
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    await converged(dallasDr.addr, london.addr, 'performance', 90_000);
    const st = await replStatus(london.addr, 'performance');
    expect(st).toMatchObject({ mode: 'secondary', cluster_id: perfClusterId, primary_cluster_addr: clusterAddr(dallasDr), epoch: 2 });
    for (const path of ['before-move', 'after-move', 'forwarded-after-move', 'before-failover', 'forwarded-before-failover', 'after-failover'])
      expect((await read(london, `secret/data/${path}`)).status, path).toBe(200);
    await londonKeptItsOwnState();
    await write(london, 'secret/data/forwarded-to-dallas-dr', { from: 'london' });
    expect((await read(dallasDr, 'secret/data/forwarded-to-dallas-dr')).body.data.data).toEqual({ from: 'london' });
  }, 240_000);

  it('london re-points at the promoted cluster with update-primary and a new activation token from it, without a wipe', async () => {
    // Vault: after a promotion "new secondary tokens will need to be issued to other secondaries".
    expect((await api(dallasDr.addr, 'POST', 'sys/replication/performance/primary/revoke-secondary', { token: root, body: { id: 'london' } })).status).toBe(200);
    const tok = await secondaryToken(dallasDr.addr, root, 'performance', 'london');
    await write(dallasDr, 'secret/data/before-new-token', { v: 3 });
    const u = await api(london.addr, 'POST', 'sys/replication/performance/secondary/update-primary', { token: root, body: { token: tok } });
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    expect(u.body.warnings.join(' ')).toMatch(/no data was wiped/);

    await converged(dallasDr.addr, london.addr, 'performance', 90_000);
    expect(await replStatus(london.addr, 'performance')).toMatchObject({ mode: 'secondary', cluster_id: perfClusterId, primary_cluster_addr: clusterAddr(dallasDr) });
    for (const path of ['before-failover', 'after-failover', 'forwarded-to-dallas-dr', 'before-new-token'])
      expect((await read(london, `secret/data/${path}`)).status, path).toBe(200);
    await londonKeptItsOwnState();

    // Data written on the new primary keeps flowing, and london's replicated writes land on it.
    await write(dallasDr, 'secret/data/later', { v: 'later' });
    await waitFor('london to have later', has(london, 'secret/data/later'));
    await write(london, 'secret/data/forwarded-after-new-token', { from: 'london' });
    expect((await read(dallasDr, 'secret/data/forwarded-after-new-token')).body.data.data).toEqual({ from: 'london' });
    const lead = await replStatus(dallasDr.addr, 'performance');
    expect(lead.known_secondaries).toEqual(['london']);
    expect(lead.secondaries.find((s: { node_id: string }) => s.node_id === 'london')?.connection_status).toBe('connected');
  }, 180_000);

  it('the old performance primary that comes back undemoted is fenced for its performance set too, and london keeps following the promoted cluster', async () => {
    process.kill(dallas.proc.pid!, 'SIGCONT');
    // The promoted cluster tells it over the cluster port (the DR bundle it kept authenticates it for both sets).
    const old = await waitFor('dallas to learn it was superseded as performance primary', async () => {
      const s = await replStatus(dallas.addr, 'performance');
      return s.superseded_by ? s : null;
    }, 60_000);
    expect(old).toMatchObject({ mode: 'primary', state: 'idle', cluster_id: perfClusterId });
    expect(old.superseded_by).toContain(`127.0.0.1:${dallasDr.port}`);
    const w = await api(dallas.addr, 'POST', 'secret/data/on-the-old-primary', { token: root, body: { data: { v: 1 } } });
    expect(w.status).toBe(400);
    expect((await read(dallasDr, 'secret/data/on-the-old-primary')).status).toBe(404);
    const st = await replStatus(london.addr, 'performance');
    expect(st).toMatchObject({ primary_cluster_addr: clusterAddr(dallasDr), state: 'stream-wals', epoch: 2 });
    await write(dallasDr, 'secret/data/after-return', { v: 4 });
    await waitFor('london to have after-return', has(london, 'secret/data/after-return'));

    // The operator demotes it, performance set first: nothing of either set is written on the way (it is fenced for both).
    const perfDemote = await api(dallas.addr, 'POST', 'sys/replication/performance/primary/demote', { token: root });
    expect(perfDemote.status, JSON.stringify(perfDemote.body)).toBe(200);
    const drDemote = await api(dallas.addr, 'POST', 'sys/replication/dr/primary/demote', { token: root });
    expect(drDemote.status, JSON.stringify(drDemote.body)).toBe(200);
    expect(await replStatus(dallas.addr, 'performance')).toMatchObject({ mode: 'secondary', state: 'idle' });
    expect((await replStatus(dallasDr.addr, 'performance')).known_secondaries).toEqual(['london']);
  }, 120_000);

  it('fail-back: dallas, re-joined as a DR secondary of dallas-dr, is promoted again and takes the performance set back; london follows it by address', async () => {
    const tok = await secondaryToken(dallasDr.addr, root, 'dr', 'dallas-again');
    const j = await api(dallas.addr, 'POST', 'sys/replication/dr/secondary/update-primary', { body: { dr_operation_token: batchOpToken, token: tok } });
    expect(j.status, JSON.stringify(j.body)).toBe(200);
    await write(dallasDr, 'secret/data/before-failback', { v: 5 });
    await converged(dallasDr.addr, dallas.addr, 'dr', 90_000);

    process.kill(dallasDr.proc.pid!, 'SIGSTOP');
    const p = await api(dallas.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: batchOpToken } });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    // Its own stale performance role (demoted at epoch 1) gives way to the set as dallas-dr left it.
    const perf = await waitFor('dallas to lead the performance set again', async () => {
      const s = await replStatus(dallas.addr, 'performance');
      return s.mode === 'primary' && s.epoch === 3 ? s : null;
    });
    expect(perf).toMatchObject({ cluster_id: perfClusterId, known_secondaries: ['london'], state: 'running' });

    const u = await api(london.addr, 'POST', 'sys/replication/performance/secondary/update-primary', { token: root, body: { update_primary_addrs: [clusterAddr(dallas)] } });
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    await converged(dallas.addr, london.addr, 'performance', 90_000);
    expect(await replStatus(london.addr, 'performance')).toMatchObject({ primary_cluster_addr: clusterAddr(dallas), epoch: 3 });
    for (const path of ['before-failover', 'after-return', 'before-failback']) expect((await read(london, `secret/data/${path}`)).status, path).toBe(200);
    await londonKeptItsOwnState();
    await write(london, 'secret/data/forwarded-after-failback', { from: 'london' });
    expect((await read(dallas, 'secret/data/forwarded-after-failback')).body.data.data).toEqual({ from: 'london' });
  }, 240_000);
});
