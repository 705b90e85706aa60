import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { runCoffer, type CliRun } from '../support/cli';

// The commands issue 10 adds to `bin/coffer`, typed into the real (compiled)
// CLI against one real dev server: Vault's grammar, output and exit codes,
// and the server state each leaves behind.
let server: DevServer;
let home: string;

function coffer(args: string[], opts: { stdin?: string; token?: string | null } = {}): Promise<CliRun> {
  const token = opts.token === undefined ? server.rootToken : opts.token;
  return runCoffer(args, { addr: server.addr, home, token, stdin: opts.stdin });
}

const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  api(server.addr, method, path, { token: server.rootToken, body, headers });

beforeAll(async () => {
  server = await startDevServer({ healthTimeoutMs: 90_000 });
  home = mkdtempSync(join(tmpdir(), 'coffer-cli-home-'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('unwrap', () => {
  it('unwrap TOKEN prints the wrapped data once; a second unwrap is refused (exit 2)', async () => {
    const wrapped = await call('POST', 'sys/wrapping/wrap', { foo: 'bar' }, { 'X-Vault-Wrap-TTL': '5m' });
    const token = wrapped.body.wrap_info.token as string;
    const r = await coffer(['unwrap', token]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^foo\s+bar$/m);
    const again = await coffer(['unwrap', token]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^Error unwrapping: /);
  });

  it('unwrap with no argument unwraps the token the CLI authenticates with', async () => {
    const wrapped = await call('POST', 'sys/wrapping/wrap', { answer: '42' }, { 'X-Vault-Wrap-TTL': '5m' });
    const r = await coffer(['unwrap', '-format=json'], { token: wrapped.body.wrap_info.token });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).data).toEqual({ answer: '42' });
  });
});

describe('kv metadata, rollback, undelete, destroy, patch', () => {
  it('kv metadata put sets max versions and custom metadata; only the flags given change', async () => {
    await coffer(['kv', 'put', 'secret/meta', 'a=1']);
    const r = await coffer(['kv', 'metadata', 'put', '-max-versions=5', '-custom-metadata=owner=ops', 'secret/meta']);
    expect(r).toMatchObject({ code: 0, stdout: 'Success! Data written to: secret/metadata/meta\n' });
    await coffer(['kv', 'metadata', 'put', '-cas-required', 'secret/meta']);
    const meta = (await call('GET', 'secret/metadata/meta')).body.data;
    expect(meta).toMatchObject({ max_versions: 5, cas_required: true, custom_metadata: { owner: 'ops' } });
  });

  it('kv rollback -version=1 writes version 1 again as the newest version', async () => {
    await coffer(['kv', 'put', 'secret/rb', 'v=one']);
    await coffer(['kv', 'put', 'secret/rb', 'v=two']);
    const r = await coffer(['kv', 'rollback', '-version=1', 'secret/rb']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^version\s+3$/m);
    const now = (await call('GET', 'secret/data/rb')).body.data;
    expect(now).toMatchObject({ data: { v: 'one' }, metadata: { version: 3 } });
  });

  it('kv rollback without -version is a usage error; to an unknown version exit 2; nothing written', async () => {
    const noVersion = await coffer(['kv', 'rollback', 'secret/rb']);
    expect(noVersion).toMatchObject({ code: 1, stderr: 'Must specify a version to rollback to\n' });
    const unknown = await coffer(['kv', 'rollback', '-version=9', 'secret/rb']);
    expect(unknown).toMatchObject({ code: 2, stderr: 'Failed to find version 9 in metadata\n' });
    expect((await call('GET', 'secret/metadata/rb')).body.data.current_version).toBe(3);
  });

  it('kv rollback to a destroyed version is refused', async () => {
    await coffer(['kv', 'put', 'secret/rbd', 'v=1']);
    await coffer(['kv', 'put', 'secret/rbd', 'v=2']);
    expect((await coffer(['kv', 'destroy', '-versions=1', 'secret/rbd'])).code).toBe(0);
    const r = await coffer(['kv', 'rollback', '-version=1', 'secret/rbd']);
    expect(r).toMatchObject({ code: 2, stderr: 'Cannot roll back to a version that has been destroyed\n' });
  });

  it('kv delete / undelete -versions / patch', async () => {
    await coffer(['kv', 'put', 'secret/ud', 'a=1']);
    expect((await coffer(['kv', 'delete', 'secret/ud'])).code).toBe(0);
    expect((await call('GET', 'secret/metadata/ud')).body.data.versions['1'].deletion_time).not.toBe('');
    expect((await coffer(['kv', 'undelete', '-versions=1', 'secret/ud'])).code).toBe(0);
    const patched = await coffer(['kv', 'patch', 'secret/ud', 'b=2']);
    expect(patched.code).toBe(0);
    expect((await call('GET', 'secret/data/ud')).body.data.data).toEqual({ a: '1', b: '2' });
    const noVersions = await coffer(['kv', 'undelete', 'secret/ud']);
    expect(noVersions.code).toBe(1);
    expect(noVersions.stderr).toMatch(/^No versions provided, use the "-versions" flag/);
  });
});

describe('token capabilities', () => {
  it('token capabilities TOKEN PATH prints the capabilities, comma separated', async () => {
    await call('PUT', 'sys/policies/acl/reader', { policy: 'path "secret/data/*" { capabilities = ["read", "list"] }' });
    const child = await call('POST', 'auth/token/create', { policies: ['reader'] });
    const r = await coffer(['token', 'capabilities', child.body.auth.client_token, 'secret/data/x']);
    expect(r).toMatchObject({ code: 0, stdout: 'list, read\n' });
    const self = await coffer(['token', 'capabilities', 'secret/data/x']);
    expect(self).toMatchObject({ code: 0, stdout: 'root\n' });
  });

  it('kv get and kv list work for a token that may only read its secrets: the mounts preflight needs no policy of its own, as in Vault', async () => {
    await call('POST', 'secret/data/preflight/app', { data: { password: 'hunter2' } });
    await call('PUT', 'sys/policies/acl/kv-reader', { policy: 'path "secret/data/preflight/*" { capabilities = ["read"] }\npath "secret/metadata/preflight/*" { capabilities = ["list"] }' });
    const reader = (await call('POST', 'auth/token/create', { policies: ['kv-reader'] })).body.auth.client_token as string;
    expect(await coffer(['kv', 'get', '-field=password', 'secret/preflight/app'], { token: reader })).toMatchObject({ code: 0, stdout: 'hunter2' });
    expect((await coffer(['kv', 'list', 'secret/preflight'], { token: reader })).stdout).toMatch(/^app$/m);
    await call('PUT', 'sys/policies/acl/elsewhere', { policy: 'path "other/*" { capabilities = ["read"] }' });
    const outsider = (await call('POST', 'auth/token/create', { policies: ['elsewhere'] })).body.auth.client_token as string;
    const refused = await api(server.addr, 'GET', 'sys/internal/ui/mounts/secret/preflight/app', { token: outsider });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0]).toMatch(/preflight capability check returned 403/);
    expect((await api(server.addr, 'GET', 'sys/internal/ui/mounts/secret/preflight/app')).status).toBe(403);
  });
});

describe('secrets tune, auth tune, secrets move', () => {
  it('secrets tune changes only the settings given', async () => {
    expect((await coffer(['secrets', 'enable', '-path=tuned', '-description=before', 'kv'])).code).toBe(0);
    const r = await coffer(['secrets', 'tune', '-default-lease-ttl=1h', '-max-lease-ttl=2h', 'tuned']);
    expect(r).toMatchObject({ code: 0, stdout: 'Success! Tuned the secrets engine at: tuned/\n' });
    const tune = (await call('GET', 'sys/mounts/tuned/tune')).body.data;
    expect(tune).toMatchObject({ default_lease_ttl: 3600, max_lease_ttl: 7200, description: 'before' });
  });

  it('auth tune token/ sets the built-in token mount', async () => {
    const r = await coffer(['auth', 'tune', '-max-lease-ttl=100h', 'token']);
    expect(r).toMatchObject({ code: 0, stdout: 'Success! Tuned the auth method at: token/\n' });
    expect((await call('GET', 'sys/auth/token/tune')).body.data.max_lease_ttl).toBe(360_000);
  });

  it('secrets tune of a missing mount: exit 2 with Vault\'s prefix, nothing mounted', async () => {
    const r = await coffer(['secrets', 'tune', '-default-lease-ttl=1h', 'nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error tuning secrets engine nowhere\/: /);
    expect((await call('GET', 'sys/mounts')).body.data['nowhere/']).toBeUndefined();
  });

  it('secrets move SRC DST moves the engine with its data', async () => {
    await coffer(['secrets', 'enable', '-path=before-move', 'kv']);
    await call('PUT', 'before-move/k', { v: 'kept' });
    const r = await coffer(['secrets', 'move', 'before-move', 'after-move']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Started moving secrets engine before-move\/ to after-move\/, with migration ID \S+\n/);
    expect(r.stdout).toMatch(/^Success! Finished moving secrets engine before-move\/ to after-move\/, with migration ID \S+$/m);
    expect((await call('GET', 'after-move/k')).body.data).toEqual({ v: 'kept' });
    expect((await call('GET', 'before-move/k')).status).toBe(404);
  });
});

describe('write - and @file', () => {
  it('write PATH - sends the JSON object read from stdin', async () => {
    const r = await coffer(['write', 'secret/data/stdin-json', '-'], { stdin: JSON.stringify({ data: { from: 'stdin' } }) });
    expect(r.code).toBe(0);
    expect((await call('GET', 'secret/data/stdin-json')).body.data.data).toEqual({ from: 'stdin' });
  });

  it('write PATH key=@file sends the file contents; key=- reads stdin', async () => {
    const file = join(home, 'value.txt');
    writeFileSync(file, 'from a file');
    expect((await coffer(['write', 'cubbyhole/f', `v=@${file}`, 'w=-'], { stdin: 'from stdin' })).code).toBe(0);
    expect((await call('GET', 'cubbyhole/f')).body.data).toEqual({ v: 'from a file', w: 'from stdin' });
    const missing = await coffer(['write', 'cubbyhole/g', 'v=@/nonexistent/file']);
    expect(missing.code).toBe(1);
    expect((await call('GET', 'cubbyhole/g')).status).toBe(404);
  });
});

describe('secondary-token fingerprint', () => {
  it('write …/secondary-token prints the activation token fingerprint the console shows', async () => {
    expect((await coffer(['write', '-f', 'sys/replication/performance/primary/enable'])).code).toBe(0);
    const r = await coffer(['write', 'sys/replication/performance/primary/secondary-token', 'id=cli-fp']);
    expect(r.code).toBe(0);
    const token = /^wrapping_token:\s+(\S+)$/m.exec(r.stdout)?.[1];
    expect(token).toBeTruthy();
    const hex = createHash('sha256').update(token!).digest('hex');
    expect(r.stdout).toContain(`\nToken fingerprint: ${hex.slice(0, 4)}…${hex.slice(-4)}\n`);
    const json = await coffer(['write', '-format=json', 'sys/replication/performance/primary/secondary-token', 'id=cli-fp-json']);
    expect(JSON.parse(json.stdout).wrap_info.token).toBeTruthy(); // JSON stays JSON
  });
});
