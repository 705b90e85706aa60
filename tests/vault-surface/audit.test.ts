import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, statSync, existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoffer } from '../support/cli';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { pair, waitFor } from '../support/replication';

// Issue 10 item 1: audit devices as Vault has them. Real server processes; the
// log files are read back and grepped for anything that must never be there.
const SECRET = 'kv-secret-value-7f3a91';
const PASSWORD = 'alice-password-c0ffee';
const INTERNAL_ERROR = { errors: ['1 error occurred:\n\t* internal error\n\n'] }; // Vault's answer when no device can log

type Entry = Record<string, any>;
const entriesIn = (file: string): Entry[] =>
  existsSync(file) && statSync(file).isFile()
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
const byRequest = (file: string, id: string) => entriesIn(file).filter((e) => e.request?.id === id);

let server: ConfiguredServer;
let root = '';
let unsealKey = '';
const dir = mkdtempSync(join(tmpdir(), 'coffer-audit-'));
const logFile = join(dir, 'audit.log');
const as = (token = root) => ({ token });

async function unseal(s: ConfiguredServer) {
  expect((await api(s.addr, 'PUT', 'sys/unseal', { body: { key: unsealKey } })).body.sealed).toBe(false);
  await waitFor('unsealed and serving', async () => (await api(s.addr, 'GET', 'sys/mounts', as())).status === 200);
}

beforeAll(async () => {
  server = await startConfiguredServer({ name: 'audit' });
  const init = await api(server.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  root = init.body.root_token;
  unsealKey = init.body.keys_base64[0];
  await unseal(server);
  for (const [path, body] of [
    ['sys/mounts/secret', { type: 'kv', options: { version: '2' } }],
    ['sys/auth/userpass', { type: 'userpass' }],
    ['auth/userpass/users/alice', { password: PASSWORD, policies: 'default' }],
    ['sys/policies/acl/auditor', { policy: 'path "sys/audit*" { capabilities = ["create", "read", "update", "delete", "list"] }' }],
  ] as const)
    expect((await api(server.addr, 'POST', path, { ...as(), body })).status, path).toBeLessThan(300);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('audit devices', () => {
  it('enabling, listing and disabling need sudo, as in Vault', async () => {
    const t = await api(server.addr, 'POST', 'auth/token/create', { ...as(), body: { policies: ['auditor'] } });
    const auditor = t.body.auth.client_token;
    expect((await api(server.addr, 'GET', 'sys/audit', as(auditor))).status).toBe(403);
    const r = await api(server.addr, 'PUT', 'sys/audit/sneaky', { ...as(auditor), body: { type: 'file', options: { file_path: join(dir, 'sneaky.log') } } });
    expect(r.status).toBe(403);
    expect(existsSync(join(dir, 'sneaky.log'))).toBe(false);
  });

  it('a file device is enabled with Vault fields and listed as Vault lists it; the file is 0600', async () => {
    const r = await api(server.addr, 'PUT', 'sys/audit/file', { ...as(), body: { type: 'file', description: 'main log', options: { file_path: logFile } } });
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    const list = await api(server.addr, 'GET', 'sys/audit', as());
    expect(list.status).toBe(200);
    expect(list.body.data['file/']).toEqual({ type: 'file', description: 'main log', options: { file_path: logFile }, local: false, path: 'file/' });
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
    expect((await api(server.addr, 'PUT', 'sys/audit/file', { ...as(), body: { type: 'file', options: { file_path: logFile } } })).body).toEqual({ errors: ['path already in use'] });
    expect((await api(server.addr, 'PUT', 'sys/audit/nope', { ...as(), body: { type: 'nope' } })).status).toBe(400);
  });

  it('a device whose destination cannot be opened is refused at enable (socket to a closed port; syslog without /dev/log)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const sock = await api(server.addr, 'PUT', 'sys/audit/sock', { ...as(), body: { type: 'socket', options: { address: `127.0.0.1:${closed}`, socket_type: 'tcp' } } });
    expect(sock.status).toBe(400);
    expect(sock.body.errors[0]).toMatch(/error connecting to tcp socket/);
    if (!existsSync('/dev/log')) {
      const sys = await api(server.addr, 'PUT', 'sys/audit/syslog', { ...as(), body: { type: 'syslog' } });
      expect(sys.status).toBe(400);
      expect(sys.body.errors[0]).toMatch(/no local syslog socket at \/dev\/log/);
    }
    expect(Object.keys((await api(server.addr, 'GET', 'sys/audit', as())).body.data)).toEqual(['file/']);
  });

  it('each request writes one request line before and one response line after, with Vault fields, and no secret, password or token in clear', async () => {
    const write = await api(server.addr, 'POST', 'secret/data/app', { ...as(), body: { data: { api_key: SECRET } } });
    const read = await api(server.addr, 'GET', 'secret/data/app', as());
    expect(read.body.data.data.api_key).toBe(SECRET);
    const login = await api(server.addr, 'POST', 'auth/userpass/login/alice', { body: { password: PASSWORD } });
    const user = login.body.auth;
    expect((await api(server.addr, 'GET', 'auth/token/lookup-self', as(user.client_token))).status).toBe(200);
    const created = (await api(server.addr, 'POST', 'auth/token/create', { ...as(), body: { policies: ['default'], ttl: '1h' } })).body.auth;
    expect(created.client_token).toBeTruthy();

    for (const r of [write, read, login]) {
      const lines = byRequest(logFile, r.body.request_id);
      expect(lines.map((e) => e.type), r.body.request_id).toEqual(['request', 'response']);
      for (const e of lines) {
        expect(new Date(e.time).toISOString()).toBe(e.time);
        expect(e.request).toMatchObject({ id: r.body.request_id, namespace: { id: 'root' }, remote_address: '127.0.0.1' });
      }
    }
    const [wReq, wRes] = byRequest(logFile, write.body.request_id);
    expect(wReq.request).toMatchObject({ operation: 'update', path: 'secret/data/app', mount_type: 'kv' });
    expect(wReq.request.data.data.api_key).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(wReq.auth).toMatchObject({ policies: ['root'], token_type: 'service' });
    expect(wReq.auth.client_token).toMatch(/^hmac-sha256:/);
    expect(wReq.auth.accessor).toMatch(/^hmac-sha256:/);
    expect(wRes.response.data.version).toBe(1);
    const [, rRes] = byRequest(logFile, read.body.request_id);
    expect(rRes.response.data.data.api_key).toBe(wReq.request.data.data.api_key);
    const [lReq, lRes] = byRequest(logFile, login.body.request_id);
    expect(lReq.request.data.password).toMatch(/^hmac-sha256:/);
    expect(lRes.response.auth.client_token).toMatch(/^hmac-sha256:/);
    expect(lRes.response.auth.accessor).toMatch(/^hmac-sha256:/);
    expect(lRes.response.auth.policies).toEqual(['default']);
    const createdLine = entriesIn(logFile).filter((e) => e.type === 'response' && e.request.path === 'auth/token/create').at(-1)!;
    expect(createdLine.response.auth.client_token).toMatch(/^hmac-sha256:/);
    expect(createdLine.response.auth.policies).toEqual(['default']);

    // A request refused before its handler is logged too, with Vault's error and the bad token hashed.
    const denied = await api(server.addr, 'GET', 'secret/data/app', as('not-a-real-token-5150'));
    expect(denied.status).toBe(403);
    const [dReq] = byRequest(logFile, denied.headers.get('x-request-id')!);
    expect(dReq).toMatchObject({ type: 'request', error: 'permission denied' });
    expect(dReq.request.client_token).toMatch(/^hmac-sha256:/);

    const text = readFileSync(logFile, 'utf8');
    for (const clear of [SECRET, PASSWORD, root, 'not-a-real-token-5150', user.client_token, user.accessor, created.client_token, created.accessor])
      expect(text.includes(clear), `found ${clear.slice(0, 6)}… in clear`).toBe(false);
  });

  it('sys/audit-hash computes the HMAC the file shows', async () => {
    const h = await api(server.addr, 'POST', 'sys/audit-hash/file', { ...as(), body: { input: SECRET } });
    expect(h.status).toBe(200);
    const wReq = entriesIn(logFile).find((e) => e.type === 'request' && e.request.path === 'secret/data/app' && e.request.operation === 'update')!;
    expect(h.body.data.hash).toBe(wReq.request.data.data.api_key);
    expect((await api(server.addr, 'POST', 'sys/audit-hash/absent', { ...as(), body: { input: 'x' } })).status).toBe(400);
  });

  it('log_raw=true logs values in clear on that device only', async () => {
    const rawFile = join(dir, 'raw.log');
    expect((await api(server.addr, 'PUT', 'sys/audit/raw', { ...as(), body: { type: 'file', options: { file_path: rawFile, log_raw: 'true' } } })).status).toBe(204);
    const w = await api(server.addr, 'POST', 'secret/data/raw', { ...as(), body: { data: { v: 'raw-visible-value-1234' } } });
    expect(byRequest(rawFile, w.body.request_id)[0].request.data.data.v).toBe('raw-visible-value-1234');
    expect(readFileSync(logFile, 'utf8')).not.toContain('raw-visible-value-1234');
    expect((await api(server.addr, 'DELETE', 'sys/audit/raw', as())).status).toBe(204);
    expect(Object.keys((await api(server.addr, 'GET', 'sys/audit', as())).body.data)).toEqual(['file/']);
  });

  it("a mount's audit_non_hmac_request_keys / _response_keys keep those keys in clear", async () => {
    const tune = await api(server.addr, 'POST', 'sys/mounts/secret/tune', { ...as(), body: { audit_non_hmac_request_keys: ['public'], audit_non_hmac_response_keys: 'created_time' } });
    expect(tune.status).toBe(204);
    const read = await api(server.addr, 'GET', 'sys/mounts/secret/tune', as());
    expect(read.body.data).toMatchObject({ audit_non_hmac_request_keys: ['public'], audit_non_hmac_response_keys: ['created_time'] });
    const w = await api(server.addr, 'POST', 'secret/data/tuned', { ...as(), body: { data: { public: 'shown-in-clear', private: 'kept-hidden-4242' } } });
    const [req, res] = byRequest(logFile, w.body.request_id);
    expect(req.request.data.data.public).toBe('shown-in-clear');
    expect(req.request.data.data.private).toMatch(/^hmac-sha256:/);
    expect(res.response.data.created_time).toBe(w.body.data.created_time);
    expect(readFileSync(logFile, 'utf8')).not.toContain('kept-hidden-4242');
  });

  it('SIGHUP after logrotate renames the file makes a new file', async () => {
    const rotated = logFile + '.1';
    renameSync(logFile, rotated);
    server.proc.kill('SIGHUP');
    const id = await waitFor('a new audit.log with a fresh request', async () => {
      const r = await api(server.addr, 'GET', 'secret/data/app', as());
      return byRequest(logFile, r.body.request_id).length === 2 ? r.body.request_id : null;
    });
    expect(byRequest(rotated, id)).toEqual([]);
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
  });

  it('when no device can log, requests fail with 500 and the handler never runs (even disabling is refused, as in Vault)', async () => {
    // The path becomes a directory: reopening it (SIGHUP) fails, and so does every write.
    renameSync(logFile, logFile + '.2');
    mkdirSync(logFile);
    server.proc.kill('SIGHUP');
    await waitFor('requests to be blocked', async () => (await api(server.addr, 'GET', 'secret/data/app', as())).status === 500);
    const w = await api(server.addr, 'POST', 'secret/data/blocked', { ...as(), body: { data: { v: 'must-not-be-written' } } });
    expect(w.status).toBe(500);
    expect(w.body).toEqual(INTERNAL_ERROR);
    expect((await api(server.addr, 'DELETE', 'sys/audit/file', as())).status).toBe(500);
    expect((await api(server.addr, 'GET', 'sys/health')).status).toBe(200); // unaudited, as in Vault: the server is alive
    rmdirSync(logFile); // the destination is writable again: the device recovers on its next write
    await waitFor('requests to be served again', async () => (await api(server.addr, 'GET', 'secret/data/app', as())).status === 200);
    expect((await api(server.addr, 'GET', 'secret/data/blocked', as())).status).toBe(404);
    expect(Object.keys((await api(server.addr, 'GET', 'sys/audit', as())).body.data)).toEqual(['file/']);
    expect(entriesIn(logFile).some((e) => e.request.path === 'secret/data/blocked' && e.request.operation !== 'read')).toBe(false);
  });

  it('coffer audit enable | list | disable speak Vault\'s grammar and wording', async () => {
    const home = mkdtempSync(join(tmpdir(), 'coffer-audit-cli-'));
    const cli = (args: string[]) => runCoffer(args, { addr: server.addr, home, token: root });
    const cliFile = join(dir, 'cli.log');
    const en = await cli(['audit', 'enable', '-path=cli', '-description=from the cli', 'file', `file_path=${cliFile}`, 'mode=0640']);
    expect(en.stdout.trim(), en.stderr).toBe('Success! Enabled the file audit device at: cli/');
    expect(statSync(cliFile).mode & 0o777).toBe(0o640);
    const list = await cli(['audit', 'list']);
    expect(list.stdout).toMatch(/^Path\s+Type\s+Description\n----\s+----\s+-----------\n/);
    expect(list.stdout).toMatch(/cli\/\s+file\s+from the cli/);
    const detailed = await cli(['audit', 'list', '-detailed']);
    expect(detailed.stdout).toMatch(/cli\/\s+file\s+from the cli\s+replicated\s+file_path=\S+cli\.log mode=0640/);
    const dis = await cli(['audit', 'disable', 'cli']);
    expect(dis.stdout.trim()).toBe('Success! Disabled audit device (if it was enabled) at: cli/');
    expect((await cli(['audit', 'list'])).stdout).not.toContain('cli/');
  });

  it('the audit table is stored behind the barrier and restored at unseal after a restart', { timeout: 90_000 }, async () => {
    await server.stop();
    server = await server.restart();
    await unseal(server);
    const list = await api(server.addr, 'GET', 'sys/audit', as());
    expect(list.body.data['file/']).toMatchObject({ type: 'file', options: { file_path: logFile } });
    const r = await api(server.addr, 'GET', 'secret/data/app', as());
    expect(byRequest(logFile, r.body.request_id).map((e) => e.type)).toEqual(['request', 'response']);
  });

  it('a socket device whose collector goes away blocks requests until it is back', { timeout: 60_000 }, async () => {
    const received: string[] = [];
    const conns = new Set<Socket>();
    const listen = (port = 0) =>
      new Promise<Server>((resolve) => {
        const s = createServer((c) => {
          conns.add(c);
          c.on('data', (d) => received.push(String(d)));
          c.on('close', () => conns.delete(c));
        });
        s.listen(port, '127.0.0.1', () => resolve(s));
      });
    let collector = await listen();
    const port = (collector.address() as { port: number }).port;
    expect((await api(server.addr, 'PUT', 'sys/audit/sock', { ...as(), body: { type: 'socket', options: { address: `127.0.0.1:${port}`, socket_type: 'tcp' } } })).status).toBe(204);
    expect((await api(server.addr, 'DELETE', 'sys/audit/file', as())).status).toBe(204); // the socket is now the only device
    const r = await api(server.addr, 'GET', 'secret/data/app', as());
    await waitFor('the collector to get both entries', async () => received.join('').includes(r.body.request_id) && received.join('').split('\n').filter((l) => l.includes(r.body.request_id)).length === 2);

    await new Promise<void>((resolve) => {
      collector.close(() => resolve());
      for (const c of conns) c.destroy();
    });
    await waitFor('requests to be blocked', async () => (await api(server.addr, 'GET', 'secret/data/app', as())).status === 500);
    expect((await api(server.addr, 'POST', 'secret/data/sock-blocked', { ...as(), body: { data: { v: 'x' } } })).body).toEqual(INTERNAL_ERROR);

    collector = await listen(port);
    await waitFor('requests to be served again', async () => (await api(server.addr, 'GET', 'secret/data/app', as())).status === 200);
    expect((await api(server.addr, 'GET', 'secret/data/sock-blocked', as())).status).toBe(404);
    expect((await api(server.addr, 'DELETE', 'sys/audit/sock', as())).status).toBe(204);
    expect((await api(server.addr, 'GET', 'sys/audit', as())).body.data).toEqual({});
    await new Promise<void>((resolve) => {
      collector.close(() => resolve());
      for (const c of conns) c.destroy();
    });
  });
});

// Both dev servers run on this machine, so one absolute file_path is valid on
// each: a replicated device opens the same path on the primary and on the
// secondary, and each process appends its own lines. A read sent only to the
// secondary (reads are never forwarded) shows the secondary logging itself.
describe('audit devices across performance replication', () => {
  let primary: DevServer;
  let secondary: DevServer;
  const replDir = mkdtempSync(join(tmpdir(), 'coffer-audit-repl-'));
  const shared = join(replDir, 'shared.log');
  const primaryOnly = join(replDir, 'primary-local.log');
  const tok = () => ({ token: primary.rootToken }); // the dev secondary accepts the primary's dev root token (seed 003)

  beforeAll(async () => {
    [primary, secondary] = await Promise.all([startDevServer(), startDevServer()]);
    await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, 'performance', 'audit-east');
  }, 120_000);

  afterAll(async () => {
    await Promise.all([primary?.stop(), secondary?.stop()]);
  });

  it('a non-local device enabled on the primary appears on the secondary, which logs its own requests with the same salt; a local one stays home', { timeout: 90_000 }, async () => {
    expect((await api(primary.addr, 'PUT', 'sys/audit/shared', { ...tok(), body: { type: 'file', options: { file_path: shared } } })).status).toBe(204);
    expect((await api(primary.addr, 'PUT', 'sys/audit/mine', { ...tok(), body: { type: 'file', local: true, options: { file_path: primaryOnly } } })).status).toBe(204);
    const listed = await waitFor('the secondary to list the replicated device', async () => {
      const r = await api(secondary.addr, 'GET', 'sys/audit', tok());
      return r.status === 200 && r.body.data['shared/'] ? r.body.data : null;
    }, 30_000);
    expect(listed['shared/']).toMatchObject({ type: 'file', local: false });
    expect(listed['mine/']).toBeUndefined();

    const path = `secret/data/read-on-secondary-${Date.now()}`;
    const r = await api(secondary.addr, 'GET', path, tok());
    expect(r.status).toBe(404);
    await waitFor('the secondary to log its read', async () => entriesIn(shared).filter((e) => e.request.path === path).length === 2);
    expect(entriesIn(primaryOnly).some((e) => e.request.path === path)).toBe(false);

    // One salt for the replicated device: both clusters hash a value alike.
    const [hp, hs] = await Promise.all([primary, secondary].map((s) => api(s.addr, 'POST', 'sys/audit-hash/shared', { ...tok(), body: { input: 'same everywhere' } })));
    expect(hs.body.data.hash).toBe(hp.body.data.hash);
  });
});
