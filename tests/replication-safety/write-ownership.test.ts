import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, pair, replStatus, waitFor } from '../support/replication';

// Issue 8 item 1: write ownership lives in storage. A performance secondary
// used to run `sys/rotate` locally: its keyring got a term its primary never
// had, the merkle roots differed while status still said stream-wals / ready
// with corrupted_merkle_tree false, and after a later rotate on the primary
// (whose keyring then replaced the secondary's) plus a seal/unseal, tokens
// made on the secondary — encrypted under the lost term — answered 500.
// Now storage refuses any write to a replicated key on a secondary unless the
// replication applier makes it: sys/rotate answers Vault's 400, and a write
// that a route lets through locally (a token role) fails in storage and is
// forwarded to the primary instead of diverging.
const MODE = 'performance';
let primary: DevServer;
let secondary: DevServer;
let secondaryToken = ''; // a token made on the secondary (local to it)

const root = () => ({ token: primary.rootToken }); // the secondary accepts the primary's dev root token (seed 003)
const term = async (s: DevServer) => (await api(s.addr, 'GET', 'sys/key-status', root())).body.data.term as number;

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startDevServer(), startDevServer()]);
  expect((await api(primary.addr, 'POST', 'secret/data/before', { ...root(), body: { data: { v: 'written on the primary' } } })).status).toBe(200);
  await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, MODE, 'london');
  await converged(primary.addr, secondary.addr, MODE);
}, 120_000);

afterAll(async () => {
  await Promise.all([primary?.stop(), secondary?.stop()]);
});

describe('write ownership on a performance secondary', () => {
  it('sys/rotate on the secondary is refused as in Vault, and neither keyring moves', async () => {
    const before = await term(primary);
    const r = await api(secondary.addr, 'POST', 'sys/rotate', root());
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ errors: ['cannot rotate on a replication secondary'] });
    expect(await term(secondary)).toBe(before);
    expect(await term(primary)).toBe(before);
    const [p, s] = await Promise.all([replStatus(primary.addr, MODE), replStatus(secondary.addr, MODE)]);
    expect(s.merkle_root).toBe(p.merkle_root);
    expect(s).toMatchObject({ state: 'stream-wals', connection_state: 'ready', corrupted_merkle_tree: false });
  });

  it('a token made on the secondary changes no replicated state (its salt is local to the secondary)', async () => {
    const rootBefore = (await replStatus(secondary.addr, MODE)).merkle_root;
    const r = await api(secondary.addr, 'POST', 'auth/token/create', { ...root(), body: { policies: ['default'], ttl: '1h' } });
    expect(r.status).toBe(200);
    secondaryToken = r.body.auth.client_token;
    expect((await api(secondary.addr, 'GET', 'auth/token/lookup-self', { token: secondaryToken })).status).toBe(200);
    expect((await replStatus(secondary.addr, MODE)).merkle_root).toBe(rootBefore);
    expect((await api(primary.addr, 'GET', 'auth/token/lookup-self', { token: secondaryToken })).status).toBe(403); // unknown there
  });

  it('a replicated write a route lets through locally (a token role) fails in storage and is forwarded to the primary', { timeout: 90_000 }, async () => {
    const w = await api(secondary.addr, 'POST', 'auth/token/roles/ops', { ...root(), body: { allowed_policies: ['default'], token_type: 'service' } });
    expect(w.status, JSON.stringify(w.body)).toBe(204);
    const onPrimary = await api(primary.addr, 'GET', 'auth/token/roles/ops', root());
    expect(onPrimary.status, 'the role lives on the primary').toBe(200);
    // …and reaches the secondary the only way replicated state may: replicated back.
    await waitFor('the role to replicate back', async () => (await api(secondary.addr, 'GET', 'auth/token/roles/ops', root())).status === 200);
    await converged(primary.addr, secondary.addr, MODE);
  });

  it('after a rotate on the primary and a seal/unseal of the secondary, tokens made on the secondary still work', { timeout: 120_000 }, async () => {
    expect((await api(primary.addr, 'POST', 'sys/rotate', root())).status).toBe(204);
    const rotated = await term(primary);
    await waitFor('the secondary to take the new keyring', async () => (await term(secondary)) === rotated);
    expect((await api(secondary.addr, 'PUT', 'sys/seal', root())).status).toBe(204);
    // The secondary adopted its primary's keys: it unseals with the primary's unseal key.
    const u = await api(secondary.addr, 'PUT', 'sys/unseal', { body: { key: primary.unsealKeys[0] } });
    expect(u.body.sealed).toBe(false);
    await waitFor('replication to resume', async () => (await replStatus(secondary.addr, MODE)).state === 'stream-wals');
    const self = await api(secondary.addr, 'GET', 'auth/token/lookup-self', { token: secondaryToken });
    expect(self.status, JSON.stringify(self.body)).toBe(200);
    const kv = await api(secondary.addr, 'GET', 'secret/data/before', root());
    expect(kv.body.data.data.v).toBe('written on the primary');
    await converged(primary.addr, secondary.addr, MODE);
    expect((await replStatus(secondary.addr, MODE)).corrupted_merkle_tree).toBe(false);
  });
});
