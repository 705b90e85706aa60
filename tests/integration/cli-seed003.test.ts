import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../support/cluster';
import { runCoffer, type CliRun } from '../support/cli';

// Seed 003 typed into the real `bin/coffer` against a real dev server: a
// superuser policy, userpass with a tester user, logging in (the token lands
// in ~/.coffer-token and is used by later commands), KV v2 versions, JSON
// output, and Vault's error layout.
const SUPERUSER_POLICY = `path "*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}
`;

let server: DevServer;
let home: string;

/** Runs `coffer ARGS` against the test server; the root token unless told otherwise. */
function coffer(args: string[], opts: { stdin?: string; token?: string | null } = {}): Promise<CliRun> {
  const token = opts.token === undefined ? server.rootToken : opts.token;
  return runCoffer(args, { addr: server.addr, home, token, stdin: opts.stdin });
}

beforeAll(async () => {
  server = await startDevServer();
  home = mkdtempSync(join(tmpdir(), 'coffer-cli-home-'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('seed 003: superuser policy, userpass, login', () => {
  it('policy write superuser - reads the policy from stdin', async () => {
    const r = await coffer(['policy', 'write', 'superuser', '-'], { stdin: SUPERUSER_POLICY });
    expect(r).toMatchObject({ code: 0, stdout: 'Success! Uploaded policy: superuser\n' });
    const read = await coffer(['policy', 'read', 'superuser']);
    expect(read.stdout).toBe(SUPERUSER_POLICY);
    const list = await coffer(['policy', 'list']);
    expect(list.stdout.split('\n')).toContain('superuser');
  });

  it('auth enable userpass', async () => {
    const r = await coffer(['auth', 'enable', 'userpass']);
    expect(r).toMatchObject({ code: 0, stdout: 'Success! Enabled userpass auth method at: userpass/\n' });
    const list = await coffer(['auth', 'list']);
    expect(list.stdout).toMatch(/^userpass\/\s+userpass\s+\S+/m);
  });

  it('write auth/userpass/users/tester password=changeme policies=superuser', async () => {
    const r = await coffer(['write', 'auth/userpass/users/tester', 'password=changeme', 'policies=superuser']);
    expect(r).toMatchObject({ code: 0, stdout: 'Success! Data written to: auth/userpass/users/tester\n' });
  });

  it('login -method=userpass stores the token in ~/.coffer-token', async () => {
    const r = await coffer(['login', '-method=userpass', 'username=tester', 'password=changeme'], { token: null });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Success! You are now authenticated\./);
    expect(r.stdout).toMatch(/^token_policies\s+\["default" "superuser"\]$/m);
    expect(r.stdout).toMatch(/^token_meta_username\s+tester$/m);
    const shown = /^token\s+(\S+)$/m.exec(r.stdout)?.[1];
    const file = join(home, '.coffer-token');
    expect(readFileSync(file, 'utf8')).toBe(shown);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('later commands authenticate with the stored token', async () => {
    const stored = readFileSync(join(home, '.coffer-token'), 'utf8');
    const r = await coffer(['token', 'lookup', '-format=json'], { token: null });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout).data;
    expect(data.id).toBe(stored);
    expect(data.policies).toContain('superuser');
    const users = await coffer(['list', 'auth/userpass/users'], { token: null });
    expect(users.stdout).toBe('Keys\n----\ntester\n');
  });
});

describe('KV v2 through the CLI', () => {
  it('kv put twice creates versions 1 and 2', async () => {
    const first = await coffer(['kv', 'put', 'secret/myapp', 'foo=bar'], { token: null });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^== Secret Path ==\nsecret\/data\/myapp\n\n=+ Metadata =+\nKey\s+Value\n---\s+-----\n/);
    expect(first.stdout).toMatch(/^version\s+1$/m);
    const second = await coffer(['kv', 'put', 'secret/myapp', 'foo=baz'], { token: null });
    expect(second.stdout).toMatch(/^version\s+2$/m);
  });

  it('kv get -version=1 shows the old value in the Data section', async () => {
    const r = await coffer(['kv', 'get', '-version=1', 'secret/myapp'], { token: null });
    expect(r.code).toBe(0);
    const [metadata, data] = r.stdout.split(/^=+ Data =+$/m);
    expect(metadata).toMatch(/^version\s+1$/m);
    expect(data).toMatch(/^foo\s+bar$/m);
    const latest = await coffer(['kv', 'get', 'secret/myapp'], { token: null });
    expect(latest.stdout).toMatch(/^foo\s+baz$/m);
  });

  it('kv get -field=foo prints the bare value', async () => {
    const r = await coffer(['kv', 'get', '-field=foo', 'secret/myapp'], { token: null });
    expect(r).toEqual({ code: 0, stdout: 'baz', stderr: '' });
  });
});

describe('JSON output and errors', () => {
  it('read -format=json sys/seal-status', async () => {
    const r = await coffer(['read', '-format=json', 'sys/seal-status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\{\n {2}"request_id"/);
    expect(JSON.parse(r.stdout).data).toMatchObject({ initialized: true, sealed: false });
  });

  it('a token without access gets Vault’s error layout and exit 2', async () => {
    const created = await coffer(['token', 'create', '-policy=default', '-field=token']);
    expect(created.code).toBe(0);
    const weak = created.stdout;
    expect(weak).not.toBe('');
    const r = await coffer(['read', 'secret/data/myapp'], { token: weak });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'Error reading secret/data/myapp: Error making API request.\n\n' +
        `URL: GET ${server.addr}/v1/secret/data/myapp\n` +
        'Code: 403. Errors:\n\n* permission denied\n',
    );
  });
});
