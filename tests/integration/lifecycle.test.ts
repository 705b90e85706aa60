import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';

// A configured (non-dev) server: init, seal/unseal with threshold keys,
// restart and kill -9 keep acknowledged data, and nothing secret is ever
// written to disk in plaintext.
const SECRET_VALUE = 'correct-horse-battery-staple-4242';

let server: ConfiguredServer;
afterAll(async () => {
  await server?.stop();
});

async function unseal(s: ConfiguredServer, keys: string[]) {
  let last;
  for (const key of keys) last = await api(s.addr, 'PUT', 'sys/unseal', { body: { key } });
  return last!;
}

describe('init, seal, unseal, restart', () => {
  let keys: string[] = [];
  let rootToken = '';
  let childToken = '';

  it('starts uninitialised and answers 503 to everything but the bootstrap paths', async () => {
    server = await startConfiguredServer({ name: 'life' });
    const status = await api(server.addr, 'GET', 'sys/seal-status');
    expect(status.body).toMatchObject({ initialized: false, sealed: true });
    const health = await api(server.addr, 'GET', 'sys/health');
    expect(health.status).toBe(501);
    const read = await api(server.addr, 'GET', 'secret/data/x', { token: 'anything' });
    expect(read.status).toBe(503);
  });

  it('initialises with 3 shares / threshold 2 and unseals with two keys', async () => {
    const init = await api(server.addr, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
    expect(init.status).toBe(200);
    keys = init.body.keys;
    rootToken = init.body.root_token;
    expect(keys).toHaveLength(3);
    expect(init.body.keys_base64).toHaveLength(3);
    const again = await api(server.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    expect(again.status).toBe(400);

    let s = await api(server.addr, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
    expect(s.body).toMatchObject({ sealed: true, t: 2, n: 3, progress: 1 });
    s = await api(server.addr, 'PUT', 'sys/unseal', { body: { key: init.body.keys_base64[2] } });
    expect(s.body).toMatchObject({ sealed: false, progress: 0 });
    expect((await api(server.addr, 'GET', 'sys/health')).status).toBe(200);
  });

  it('stores data, then sealing answers 503 until unsealed again', async () => {
    expect((await api(server.addr, 'POST', 'sys/mounts/secret', { token: rootToken, body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
    const w = await api(server.addr, 'POST', 'secret/data/app', { token: rootToken, body: { data: { password: SECRET_VALUE } } });
    expect(w.status).toBe(200);
    const t = await api(server.addr, 'POST', 'auth/token/create', { token: rootToken, body: { policies: ['default'] } });
    childToken = t.body.auth.client_token;

    expect((await api(server.addr, 'PUT', 'sys/seal', { token: rootToken })).status).toBe(204);
    const sealed = await api(server.addr, 'GET', 'secret/data/app', { token: rootToken });
    expect(sealed.status).toBe(503);
    expect(sealed.body.errors[0]).toMatch(/sealed/);
    expect((await api(server.addr, 'GET', 'sys/health')).status).toBe(503);

    const bad = await api(server.addr, 'PUT', 'sys/unseal', { body: { key: 'zz-not-a-key' } });
    expect(bad.status).toBe(400);
    await api(server.addr, 'PUT', 'sys/unseal', { body: { reset: true } });
    expect((await unseal(server, [keys[1], keys[2]])).body.sealed).toBe(false);
    const read = await api(server.addr, 'GET', 'secret/data/app', { token: rootToken });
    expect(read.body.data.data.password).toBe(SECRET_VALUE);
  });

  it('keeps data across a clean restart', async () => {
    await server.stop();
    server = await server.restart();
    expect((await api(server.addr, 'GET', 'sys/seal-status')).body).toMatchObject({ initialized: true, sealed: true });
    await unseal(server, [keys[0], keys[1]]);
    const read = await api(server.addr, 'GET', 'secret/data/app', { token: rootToken });
    expect(read.body.data.data.password).toBe(SECRET_VALUE);
    expect((await api(server.addr, 'GET', 'auth/token/lookup-self', { token: childToken })).status).toBe(200);
  });

  it('keeps every acknowledged write across kill -9', async () => {
    for (let i = 0; i < 50; i++) {
      const w = await api(server.addr, 'POST', `secret/data/burst/${i}`, { token: rootToken, body: { data: { i } } });
      expect(w.status).toBe(200);
    }
    await server.kill();
    server = await server.restart();
    await unseal(server, [keys[2], keys[0]]);
    const list = await api(server.addr, 'LIST', 'secret/metadata/burst', { token: rootToken });
    expect(list.body.data.keys).toHaveLength(50);
  });

  it('rotates the keyring and reports the new term', async () => {
    expect((await api(server.addr, 'POST', 'sys/rotate', { token: rootToken })).status).toBe(204);
    const ks = await api(server.addr, 'GET', 'sys/key-status', { token: rootToken });
    expect(ks.body.data.term).toBe(2);
    const read = await api(server.addr, 'GET', 'secret/data/app', { token: rootToken });
    expect(read.body.data.data.password).toBe(SECRET_VALUE);
  });

  it('generates a root token with an OTP and the unseal keys', async () => {
    const start = await api(server.addr, 'PUT', 'sys/generate-root/attempt', { body: {} });
    expect(start.body).toMatchObject({ started: true, progress: 0, required: 2, complete: false, otp_length: 28 });
    const { otp, nonce } = start.body;
    expect(otp).toHaveLength(28);
    await api(server.addr, 'PUT', 'sys/generate-root/update', { body: { key: keys[0], nonce } });
    const done = await api(server.addr, 'PUT', 'sys/generate-root/update', { body: { key: keys[1], nonce } });
    expect(done.body).toMatchObject({ complete: true, progress: 2 });
    const enc = Buffer.from(done.body.encoded_token, 'base64');
    const token = Buffer.from(enc.map((b, i) => b ^ otp.charCodeAt(i))).toString();
    expect(token).toMatch(/^hvs\./);
    const self = await api(server.addr, 'GET', 'auth/token/lookup-self', { token });
    expect(self.body.data.policies).toEqual(['root']);
  });

  it('never writes a secret value, token or key to disk in plaintext', async () => {
    await server.stop();
    const needles = [SECRET_VALUE, rootToken, childToken, ...keys];
    for (const file of readdirSync(server.dataDir)) {
      if (file.endsWith('.hcl')) continue;
      const bytes = readFileSync(join(server.dataDir, file));
      for (const needle of needles) {
        expect(bytes.includes(Buffer.from(needle)), `${needle.slice(0, 6)}… found in ${file}`).toBe(false);
        expect(bytes.includes(Buffer.from(needle, 'hex').length > 8 ? Buffer.from(needle, 'hex') : Buffer.from('\0never\0'))).toBe(false);
      }
    }
    server = await server.restart();
  });
});
