import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ApiError, DEFAULT_ADDRESS, resolveConfig, VaultClient } from './client';
import { createTransport, type HttpRequest, type Transport } from './transport';
import { storeToken, tokenFilePath } from './token-store';

function fake(status: number, body: string, seen: HttpRequest[] = []): Transport {
  return async (req) => {
    seen.push(req);
    return { status, text: body };
  };
}

const cfg = { address: 'http://127.0.0.1:8200', tlsSkipVerify: false, token: 's.tok' };

describe('ApiError text', () => {
  it('matches Vault’s "Error making API request." block', async () => {
    const client = new VaultClient(cfg, fake(403, '{"errors":["permission denied"]}'));
    const err = await client.read('secret/foo').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe(
      'Error making API request.\n\nURL: GET http://127.0.0.1:8200/v1/secret/foo\nCode: 403. Errors:\n\n* permission denied',
    );
  });

  it('shows a non-JSON body as the raw message', async () => {
    const client = new VaultClient(cfg, fake(502, 'upstream down'));
    await expect(client.write('x', {})).rejects.toThrow('Code: 502. Raw Message:\n\nupstream down');
  });

  it('reports refused connections like Go’s net/http', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const client = new VaultClient({ ...cfg, address: `http://127.0.0.1:${port}` }, createTransport({ skipVerify: false }));
    await expect(client.read('sys/health')).rejects.toThrow(
      `Get "http://127.0.0.1:${port}/v1/sys/health": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
  });
});

describe('VaultClient requests', () => {
  it('sends the token, wrap TTL and JSON body', async () => {
    const seen: HttpRequest[] = [];
    const client = new VaultClient({ ...cfg, wrapTtl: '5m' }, fake(200, '{"data":{}}', seen));
    await client.write('auth/userpass/users/tester', { password: 'changeme' });
    expect(seen[0].method).toBe('PUT');
    expect(seen[0].headers['X-Vault-Token']).toBe('s.tok');
    expect(seen[0].headers['X-Vault-Wrap-TTL']).toBe('5m');
    expect(JSON.parse(String(seen[0].body))).toEqual({ password: 'changeme' });
  });

  it('treats a bare 404 as "no value" but keeps a 404 that carries data', async () => {
    expect(await new VaultClient(cfg, fake(404, '{"errors":[]}')).read('secret/x')).toBeNull();
    const deleted = '{"data":{"data":null,"metadata":{"version":3,"deletion_time":"2024-01-01T00:00:00Z"}}}';
    const s = await new VaultClient(cfg, fake(404, deleted)).read('secret/data/x');
    expect((s?.data?.metadata as { version: number }).version).toBe(3);
  });

  it('lists with GET ?list=true (Node servers cannot receive the LIST verb)', async () => {
    const seen: HttpRequest[] = [];
    const s = await new VaultClient(cfg, fake(200, '{"data":{"keys":["a"]}}', seen)).list('secret/metadata/');
    expect(seen[0].method).toBe('GET');
    expect(seen[0].url).toBe('http://127.0.0.1:8200/v1/secret/metadata/?list=true');
    expect(s?.data?.keys).toEqual(['a']);
  });

  it('wraps raw (envelope-less) bodies such as sys/seal-status as data', async () => {
    const s = await new VaultClient(cfg, fake(200, '{"sealed":false,"t":1}')).read('sys/seal-status');
    expect(s?.data).toEqual({ sealed: false, t: 1 });
  });

  it('returns null for 204 writes', async () => {
    expect(await new VaultClient(cfg, fake(204, '')).write('sys/policies/acl/x', { policy: '' })).toBeNull();
  });
});

describe('resolveConfig', () => {
  const home = () => mkdtempSync(join(tmpdir(), 'coffer-home-'));

  it('prefers -address, then COFFER_ADDR, then VAULT_ADDR, then the default', () => {
    const env = { HOME: home(), COFFER_ADDR: 'http://c:1', VAULT_ADDR: 'http://v:1' };
    expect(resolveConfig({ address: 'http://flag:1/' }, env).address).toBe('http://flag:1');
    expect(resolveConfig({}, env).address).toBe('http://c:1');
    expect(resolveConfig({}, { HOME: env.HOME, VAULT_ADDR: 'http://v:1' }).address).toBe('http://v:1');
    expect(resolveConfig({}, { HOME: env.HOME }).address).toBe(DEFAULT_ADDRESS);
  });

  it('takes the token from COFFER_TOKEN, VAULT_TOKEN, then ~/.coffer-token', () => {
    const h = home();
    storeToken({ HOME: h }, 'from-file');
    expect(readFileSync(tokenFilePath({ HOME: h }), 'utf8')).toBe('from-file');
    expect(statSync(tokenFilePath({ HOME: h })).mode & 0o777).toBe(0o600);
    expect(resolveConfig({}, { HOME: h }).token).toBe('from-file');
    expect(resolveConfig({}, { HOME: h, VAULT_TOKEN: 'v' }).token).toBe('v');
    expect(resolveConfig({}, { HOME: h, VAULT_TOKEN: 'v', COFFER_TOKEN: 'c' }).token).toBe('c');
    expect(resolveConfig({}, { HOME: home() }).token).toBeUndefined();
  });

  it('turns on skip-verify from the flag or either env var, and reads VAULT_CACERT', () => {
    const h = home();
    expect(resolveConfig({}, { HOME: h }).tlsSkipVerify).toBe(false);
    expect(resolveConfig({ 'tls-skip-verify': true }, { HOME: h }).tlsSkipVerify).toBe(true);
    expect(resolveConfig({}, { HOME: h, COFFER_SKIP_VERIFY: 'true' }).tlsSkipVerify).toBe(true);
    expect(resolveConfig({}, { HOME: h, VAULT_SKIP_VERIFY: '1' }).tlsSkipVerify).toBe(true);
    expect(resolveConfig({}, { HOME: h, VAULT_SKIP_VERIFY: 'false' }).tlsSkipVerify).toBe(false);
    const ca = join(h, 'ca.pem');
    writeFileSync(ca, 'pem');
    expect(resolveConfig({}, { HOME: h, VAULT_CACERT: ca }).caCert).toBe(ca);
  });
});
