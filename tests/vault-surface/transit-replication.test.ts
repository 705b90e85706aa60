import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, pair, replStatus, waitFor } from '../support/replication';

// Issue 10 item 3, replication: transit keys live in the mount's storage view,
// so they replicate to a performance secondary like any mount data. A value
// encrypted on the primary decrypts on the secondary (locally: reads and
// crypto need no write), and a rotate sent to the secondary — a write to a
// replicated key — is refused by its storage and forwarded to the primary,
// where the new version is made once and replicates back.
const MODE = 'performance';
let primary: DevServer;
let secondary: DevServer;
const root = () => ({ token: primary.rootToken }); // the secondary takes the primary's dev root token
const on = (s: DevServer, method: string, path: string, body?: unknown) => api(s.addr, method, path, { ...root(), body });
const b64 = (t: string) => Buffer.from(t).toString('base64');

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startDevServer({ healthTimeoutMs: 60_000 }), startDevServer({ healthTimeoutMs: 60_000 })]);
  expect((await on(primary, 'POST', 'sys/mounts/transit', { type: 'transit' })).status).toBe(204);
  expect((await on(primary, 'POST', 'transit/keys/shared')).status).toBe(200);
  await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, MODE, 'transit-east');
  await converged(primary.addr, secondary.addr, MODE);
}, 120_000);

afterAll(async () => {
  await Promise.all([primary?.stop(), secondary?.stop()]);
});

describe('transit on a performance secondary', () => {
  it('a value encrypted on the primary decrypts on the secondary, and a rotate there is forwarded to the primary', { timeout: 90_000 }, async () => {
    const enc = await on(primary, 'POST', 'transit/encrypt/shared', { plaintext: b64('replicated secret') });
    expect(enc.status).toBe(200);
    const dec = await on(secondary, 'POST', 'transit/decrypt/shared', { ciphertext: enc.body.data.ciphertext });
    expect(dec.status, JSON.stringify(dec.body)).toBe(200);
    expect(Buffer.from(dec.body.data.plaintext, 'base64').toString()).toBe('replicated secret');

    // Encrypting on the secondary is local too, and the primary decrypts it.
    const local = await on(secondary, 'POST', 'transit/encrypt/shared', { plaintext: b64('from the edge') });
    expect(local.status).toBe(200);
    expect(Buffer.from((await on(primary, 'POST', 'transit/decrypt/shared', { ciphertext: local.body.data.ciphertext })).body.data.plaintext, 'base64').toString()).toBe('from the edge');

    const rootBefore = (await replStatus(secondary.addr, MODE)).merkle_root;
    const rot = await on(secondary, 'POST', 'transit/keys/shared/rotate');
    expect(rot.status, JSON.stringify(rot.body)).toBe(200);
    expect((await on(primary, 'GET', 'transit/keys/shared')).body.data.latest_version).toBe(2);
    await waitFor('the rotated key to replicate back', async () => (await on(secondary, 'GET', 'transit/keys/shared')).body.data.latest_version === 2);
    const root = await converged(primary.addr, secondary.addr, MODE);
    expect(root).not.toBe(rootBefore);
    const v2 = await on(secondary, 'POST', 'transit/encrypt/shared', { plaintext: b64('v2') });
    expect(v2.body.data.ciphertext.startsWith('vault:v2:')).toBe(true);
    expect((await on(primary, 'POST', 'transit/decrypt/shared', { ciphertext: v2.body.data.ciphertext })).status).toBe(200);
  });
});
