import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReplicationCa, issueServerCert } from '../../server/replication/ca';
import { COFFER_BIN, REPO_ROOT } from '../support/cluster';
import { freePortPair } from '../support/ports';
import { waitFor } from '../support/replication';

// The API listener speaks HTTPS when the config gives tls_cert_file and
// tls_key_file, and a config with an unsupported stanza refuses to start.
const dir = mkdtempSync(join(tmpdir(), 'coffer-tls-'));
let proc: ReturnType<typeof spawn> | null = null;
afterAll(() => {
  proc?.kill('SIGTERM');
});

function get(port: number, path: string, ca: string): Promise<{ status: number; body: any; protocol: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (res) => {
      const protocol = (res.socket as import('node:tls').TLSSocket).getProtocol() ?? '';
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(t), protocol }));
    });
    r.on('error', reject);
    r.end();
  });
}

describe('API listener TLS', () => {
  it('serves the API over HTTPS with the configured certificate', { timeout: 60_000 }, async () => {
    const ca = createReplicationCa('api-test');
    const leaf = issueServerCert(ca, ['localhost', '127.0.0.1']);
    writeFileSync(join(dir, 'cert.pem'), leaf.certPem);
    writeFileSync(join(dir, 'key.pem'), leaf.keyPem);
    const port = await freePortPair();
    const config = join(dir, 'tls.hcl');
    writeFileSync(
      config,
      `storage "raft" {\n  path = "${dir}/data"\n  node_id = "tls-node"\n}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_cert_file = "${dir}/cert.pem"\n  tls_key_file = "${dir}/key.pem"\n}\napi_addr = "https://localhost:${port}"\n`,
    );
    proc = spawn(COFFER_BIN, ['server', `-config=${config}`], { cwd: REPO_ROOT, stdio: 'ignore' });
    const res = await waitFor('https health', () => get(port, '/v1/sys/health?uninitcode=200', ca.certPem), 30_000, 200);
    expect(res.status).toBe(200);
    expect(res.body.initialized).toBe(false);
    expect(res.protocol).toMatch(/TLSv1\.[23]/);
    await expect(fetch(`http://127.0.0.1:${port}/v1/sys/health`)).rejects.toThrow(); // no plaintext
  });

  it('refuses to start on an unsupported seal stanza, naming it', async () => {
    const config = join(dir, 'kms.hcl');
    writeFileSync(config, `storage "raft" {\n  path = "${dir}/x"\n  node_id = "n"\n}\nlistener "tcp" {\n  address = "127.0.0.1:1"\n  tls_disable = 1\n}\nseal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "12345678-abcd-1234-abcd-123456789101",\n}\n`);
    const child = spawn(COFFER_BIN, ['server', `-config=${config}`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(err).toMatch(/seal "awskms" is not supported/);
  });
});
