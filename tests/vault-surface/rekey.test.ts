import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { runCoffer } from '../support/cli';
import { converged, pair, replStatus, waitFor } from '../support/replication';

// `coffer operator rekey` / sys/rekey/*: new unseal keys from a quorum of the
// current ones, for this cluster only — as Vault documents, a secondary keeps
// its own seal. One performance pair for the file.
const ROOT = 'root-rekey-' + randomBytes(4).toString('hex');
let primary: DevServer;
let secondary: DevServer;
let home: string;

const coffer = (server: DevServer, args: string[], stdin?: string) =>
  runCoffer(args, { addr: server.addr, home, token: ROOT, stdin });
const sealStatus = async (s: DevServer) => (await api(s.addr, 'GET', 'sys/seal-status')).body;
const unseal = (s: DevServer, body: Record<string, unknown>) => api(s.addr, 'PUT', 'sys/unseal', { body });

beforeAll(async () => {
  [primary, secondary] = await Promise.all([
    startDevServer({ rootToken: ROOT, healthTimeoutMs: 90_000 }),
    startDevServer({ rootToken: ROOT, healthTimeoutMs: 90_000 }),
  ]);
  home = mkdtempSync(join(tmpdir(), 'coffer-rekey-home-'));
  await pair({ addr: primary.addr, token: ROOT }, { addr: secondary.addr, token: ROOT }, 'performance', 'rekey-perf');
}, 180_000);

afterAll(async () => {
  await Promise.all([primary?.stop(), secondary?.stop()]);
});

describe('rekey refusals change nothing', () => {
  it('update with no attempt, a wrong nonce, a wrong key, or PGP keys: 400, seal unchanged', async () => {
    const none = await api(primary.addr, 'PUT', 'sys/rekey/update', { body: { key: primary.unsealKeys[0], nonce: 'x' } });
    expect(none).toMatchObject({ status: 400, body: { errors: ['no barrier rekey in progress'] } });

    const pgp = await api(primary.addr, 'PUT', 'sys/rekey/init', { body: { secret_shares: 3, secret_threshold: 2, pgp_keys: ['abc'] } });
    expect(pgp.status).toBe(400);
    expect((await api(primary.addr, 'GET', 'sys/rekey/init')).body.started).toBe(false);

    const init = await api(primary.addr, 'PUT', 'sys/rekey/init', { body: { secret_shares: 3, secret_threshold: 2 } });
    expect(init.body).toMatchObject({ started: true, n: 3, t: 2, progress: 0, required: 1 });
    const badNonce = await api(primary.addr, 'PUT', 'sys/rekey/update', { body: { key: primary.unsealKeys[0], nonce: 'wrong' } });
    expect(badNonce.status).toBe(400);
    expect(badNonce.body.errors[0]).toMatch(/^incorrect nonce supplied/);
    const wrongKey = await api(primary.addr, 'PUT', 'sys/rekey/update', { body: { key: randomBytes(32).toString('base64'), nonce: init.body.nonce } });
    expect(wrongKey.status).toBe(400);
    expect(await sealStatus(primary)).toMatchObject({ n: 1, t: 1 });

    const cancel = await coffer(primary, ['operator', 'rekey', '-cancel']);
    expect(cancel).toMatchObject({ code: 0, stdout: 'Success! Canceled rekeying (if it was started)\n' });
    const status = await coffer(primary, ['operator', 'rekey', '-status']);
    expect(status.stdout).toMatch(/^Started\s+false$/m);
    const noAttempt = await coffer(primary, ['operator', 'rekey', primary.unsealKeys[0]]);
    expect(noAttempt.code).toBe(1);
    expect(noAttempt.stderr).toMatch(/^No rekey is in progress/);
  });
});

describe('operator rekey', () => {
  it('rekey on the primary changes its unseal keys only; its performance secondary keeps its own seal', async () => {
    const init = await coffer(primary, ['operator', 'rekey', '-init', '-key-shares=3', '-key-threshold=2']);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^New Shares\s+3$/m);
    expect(init.stdout).toMatch(/^New Threshold\s+2$/m);
    expect(init.stdout).toMatch(/^Rekey Progress\s+0\/1$/m);

    const done = await coffer(primary, ['operator', 'rekey', '-'], primary.unsealKeys[0]);
    expect(done.code).toBe(0);
    const keys = [...done.stdout.matchAll(/^Key \d: (\S+)$/gm)].map((m) => m[1]);
    expect(keys).toHaveLength(3);
    expect(done.stdout).toMatch(/with 3 key shares and a key threshold of 2/);
    expect(await sealStatus(primary)).toMatchObject({ n: 3, t: 2 });
    expect(await sealStatus(secondary)).toMatchObject({ n: 1, t: 1 });

    // Replication carries on: a write on the primary reaches the secondary.
    await api(primary.addr, 'PUT', 'secret/data/after-rekey', { token: ROOT, body: { data: { v: 'shipped' } } });
    await waitFor('the write to reach the secondary', async () => (await api(secondary.addr, 'GET', 'secret/data/after-rekey', { token: ROOT })).body?.data?.data?.v === 'shipped');

    // The secondary still unseals with the key it had (the primary's old one).
    expect((await api(secondary.addr, 'PUT', 'sys/seal', { token: ROOT })).status).toBe(204);
    expect((await unseal(secondary, { key: primary.unsealKeys[0] })).body.sealed).toBe(false);

    // The primary: the old key no longer opens it; two of the new ones do.
    expect((await api(primary.addr, 'PUT', 'sys/seal', { token: ROOT })).status).toBe(204);
    expect((await unseal(primary, { key: primary.unsealKeys[0] })).body).toMatchObject({ sealed: true, progress: 1 });
    expect((await unseal(primary, { key: keys[0] })).status).toBe(400);
    expect((await sealStatus(primary)).sealed).toBe(true);
    expect((await unseal(primary, { key: keys[0] })).body).toMatchObject({ sealed: true, progress: 1 });
    expect((await unseal(primary, { key: keys[2] })).body.sealed).toBe(false);
    expect((await api(primary.addr, 'GET', 'secret/data/after-rekey', { token: ROOT })).body.data.data).toEqual({ v: 'shipped' });
    await waitFor('the secondary to stream again', async () => (await replStatus(secondary.addr, 'performance')).state === 'stream-wals', 60_000);
    await converged(primary.addr, secondary.addr, 'performance', 60_000);
  });
});
