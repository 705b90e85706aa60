import { createRequire } from 'node:module';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';

// Issue 10 item 5: the small divergences real Vault clients (hvac,
// hashi-vault-js, node-vault-client) tripped over, each against a real dev
// server: ?list= as Go's ParseBool, token create with a null/empty id and the
// legacy `lease` field, revoke-accessor of a gone accessor, X-Vault-Namespace.
const require = createRequire(import.meta.url);
const nodeVault = require('node-vault') as (opts: Record<string, unknown>) => any;

let s: DevServer;
let root = '';
const asRoot = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(s.addr, method, path, { token: root, body, headers });

beforeAll(async () => {
  s = await startDevServer();
  root = s.rootToken;
  await asRoot('POST', 'sys/mounts/kv1', { type: 'kv' });
  await asRoot('PUT', 'kv1/app/db', { password: 'p' });
  await asRoot('PUT', 'kv1/app/cache', { password: 'q' });
});
afterAll(async () => {
  await s?.stop();
});

describe('?list= is parsed as Go strconv.ParseBool', () => {
  it('every true spelling lists', async () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
      const r = await asRoot('GET', `kv1/app?list=${v}`);
      expect(r.status, v).toBe(200);
      expect(r.body.data.keys.sort(), v).toEqual(['cache', 'db']);
    }
  });

  it('every false spelling (and an empty value) reads instead', async () => {
    for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False', '']) {
      const r = await asRoot('GET', `kv1/app/db?list=${v}`);
      expect(r.status, v).toBe(200);
      expect(r.body.data, v).toEqual({ password: 'p' });
    }
  });

  it('any other spelling is a 400 {"errors":[]}, as Vault answers, and nothing is listed', async () => {
    for (const v of ['yes', 'on', 'tRUE', '2', 'truee', '%20true']) {
      const r = await asRoot('GET', `kv1/app?list=${v}`);
      expect(r.status, v).toBe(400);
      expect(r.body, v).toEqual({ errors: [] });
    }
  });
});

describe('token create', () => {
  it('an "id" of null or "" generates an id (never a token whose id is empty)', async () => {
    for (const id of [null, '']) {
      const r = await asRoot('POST', 'auth/token/create', { id, policies: ['default'], ttl: '10m' });
      expect(r.status).toBe(200);
      const token = r.body.auth.client_token as string;
      expect(token).toMatch(/^hvs\.[0-9A-Za-z]{24}$/);
      expect((await api(s.addr, 'GET', 'auth/token/lookup-self', { token })).body.data.id).toBe(token);
    }
    // and no empty-id token was stored: an empty X-Vault-Token is no token
    expect((await api(s.addr, 'GET', 'auth/token/lookup-self', { headers: { 'X-Vault-Token': '' } })).status).toBe(403);
  });

  it('the legacy "lease" field is honoured as the TTL; "ttl" wins when both are given', async () => {
    const vault = nodeVault({ endpoint: s.addr, token: root });
    // write, not tokenCreate: node-vault's tokenCreate schema drops fields it does not know
    const leased = await vault.write('auth/token/create', { policies: ['default'], lease: '90m' });
    expect(leased.auth.lease_duration).toBe(5400);
    const both = await asRoot('POST', 'auth/token/create', { policies: ['default'], lease: '90m', ttl: '15m' });
    expect(both.body.auth.lease_duration).toBe(900);
    const bad = await asRoot('POST', 'auth/token/create', { policies: ['default'], lease: 'soon' });
    expect(bad.status).toBe(400);
  });
});

describe('revoke-accessor of an accessor that is already gone', () => {
  it('answers 400 {"errors":["invalid accessor"]} as Vault does, every time, and revokes nothing else', async () => {
    const r = await asRoot('POST', 'auth/token/create', { policies: ['default'], ttl: '10m' });
    const { accessor, client_token: token } = r.body.auth;
    const bystander = (await asRoot('POST', 'auth/token/create', { policies: ['default'], ttl: '10m' })).body.auth.client_token;
    expect((await asRoot('POST', 'auth/token/revoke-accessor', { accessor })).status).toBe(204);
    expect((await api(s.addr, 'GET', 'auth/token/lookup-self', { token })).status).toBe(403);
    for (let i = 0; i < 2; i++) expect(await asRoot('POST', 'auth/token/revoke-accessor', { accessor })).toMatchObject({ status: 400, body: { errors: ['invalid accessor'] } });
    expect(await asRoot('POST', 'auth/token/revoke-accessor', { accessor: 'never-issued' })).toMatchObject({ status: 400, body: { errors: ['invalid accessor'] } });
    expect((await api(s.addr, 'GET', 'auth/token/lookup-self', { token: bystander })).status).toBe(200);
  });
});

describe('X-Vault-Namespace', () => {
  it('a request for a namespace other than root is refused with a clear error and writes nothing to root', async () => {
    const vault = nodeVault({ endpoint: s.addr, token: root, namespace: 'team-a' });
    const err = await vault.write('kv1/ns-leak', { password: 'wrong-place' }).catch((e: any) => e);
    expect(err.response.statusCode).toBe(400);
    expect(err.message).toMatch(/namespaces are not supported/);
    expect(err.message).toMatch(/Enterprise/);
    expect((await asRoot('GET', 'kv1/ns-leak')).status).toBe(404);
    const read = await asRoot('GET', 'kv1/app/db', undefined, { 'X-Vault-Namespace': 'team-a/sub' });
    expect(read.status).toBe(400);
    expect(read.body.data).toBeUndefined();
    // a token is not minted in the wrong place either
    const mint = await asRoot('POST', 'auth/token/create', { policies: ['default'] }, { 'X-Vault-Namespace': 'team-a' });
    expect(mint.status).toBe(400);
    expect(mint.body.auth).toBeUndefined();
  });

  it('the root namespace, spelled "", "root" or "root/", is served', async () => {
    for (const ns of ['', 'root', 'root/']) {
      const r = await asRoot('GET', 'kv1/app/db', undefined, { 'X-Vault-Namespace': ns });
      expect(r.status, JSON.stringify(ns)).toBe(200);
      expect(r.body.data).toEqual({ password: 'p' });
    }
  });

  it('the LIST verb still lists (its ?list=true rewrite parses)', async () => {
    const keys = await new Promise<string[]>((resolve, reject) => {
      const req = request(`${s.addr}/v1/kv1/app`, { method: 'LIST', headers: { 'X-Vault-Token': root } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body).data.keys));
      });
      req.on('error', reject);
      req.end();
    });
    expect(keys.sort()).toEqual(['cache', 'db']);
  });
});
