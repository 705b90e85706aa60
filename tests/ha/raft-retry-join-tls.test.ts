import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReplicationCa, issueClientCert, issueServerCert } from '../../server/replication/ca';
import { COFFER_BIN, REPO_ROOT } from '../support/cluster';
import { freePortPair, quietPort } from '../support/ports';
import { waitFor } from './raft-nodes';

// Seed 002's retry_join stanzas as written, over TLS: leader_api_addr with
// leader_ca_cert_file / leader_client_cert_file / leader_client_key_file, the
// first stanza pointing at a node that is not there (every stanza is tried).

const dir = mkdtempSync(join(tmpdir(), 'coffer-rj-tls-'));
const procs: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => (p.once('exit', r), p.kill('SIGTERM'))) : null)));
});

const ca = createReplicationCa('rj-tls');
function call(port: number, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const r = request({ host: '127.0.0.1', port, path: `/v1/${path}`, method, ca: ca.certPem, headers: { ...(token ? { 'X-Vault-Token': token } : {}), ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: t ? JSON.parse(t) : null }));
    });
    r.on('error', reject);
    r.end(payload);
  });
}

async function startTlsNode(name: string, port: number, joins: string[]): Promise<void> {
  const d = join(dir, name);
  mkdirSync(d, { mode: 0o700 });
  const leaf = issueServerCert(ca, ['127.0.0.1']);
  const client = issueClientCert(ca, name);
  for (const [f, pem] of [['cert.pem', leaf.certPem], ['key.pem', leaf.keyPem], ['ca.pem', ca.certPem], ['client.pem', client.certPem], ['client-key.pem', client.keyPem]]) writeFileSync(join(d, f), pem, { mode: 0o600 });
  const stanzas = joins
    .map((a) => `  retry_join {\n    leader_api_addr = "${a}"\n    leader_ca_cert_file = "${d}/ca.pem"\n    leader_client_cert_file = "${d}/client.pem"\n    leader_client_key_file = "${d}/client-key.pem"\n  }\n`)
    .join('');
  const config = join(d, 'coffer.hcl');
  writeFileSync(
    config,
    `storage "raft" {\n  path = "${d}"\n  node_id = "${name}"\n  etcd_peer_address = "127.0.0.1:${await quietPort()}"\n  etcd_client_address = "127.0.0.1:${await quietPort()}"\n${stanzas}}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  cluster_address = "127.0.0.1:${port + 1}"\n  tls_cert_file = "${d}/cert.pem"\n  tls_key_file = "${d}/key.pem"\n}\napi_addr = "https://127.0.0.1:${port}"\ncluster_addr = "https://127.0.0.1:${port + 1}"\nlog_level = "warn"\n`,
  );
  procs.push(spawn(COFFER_BIN, ['server', `-config=${config}`], { cwd: REPO_ROOT, stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } }));
  await waitFor(`${name} to answer over https`, async () => (await call(port, 'GET', 'sys/health?uninitcode=200&sealedcode=200')).status === 200);
}

describe('retry_join over TLS', () => {
  it('seed 002 retry_join stanzas with leader_ca_cert_file and client certificate files join over https, trying every stanza', async () => {
    const pa = await freePortPair();
    const pb = await freePortPair();
    const nowhere = await freePortPair();
    await startTlsNode('node-a', pa, []);
    await startTlsNode('node-b', pb, [`https://127.0.0.1:${nowhere}`, `https://127.0.0.1:${pa}`]);
    const init = await call(pa, 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
    expect(init.status).toBe(200);
    expect((await call(pa, 'PUT', 'sys/unseal', { key: init.body.keys[0] })).body.sealed).toBe(false);
    await waitFor('node-b to get a challenge', async () => (await call(pb, 'GET', 'sys/seal-status')).body.initialized === true);
    const unsealed = await call(pb, 'PUT', 'sys/unseal', { key: init.body.keys[0] });
    expect(unsealed.status, JSON.stringify(unsealed.body)).toBe(200);
    expect(unsealed.body.sealed).toBe(false);
    const conf = await call(pb, 'GET', 'sys/storage/raft/configuration', undefined, init.body.root_token);
    expect(conf.status).toBe(200);
    expect(conf.body.data.config.servers.map((s: { node_id: string; voter: boolean }) => [s.node_id, s.voter]).sort()).toEqual([['node-a', true], ['node-b', true]]);
  }, 300_000);
});
