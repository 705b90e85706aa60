import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationCa, issueServerCert } from '../../server/replication/ca';
import { api, COFFER_BIN, REPO_ROOT, startConfiguredServer, type ConfiguredServer } from '../support/cluster';
import { freePortPair } from '../support/ports';
import { openConnection, rawExchange, within } from '../support/raw-http';
import { waitFor } from '../support/replication';

// Issue 7 item 10: the API listener's edges. Slow and silent clients are cut
// off by Vault's http_* timeouts (set short here in the listener stanza), and
// requests that break the parser or the path rules get a 4xx in Vault's
// {"errors":[...]} shape — never a 500, a bare parser reply or a hung socket.
// Generous upper bounds: only "closed at all, and not before the timeout" is
// asserted, never how fast, so a loaded 2-core box passes.
const HEADER_TIMEOUT_MS = 1_000;
const READ_TIMEOUT_MS = 2_000;
const IDLE_TIMEOUT_MS = 1_000;
const WRITE_TIMEOUT_MS = 3_000;
const CLOSE_WITHIN_MS = 20_000;

let server: ConfiguredServer;
let token: string;

beforeAll(async () => {
  server = await startConfiguredServer({
    name: 'edges',
    listenerExtra: `  http_read_header_timeout = "${HEADER_TIMEOUT_MS}ms"\n  http_read_timeout = "${READ_TIMEOUT_MS / 1000}s"\n  http_idle_timeout = "${IDLE_TIMEOUT_MS / 1000}s"\n  http_write_timeout = "${WRITE_TIMEOUT_MS / 1000}s"`,
  });
  const init = await api(server.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  token = init.body.root_token;
  await api(server.addr, 'PUT', 'sys/unseal', { body: { key: init.body.keys_base64[0] } });
  await api(server.addr, 'POST', 'sys/mounts/secret', { token, body: { type: 'kv', options: { version: '2' } } });
});
afterAll(async () => {
  await server?.stop();
});

const health = async () => (await api(server.addr, 'GET', 'sys/health')).status;

describe('slow and silent clients (http_read_header_timeout, http_read_timeout, http_write_timeout, http_idle_timeout)', () => {
  it('slowloris: headers sent a byte at a time are cut off at http_read_header_timeout, unanswered', async () => {
    const c = await openConnection(server.port);
    c.socket.write('GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => c.socket.writable && c.socket.write('X'), 100);
    try {
      const after = await within(c.closedAfter, CLOSE_WITHIN_MS, 'slow-header connection closed');
      expect(after).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 50);
      expect(c.received()).toBe('');
    } finally {
      clearInterval(drip);
    }
  });

  it('a connection that never sends a byte is closed at http_read_header_timeout', async () => {
    const c = await openConnection(server.port);
    const after = await within(c.closedAfter, CLOSE_WITHIN_MS, 'silent connection closed');
    expect(after).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 50);
  });

  it('a body that trickles in is cut off at http_read_timeout and nothing is written', async () => {
    const c = await openConnection(server.port);
    const body = JSON.stringify({ data: { slow: 'x'.repeat(200) } });
    c.socket.write(`POST /v1/secret/data/slow-body HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\nContent-Length: ${body.length}\r\n\r\n`);
    let i = 0;
    const drip = setInterval(() => c.socket.writable && i < body.length - 1 && c.socket.write(body[i++]), 100);
    try {
      const after = await within(c.closedAfter, CLOSE_WITHIN_MS, 'slow-body connection closed');
      expect(after).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 50);
      expect(c.received()).toBe('');
    } finally {
      clearInterval(drip);
    }
    expect((await api(server.addr, 'GET', 'secret/data/slow-body', { token })).status).toBe(404);
  });

  it('an idle keep-alive connection is closed after http_idle_timeout; a busy one is not', async () => {
    const c = await openConnection(server.port);
    const ask = () => c.socket.write('GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n');
    // Busy: a request every 300 ms for 3 s, well past every timeout, all answered on one connection.
    for (let n = 1; n <= 10; n++) {
      ask();
      await waitFor(`answer ${n}`, async () => c.received().split('HTTP/1.1 200').length - 1 >= n, CLOSE_WITHIN_MS, 20);
      await new Promise((r) => setTimeout(r, 300));
    }
    // Then idle.
    const after = await within(c.closedAfter, CLOSE_WITHIN_MS, 'idle keep-alive connection closed');
    expect(after).toBeGreaterThanOrEqual(3_000 + IDLE_TIMEOUT_MS - 50);
  });

  it('a client that stops reading its responses is cut off at http_write_timeout', async () => {
    const blob = 'x'.repeat(700 * 1024);
    expect((await api(server.addr, 'POST', 'secret/data/big', { token, body: { data: { blob } } })).status).toBe(200);
    const c = await openConnection(server.port);
    let broken = false;
    c.socket.on('error', () => (broken = true));
    c.socket.pause(); // read nothing: ~20 MiB of answers cannot fit the socket buffers
    const started = Date.now();
    c.socket.write(`GET /v1/secret/data/big HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\n\r\n`.repeat(30));
    // A paused socket notices the server's reset on its next write; blank lines between requests are allowed.
    await waitFor('the server to drop the stalled connection', async () => (c.socket.write('\r\n'), broken || c.socket.destroyed), CLOSE_WITHIN_MS, 200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(WRITE_TIMEOUT_MS - 50);
    c.socket.destroy();
    expect(await health()).toBe(200);
  });

  it('400 idle connections are all closed and do not exhaust the server', async () => {
    const conns = await Promise.all(Array.from({ length: 400 }, () => openConnection(server.port)));
    await within(Promise.all(conns.map((c) => c.closedAfter)), CLOSE_WITHIN_MS * 2, 'all 400 idle connections closed');
    expect(await health()).toBe(200);
  });
});

describe('requests the parser or the path rules refuse get Vault-shaped 4xx', () => {
  it('malformed %-escapes → 400 naming the escape', async () => {
    const r = await api(server.addr, 'GET', 'secret/data/%zz', { token });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ errors: ['invalid URL escape "%zz"'] });
    const utf8 = await api(server.addr, 'GET', 'secret/data/%ff%fe', { token });
    expect(utf8.status).toBe(400);
    expect(utf8.body.errors).toHaveLength(1);
    const trailing = await rawExchange(server.port, `GET /v1/secret/data/a% HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\nConnection: close\r\n\r\n`);
    expect(trailing.status).toBe(400);
    expect(JSON.parse(trailing.body)).toEqual({ errors: ['invalid URL escape "%"'] });
  });

  it('JSON nested 10,000 deep → 400, nothing written; 100 deep still works', async () => {
    const deep = (n: number) => `{"data":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
    const r = await api(server.addr, 'POST', 'secret/data/deep', { token, body: deep(10_000) });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/^failed to parse JSON input: JSON input exceeded allowed nesting depth of \d+$/);
    const arrays = await api(server.addr, 'POST', 'secret/data/deep', { token, body: `{"data":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}` });
    expect(arrays.status).toBe(400);
    expect((await api(server.addr, 'GET', 'secret/data/deep', { token })).status).toBe(404);
    expect((await api(server.addr, 'POST', 'secret/data/deep', { token, body: deep(100) })).status).toBe(200);
  });

  it('an unknown method (FOO) → 405 {"errors":[]}, as Vault answers it', async () => {
    const r = await rawExchange(server.port, 'FOO /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.status).toBe(405);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({ errors: [] });
  });

  it('CONNECT → 405 {"errors":[]} (node would drop it without a word)', async () => {
    for (const target of ['/v1/sys/health', '127.0.0.1:443']) {
      const r = await rawExchange(server.port, `CONNECT ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(r.status, target).toBe(405);
      expect(JSON.parse(r.body)).toEqual({ errors: [] });
    }
  });

  it('methods the parser knows but Vault does not (OPTIONS, PROPFIND) → 405 {"errors":[]}', async () => {
    for (const m of ['OPTIONS', 'PROPFIND', 'TRACE']) {
      const r = await rawExchange(server.port, `${m} /v1/sys/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(r.status, m).toBe(405);
      expect(JSON.parse(r.body), m).toEqual({ errors: [] });
    }
  });

  it('a garbage request line → 400 in Vault shape, not a bare parser reply', async () => {
    const r = await rawExchange(server.port, 'GET /v1/sys/health HTTP/9\x00\r\n\r\n');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ errors: ['malformed HTTP request'] });
  });

  it('"a..b" names and %2e%2e traversal → 400 "path cannot contain parent references"; nothing stored', async () => {
    const policy = 'path "secret/*" { capabilities = ["read"] }';
    const put = await api(server.addr, 'PUT', 'sys/policies/acl/a..b', { token, body: { policy } });
    expect(put).toMatchObject({ status: 400, body: { errors: ['path cannot contain parent references'] } });
    for (const path of ['secret/data/a..b', 'auth/token/roles/a..b']) {
      const r = await api(server.addr, 'POST', path, { token, body: { data: { a: 1 }, policy } });
      expect(r.status, path).toBe(400);
      expect(r.body, path).toEqual({ errors: ['path cannot contain parent references'] });
    }
    // fetch() would resolve these itself; a raw client sends them as written.
    const body = JSON.stringify({ policy });
    for (const path of ['secret/data/x/../../../sys/policies/acl/sneaky', 'secret/data/x/%2e%2e/%2E%2e/%2e%2e/sys/policies/acl/sneaky']) {
      const r = await rawExchange(
        server.port,
        `PUT /v1/${path} HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.body), path).toEqual({ errors: ['path cannot contain parent references'] });
    }
    const list = await api(server.addr, 'GET', 'sys/policies/acl?list=true', { token });
    expect(list.body.data.keys).not.toContain('a..b');
    expect(list.body.data.keys).not.toContain('sneaky');
  });

  it('an Upgrade nobody takes → 400 in Vault shape and the connection closes (no hung socket)', async () => {
    const r = await rawExchange(server.port, 'GET /v1/sys/health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ errors: ['unsupported upgrade request'] });
  });

  it('oversized headers → 431 in Vault shape', async () => {
    const r = await rawExchange(server.port, `GET /v1/sys/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
    expect(r.status).toBe(431);
    expect(JSON.parse(r.body)).toEqual({ errors: ['request header fields too large'] });
  });

  it('keeps serving and logged no internal error', async () => {
    expect(await health()).toBe(200);
    expect(server.output()).not.toMatch(/internal error/);
  });
});

describe('TLS listener', () => {
  it('a connection that never completes the TLS handshake is closed at http_read_header_timeout', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-edges-tls-'));
    const leaf = issueServerCert(createReplicationCa('edges'), ['localhost', '127.0.0.1']);
    writeFileSync(join(dir, 'cert.pem'), leaf.certPem);
    writeFileSync(join(dir, 'key.pem'), leaf.keyPem);
    const port = await freePortPair();
    writeFileSync(
      join(dir, 'tls.hcl'),
      `storage "raft" {\n  path = "${dir}/data"\n  node_id = "tls"\n}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_cert_file = "${dir}/cert.pem"\n  tls_key_file = "${dir}/key.pem"\n  http_read_header_timeout = "${HEADER_TIMEOUT_MS}ms"\n}\napi_addr = "https://localhost:${port}"\n`,
    );
    const proc = spawn(COFFER_BIN, ['server', `-config=${join(dir, 'tls.hcl')}`], { cwd: REPO_ROOT, stdio: 'ignore' });
    try {
      const c = await waitFor('the TLS listener', () => openConnection(port), 30_000, 200);
      const after = await within(c.closedAfter, CLOSE_WITHIN_MS, 'TCP connection without a handshake closed');
      expect(after).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 50);
    } finally {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  });
});
