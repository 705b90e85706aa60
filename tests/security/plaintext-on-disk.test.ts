import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFromData, type BundleData } from '../../server/replication/bundle';
import { FrameQueue } from '../../server/replication/frame-queue';
import { ALPN, dialCluster } from '../../server/replication/transport';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';
import { dataFiles, findNeedles, initAndUnseal, needles, type Initialised, type Needle } from '../support/disk-scan';
import { converged, enablePrimary, enableSecondary, replStatus, secondaryToken, waitFor } from '../support/replication';

// Item 8: nothing usable is plaintext on disk. Replication state (known
// secondaries, activation-token references, CA and signing keys, bundles) is
// stored behind the barrier like every other entry. Before, the activation
// token's id sat in plaintext JSON in the primary's data file, unwrapped at
// the primary without the token, and the bundle it gave let its holder pull
// the root key over the cluster port and decrypt the data file offline.
const SECRET_BEFORE = 'plaintext-probe-before-replication-7f3a9c';
const SECRET_AFTER = 'plaintext-probe-after-replication-2b8e41';
const WRAPPED_VALUE = 'plaintext-probe-wrapped-value-c5d0e2';
const PASSWORD = 'plaintext-probe-password-91ab44';
const UNWRAP_INVALID = 'wrapping token is not valid or does not exist';

let primary: ConfiguredServer;
let perf: ConfiguredServer;
let dr: ConfiguredServer;
let p: Initialised;
const configDir = mkdtempSync(join(tmpdir(), 'coffer-plain-cfg-'));
// trace: the most verbose logs are scanned too.
const start = (name: string) => startConfiguredServer({ name, configDir: mkdtempSync(join(configDir, `${name}-`)), args: ['-log-level=trace'] });

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { jti: string; accessor: string };
const jtiOf = (jwt: string) => claimsOf(jwt).jti;
const unwrap = (token: string) => api(primary.addr, 'POST', 'sys/wrapping/unwrap', { body: { token } });

beforeAll(async () => {
  [primary, perf, dr] = await Promise.all([start('plain-p'), start('plain-perf'), start('plain-dr')]);
  p = await initAndUnseal(primary);
  expect((await api(primary.addr, 'POST', 'sys/mounts/secret', { token: p.rootToken, body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
  await enablePrimary(primary.addr, p.rootToken, 'performance');
  await enablePrimary(primary.addr, p.rootToken, 'dr');
}, 120_000);
afterAll(async () => {
  await Promise.all([primary?.stop(), perf?.stop(), dr?.stop()]);
});

describe('activation tokens', () => {
  it("an activation-token id is not readable from the primary's data file", async () => {
    const jwt = await secondaryToken(primary.addr, p.rootToken, 'performance', 'never-used');
    const jti = jtiOf(jwt);
    await waitFor('status to list the new secondary', async () => (await replStatus(primary.addr, 'performance')).known_secondaries.includes('never-used'));
    // The live files (WAL included, the server is running): neither the id nor the JWT.
    const hits = findNeedles(dataFiles(primary.dataDir), [...needles('activation jti', jti), ...needles('activation JWT', jwt)]);
    expect(hits).toEqual([]);
    // Knowing the id alone redeems nothing: the bundle opens only through the signed JWT.
    const bare = await unwrap(jti);
    expect(bare.status).toBe(400);
    expect(bare.body.errors).toEqual([UNWRAP_INVALID]);
    expect((await api(primary.addr, 'POST', 'sys/wrapping/lookup', { body: { token: jti } })).status).toBe(400);
    // revoke-secondary still kills the unused token (the primary keeps only its hash, sealed).
    expect((await api(primary.addr, 'POST', 'sys/replication/performance/primary/revoke-secondary', { token: p.rootToken, body: { id: 'never-used' } })).status).toBe(200);
    const revoked = await unwrap(jwt);
    expect(revoked.status).toBe(400);
    expect(revoked.body.errors).toEqual([UNWRAP_INVALID]);
  });

  /** Redeem a fresh activation token the way a secondary does; the bundle is the cluster-port credential. */
  async function redeemBundle(id: string): Promise<BundleData> {
    const jwt = await secondaryToken(primary.addr, p.rootToken, 'performance', id);
    const first = await unwrap(jwt);
    expect(first.status).toBe(200);
    // Single use end to end: a second redemption fails.
    const again = await unwrap(jwt);
    expect(again.status).toBe(400);
    expect(again.body.errors).toEqual([UNWRAP_INVALID]);
    return first.body.data as BundleData;
  }

  /** Say hello on the cluster port with this bundle; returns the primary's first frame after hello-ack. */
  async function hello(data: BundleData, needsBootstrap: boolean) {
    const creds = bundleFromData(data);
    const conn = await dialCluster({ addr: data.primary_cluster_addr, caPem: creds.caCert, certPem: creds.clientCert, keyPem: creds.clientKey, alpn: ALPN.perf, timeoutMs: 10_000 });
    const q = new FrameQueue(conn);
    try {
      await conn.send({ type: 'hello', mode: 'performance', secondaryId: data.id, position: { index: 0, guard: '' }, clusterId: data.cluster_id, apiAddr: '', clusterAddr: '', epoch: 0, needsBootstrap });
      await q.expect('hello-ack', 15_000);
      return await q.next(15_000);
    } finally {
      conn.destroy();
    }
  }

  it('a redeemed bundle pulls the root key over the cluster port once, never again', async () => {
    const data = await redeemBundle('bundle-holder');
    // The activated secondary's own bootstrap: the root key, once.
    expect((await hello(data, true)).type).toBe('bootstrap');
    // Anyone holding a copy of the bundle afterwards: refused, no key.
    const second = await hello(data, true);
    expect(second).toMatchObject({ type: 'refused' });
    expect((second as { reason: string }).reason).toMatch(/already bootstrapped/);
    // The primary still answers and still lists the secondary.
    expect((await replStatus(primary.addr, 'performance')).known_secondaries).toContain('bundle-holder');
  }, 60_000);

  it('a bundle first used by a secondary that already holds the keys (update-primary) never pulls the root key', async () => {
    const data = await redeemBundle('already-keyed');
    expect((await hello(data, false)).type).toBe('sync-required');
    const later = await hello(data, true);
    expect(later).toMatchObject({ type: 'refused' });
    expect((later as { reason: string }).reason).toMatch(/already bootstrapped/);
  }, 60_000);
});

describe('data files, WAL and logs', () => {
  it('no secret, token, key or activation token in any data file, WAL or log after replication', async () => {
    const token = p.rootToken;
    const ok = async (r: Promise<{ status: number; body: any }>, what: string) => {
      const res = await r;
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      return res.body;
    };
    await ok(api(primary.addr, 'POST', 'secret/data/probe', { token, body: { data: { value: SECRET_BEFORE } } }), 'write');
    const child = (await ok(api(primary.addr, 'POST', 'auth/token/create', { token, body: { policies: ['default'] } }), 'token create')).auth;
    const wrapped = (await ok(api(primary.addr, 'POST', 'sys/wrapping/wrap', { token, body: { value: WRAPPED_VALUE }, headers: { 'X-Vault-Wrap-TTL': '10m' } }), 'wrap')).wrap_info;
    await ok(api(primary.addr, 'POST', 'sys/auth/userpass', { token, body: { type: 'userpass' } }), 'userpass');
    await ok(api(primary.addr, 'POST', 'auth/userpass/users/alice', { token, body: { password: PASSWORD, policies: 'default' } }), 'user');
    const login = (await ok(api(primary.addr, 'POST', 'auth/userpass/login/alice', { body: { password: PASSWORD } }), 'login')).auth;

    const [perfInit, drInit] = await Promise.all([initAndUnseal(perf), initAndUnseal(dr)]);
    const perfJwt = await secondaryToken(primary.addr, token, 'performance', 'perf-west');
    const drJwt = await secondaryToken(primary.addr, token, 'dr', 'dr-east');
    const unusedJwt = await secondaryToken(primary.addr, token, 'dr', 'dr-unused');
    await enableSecondary(perf.addr, perfInit.rootToken, 'performance', perfJwt);
    await enableSecondary(dr.addr, drInit.rootToken, 'dr', drJwt);
    await ok(api(primary.addr, 'POST', 'secret/data/probe-after', { token, body: { data: { value: SECRET_AFTER } } }), 'write after');
    await Promise.all([converged(primary.addr, perf.addr, 'performance', 60_000), converged(primary.addr, dr.addr, 'dr', 60_000)]);

    const ns: Needle[] = [
      ...needles('secret value', SECRET_BEFORE),
      ...needles('secret value written while replicating', SECRET_AFTER),
      ...needles('wrapped value', WRAPPED_VALUE),
      ...needles('userpass password', PASSWORD),
      ...needles('root token', p.rootToken),
      ...needles('perf secondary root token', perfInit.rootToken),
      ...needles('DR secondary root token', drInit.rootToken),
      ...needles('child token', child.client_token),
      ...needles('child token accessor', child.accessor),
      ...needles('login token', login.client_token),
      ...needles('wrapping token', wrapped.token),
      ...[p, perfInit, drInit].flatMap((i, n) => [...i.keys.flatMap((k) => needles(`unseal key ${n} (= root key)`, k)), ...i.keysB64.flatMap((k) => needles(`unseal key ${n} b64`, k))]),
      ...[perfJwt, drJwt, unusedJwt].flatMap((jwt, n) => [...needles(`activation JWT ${n}`, jwt), ...needles(`activation jti ${n}`, jtiOf(jwt)), ...needles(`activation accessor ${n}`, claimsOf(jwt).accessor), ...needles(`activation JWT ${n} signature`, jwt.split('.')[2])]),
      { name: 'PEM private key', bytes: Buffer.from('PRIVATE KEY') },
      { name: 'private JWK', bytes: Buffer.from('"kty":"EC"') },
    ];
    const scan = () => [primary, perf, dr].flatMap((s) => dataFiles(s.dataDir));
    // While running: the SQLite WAL and shared-memory files hold the recent pages.
    const live = scan();
    expect(live.some((f) => f.where.endsWith('-wal'))).toBe(true);
    // Control: the scan does see what is meant to be plaintext (the seal config, needed while sealed).
    expect(findNeedles(live, [{ name: 'seal config', bytes: Buffer.from('"secret_threshold"') }])).not.toEqual([]);
    expect(findNeedles(live, ns)).toEqual([]);

    await Promise.all([primary.stop(), perf.stop(), dr.stop()]);
    const outputs = [primary, perf, dr].map((s) => ({ where: `output of ${s.dataDir}`, bytes: Buffer.from(s.output()) }));
    expect(outputs.every((o) => o.bytes.includes('"level":'))).toBe(true); // control: logs were captured
    expect(findNeedles([...scan(), ...outputs], ns)).toEqual([]);
  }, 240_000);
});
