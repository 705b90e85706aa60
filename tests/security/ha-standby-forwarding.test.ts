import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cluster';
import { startHaCluster, until, type HaCluster, type HaNode } from '../ha/ha-cluster';

// What a performance standby forwards to the active (server/ha/ha-forward.ts)
// must reach it as the client sent it: the same key, the client's own address
// (CIDR bindings at login are judged by it; audit records it), and nothing a
// client can forge by sending the forwarding headers itself. Two real Coffer
// nodes on storage "etcd" over a real 3-member etcd; clients call from
// 127.0.0.2 so their address differs from the nodes' own (127.0.0.1).

let c: HaCluster;
let active: HaNode;
let standby: HaNode;
const CLIENT_ADDR = '127.0.0.2';

/** A request from CLIENT_ADDR (fetch cannot choose its source address). */
function callFrom(addr: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
  const url = new URL(`/v1/${path}`, addr);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...(opts.token ? { 'x-vault-token': opts.token } : {}), ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method, headers, localAddress: CLIENT_ADDR, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    r.on('error', reject);
    r.end(payload);
  });
}

beforeAll(async () => {
  c = await startHaCluster(2);
  active = await c.waitActive();
  standby = c.nodes.find((n) => n !== active)!;
  await until(`${standby.name} to know the active`, async () => (await api(standby.addr, 'GET', 'sys/leader')).body?.leader_address === active.addr);
  const root = c.rootToken;
  expect((await api(active.addr, 'POST', 'sys/mounts/secret', { token: root, body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
  expect((await api(active.addr, 'POST', 'sys/auth/userpass', { token: root, body: { type: 'userpass' } })).status).toBe(204);
  // near: bound to the client's address; far: bound to the nodes' own address only.
  for (const [user, cidr] of [['near', `${CLIENT_ADDR}/32`], ['far', '127.0.0.1/32']]) {
    const r = await api(active.addr, 'POST', `auth/userpass/users/${user}`, { token: root, body: { password: 'pw', token_bound_cidrs: [cidr] } });
    expect(r.status, JSON.stringify(r.body)).toBe(204);
  }
  await until('the standby to have the users', async () => (await api(standby.addr, 'LIST', 'auth/userpass/users', { token: root })).body?.data?.keys?.length === 2);
}, 240_000);

afterAll(async () => {
  await c?.stop();
}, 120_000);

describe('a write forwarded by a standby reaches the active as the client sent it', () => {
  it('a key with ?, #, % or \\ written through a standby is stored under that key, not a mangled one', async () => {
    for (const name of ['q?x=1', 'h#frag', 'p%41', 'b\\s']) {
      const path = `secret/data/${encodeURIComponent(name)}`;
      const w = await api(standby.addr, 'POST', path, { token: c.rootToken, body: { data: { name } } });
      expect(w.status, `${name}: ${JSON.stringify(w.body)}`).toBe(200);
      const r = await api(active.addr, 'GET', path, { token: c.rootToken });
      expect(r.status, name).toBe(200);
      expect(r.body.data.data).toEqual({ name });
    }
    // Nothing landed under the mangled names the unencoded path would have made.
    for (const mangled of ['q', 'h', 'pA', 'b/s']) expect((await api(active.addr, 'GET', `secret/data/${mangled}`, { token: c.rootToken })).status, mangled).toBe(404);
  }, 120_000);
});

describe("a login through a standby is judged by the client's address, not the standby's", () => {
  it('a user bound to the client address logs in through the standby as it does at the active', async () => {
    expect((await callFrom(active.addr, 'POST', 'auth/userpass/login/near', { body: { password: 'pw' } })).status).toBe(200);
    const viaStandby = await callFrom(standby.addr, 'POST', 'auth/userpass/login/near', { body: { password: 'pw' } });
    expect(viaStandby.status, JSON.stringify(viaStandby.body)).toBe(200);
  }, 60_000);

  it("a user bound to the nodes' address cannot log in from elsewhere by going through the standby", async () => {
    expect((await callFrom(active.addr, 'POST', 'auth/userpass/login/far', { body: { password: 'pw' } })).status).toBe(403);
    expect((await callFrom(standby.addr, 'POST', 'auth/userpass/login/far', { body: { password: 'pw' } })).status).toBe(403);
  }, 60_000);

  it('a client that sends the forwarding headers itself is still judged by its socket address', async () => {
    const forged = { 'x-coffer-ha-forwarded': standby.name, 'x-forwarded-for': '127.0.0.1', 'x-coffer-ha-forwarded-for': `${Date.now()}.${'0'.repeat(64)}` };
    const r = await callFrom(active.addr, 'POST', 'auth/userpass/login/far', { body: { password: 'pw' }, headers: forged });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
  }, 60_000);
});

describe('the token cache of a standby', () => {
  it('a token revoked through the active is refused by the standby that had it cached', async () => {
    const t = await api(active.addr, 'POST', 'auth/token/create', { token: c.rootToken, body: { policies: ['default'], ttl: '1h' } });
    const token = t.body.auth.client_token;
    await until('the standby to know the token', async () => (await api(standby.addr, 'GET', 'auth/token/lookup-self', { token })).status === 200);
    for (let i = 0; i < 3; i++) expect((await api(standby.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    expect((await api(active.addr, 'POST', 'auth/token/revoke-self', { token })).status).toBe(204);
    await until('the standby to refuse the revoked token', async () => (await api(standby.addr, 'GET', 'auth/token/lookup-self', { token })).status === 403);
    // Refused for good: no later request brings a cached entry back.
    for (let i = 0; i < 3; i++) expect((await api(standby.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(403);
  }, 60_000);
});

describe('sys/seal on an HA standby', () => {
  it('sys/seal on a standby is refused as Vault refuses it (500, restart instead) and seals neither the standby nor the active', async () => {
    for (const token of [c.rootToken, undefined]) {
      const r = await api(standby.addr, 'POST', 'sys/seal', { token });
      expect(r.status, JSON.stringify(r.body)).toBe(500);
      expect(r.body.errors).toEqual(['vault cannot seal when in standby mode; please restart instead']);
    }
    for (const n of [standby, active]) expect((await api(n.addr, 'GET', 'sys/seal-status')).body.sealed, n.name).toBe(false);
    expect((await api(standby.addr, 'GET', 'sys/leader')).body.leader_address).toBe(active.addr);
  }, 60_000);
});

describe('a request is forwarded at most once', () => {
  it('a write another node forwarded to a standby (a stale view of the active) is refused with a 503, not forwarded again', async () => {
    const fromStaleNode = { 'x-coffer-ha-forwarded': 'node-with-a-stale-view' };
    const w = await callFrom(standby.addr, 'POST', 'secret/data/second-hop', { token: c.rootToken, body: { data: { x: 1 } }, headers: fromStaleNode });
    expect(w.status, JSON.stringify(w.body)).toBe(503);
    expect(w.body.errors[0]).toMatch(/does not forward a request another node forwarded/);
    expect((await api(active.addr, 'GET', 'secret/data/second-hop', { token: c.rootToken })).status).toBe(404);
    // What the standby answers itself it still answers; the client's retry without the header is forwarded once.
    expect((await callFrom(standby.addr, 'GET', 'sys/mounts', { token: c.rootToken, headers: fromStaleNode })).status).toBe(200);
    expect((await callFrom(standby.addr, 'POST', 'secret/data/second-hop', { token: c.rootToken, body: { data: { x: 1 } } })).status).toBe(200);
  }, 60_000);
});

describe("the active a standby forwards to must prove it is a node of the cluster", () => {
  // Last in this file: it leaves the cluster's leader key pointing elsewhere.
  it("a standby sends no client token to an address someone wrote into etcd's leader key", async () => {
    const seen: string[] = [];
    // It answers the standby's proof question with the real active's answer to the same nonce (a relay), and takes anything else.
    const fake = http.createServer(async (req, res) => {
      seen.push(String(req.headers['x-vault-token'] ?? ''));
      const relayed = req.url?.startsWith('/v1/sys/ha/node-proof') ? await (await fetch(`${active.addr}${req.url}`)).text() : JSON.stringify({ data: {} });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(relayed);
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const fakeAddr = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    try {
      // Anyone who can write etcd can do this; keeping the lease, the active's fence still passes and it stays active.
      const etcd = c.etcd.all();
      const key = `${c.prefix}leader`;
      const kv = (await etcd.get(key))!;
      await etcd.put(key, JSON.stringify({ ...JSON.parse(kv.value.toString()), api_address: fakeAddr }), { lease: kv.lease });
      await until('the standby to name the forged active', async () => (await api(standby.addr, 'GET', 'sys/leader')).body?.leader_address === fakeAddr);
      const w = await api(standby.addr, 'POST', 'secret/data/after-forgery', { token: c.rootToken, body: { data: { x: 1 } } });
      expect(w.status, JSON.stringify(w.body)).not.toBe(200);
      expect(seen.filter((t) => t !== '')).toEqual([]);
    } finally {
      await new Promise((r) => fake.close(r));
    }
  }, 60_000);
});
