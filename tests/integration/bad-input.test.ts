import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';

// Bad input gets a clear 4xx in Vault's error shape, loses nothing, and the
// server keeps serving.
let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
  await api(server.addr, 'POST', 'secret/data/keep', { token: server.rootToken, body: { data: { still: 'here' } } });
});
afterAll(async () => {
  await server?.stop();
});

describe('bad input', () => {
  it('malformed JSON → 400 naming the problem', async () => {
    const r = await api(server.addr, 'POST', 'secret/data/x', { token: server.rootToken, body: '{"data": {' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/failed to parse JSON input/);
  });

  it('a JSON array body → 400', async () => {
    const r = await api(server.addr, 'POST', 'secret/data/x', { token: server.rootToken, body: '[1,2]' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/expected a JSON object/);
  });

  it('wrong types → 400 naming the field', async () => {
    const m = await api(server.addr, 'POST', 'sys/mounts/typed', { token: server.rootToken, body: { type: 123 } });
    expect(m.status).toBe(400);
    expect(m.body.errors[0]).toMatch(/'type'/);
    const t = await api(server.addr, 'POST', 'auth/token/create', { token: server.rootToken, body: { ttl: 'banana' } });
    expect(t.status).toBe(400);
    expect(t.body.errors[0]).toMatch(/ttl/);
    const k = await api(server.addr, 'POST', 'secret/data/x', { token: server.rootToken, body: { data: 'not-an-object' } });
    expect(k.status).toBe(400);
  });

  it('a 33 MiB body → 413', async () => {
    const big = JSON.stringify({ data: { blob: 'x'.repeat(33 * 1024 * 1024) } });
    const r = await api(server.addr, 'POST', 'secret/data/big', { token: server.rootToken, body: big });
    expect(r.status).toBe(413);
    expect(r.body.errors[0]).toMatch(/too large/);
  });

  it('unknown paths → 404 with an errors array', async () => {
    const r = await api(server.addr, 'GET', 'no/such/mount', { token: server.rootToken });
    expect(r.status).toBe(404);
    expect(r.body.errors[0]).toMatch(/no handler for route/);
    const missing = await api(server.addr, 'GET', 'secret/data/never-written', { token: server.rootToken });
    expect(missing.status).toBe(404);
  });

  it('an unsupported method → 405', async () => {
    const r = await api(server.addr, 'DELETE', 'sys/health', { token: server.rootToken });
    expect(r.status).toBe(405);
  });

  it('garbage and expired tokens → 403', async () => {
    const garbage = await api(server.addr, 'GET', 'secret/data/keep', { token: 'hvs.garbage' });
    expect(garbage.status).toBe(403);
    expect(garbage.body).toEqual({ errors: ['permission denied'] });
    const none = await api(server.addr, 'GET', 'secret/data/keep');
    expect(none.status).toBe(403);
    const t = await api(server.addr, 'POST', 'auth/token/create', { token: server.rootToken, body: { ttl: '1s' } });
    const short = t.body.auth.client_token;
    expect((await api(server.addr, 'GET', 'auth/token/lookup-self', { token: short })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api(server.addr, 'GET', 'auth/token/lookup-self', { token: short })).status).toBe(403);
  });

  it('a token whose uses run out stops working', async () => {
    const t = await api(server.addr, 'POST', 'auth/token/create', { token: server.rootToken, body: { num_uses: 2 } });
    const tok = t.body.auth.client_token;
    expect((await api(server.addr, 'GET', 'auth/token/lookup-self', { token: tok })).status).toBe(200);
    expect((await api(server.addr, 'GET', 'auth/token/lookup-self', { token: tok })).status).toBe(200);
    expect((await api(server.addr, 'GET', 'auth/token/lookup-self', { token: tok })).status).toBe(403);
  });

  it('a revoked token takes its cubbyhole with it', async () => {
    const t = (await api(server.addr, 'POST', 'auth/token/create', { token: server.rootToken, body: {} })).body.auth.client_token;
    expect((await api(server.addr, 'POST', 'cubbyhole/note', { token: t, body: { v: 'private' } })).status).toBe(204);
    expect((await api(server.addr, 'GET', 'cubbyhole/note', { token: t })).body.data).toEqual({ v: 'private' });
    expect((await api(server.addr, 'GET', 'cubbyhole/note', { token: server.rootToken })).status).toBe(404); // per token
    await api(server.addr, 'POST', 'auth/token/revoke', { token: server.rootToken, body: { token: t } });
    expect((await api(server.addr, 'GET', 'cubbyhole/note', { token: t })).status).toBe(403);
  });

  it('a bad policy is refused and nothing is stored', async () => {
    const r = await api(server.addr, 'PUT', 'sys/policies/acl/broken', { token: server.rootToken, body: { policy: 'path "x" { capabilities = ' } });
    expect(r.status).toBe(400);
    expect((await api(server.addr, 'GET', 'sys/policies/acl/broken', { token: server.rootToken })).status).toBe(404);
  });

  it('keeps serving and lost nothing', async () => {
    const h = await api(server.addr, 'GET', 'sys/health');
    expect(h.status).toBe(200);
    const r = await api(server.addr, 'GET', 'secret/data/keep', { token: server.rootToken });
    expect(r.body.data.data).toEqual({ still: 'here' });
    expect(r.body.request_id).toMatch(/[0-9a-f-]{36}/);
  });
});
