import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { initAndUnseal } from '../support/disk-scan';
import { converged, enableSecondary, pair, replStatus, secondaryToken, waitFor } from '../support/replication';

// Item 11: a maximum entry size (Vault's raft max_entry_size, 1 MiB default)
// enforced on every storage write with a 413, so no client write — KV v2
// PATCH included — can grow a record past what replication ships. Before,
// two 28 MiB PATCHes made one ~56 MiB record that no replication frame could
// carry, and the secondary stalled forever.
const MiB = 1024 * 1024;
const TOO_LARGE = /^put failed due to value being too large; got \d+ bytes, max: (\d+) bytes$/;
const PATCH_HEADERS = { 'Content-Type': 'application/merge-patch+json' };

let primary: DevServer;
let secondary: DevServer;

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startDevServer(), startDevServer()]);
  await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, 'performance', 'size-west');
}, 120_000);
afterAll(async () => {
  await Promise.all([primary?.stop(), secondary?.stop()]);
});

async function readData(addr: string, token: string, path: string) {
  const r = await api(addr, 'GET', `secret/data/${path}`, { token });
  return r.status === 200 ? { version: r.body.data.metadata.version as number, data: r.body.data.data as Record<string, string> } : null;
}

describe('max_entry_size', () => {
  it('two 28 MiB PATCHes cannot grow a record past max_entry_size: 413, replication keeps streaming', async () => {
    const token = primary.rootToken;
    expect((await api(primary.addr, 'POST', 'secret/data/grow', { token, body: { data: { seed: 'small' } } })).status).toBe(200);

    // Each PATCH is under the 32 MiB request limit, so it reaches storage — which refuses it.
    for (const field of ['a', 'b']) {
      const r = await api(primary.addr, 'PATCH', 'secret/data/grow', { token, body: { data: { [field]: 'x'.repeat(28 * MiB) } }, headers: PATCH_HEADERS });
      expect(r.status).toBe(413);
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors[0]).toMatch(TOO_LARGE);
      expect(Number(TOO_LARGE.exec(r.body.errors[0])![1])).toBe(MiB);
    }
    // Two PATCHes that each fit but together would not: the second is refused.
    const half = 'y'.repeat(600 * 1024);
    expect((await api(primary.addr, 'PATCH', 'secret/data/grow', { token, body: { data: { c: half } }, headers: PATCH_HEADERS })).status).toBe(200);
    const second = await api(primary.addr, 'PATCH', 'secret/data/grow', { token, body: { data: { d: half } }, headers: PATCH_HEADERS });
    expect(second.status).toBe(413);
    expect(second.body.errors[0]).toMatch(TOO_LARGE);
    // A plain write of 2 MiB is refused the same way.
    expect((await api(primary.addr, 'POST', 'secret/data/big', { token, body: { data: { v: 'z'.repeat(2 * MiB) } } })).status).toBe(413);

    // Nothing refused was written: version 2 (seed + c), no a/b/d, no "big".
    const now = await readData(primary.addr, token, 'grow');
    expect(now?.version).toBe(2);
    expect(Object.keys(now!.data).sort()).toEqual(['c', 'seed']);
    expect((await api(primary.addr, 'GET', 'secret/data/big', { token })).status).toBe(404);

    // Replication still streams (the secondary takes the primary's dev root token, seed 003): the accepted large version and a normal write after it arrive.
    expect((await api(primary.addr, 'POST', 'secret/data/after', { token, body: { data: { v: 'still-streaming' } } })).status).toBe(200);
    await waitFor('the write after the refused ones to reach the secondary', async () => (await readData(secondary.addr, token, 'after'))?.data.v === 'still-streaming', 60_000);
    const copied = await readData(secondary.addr, token, 'grow');
    expect(copied?.version).toBe(2);
    expect(copied?.data.c).toBe(half);
    const s = await replStatus(secondary.addr, 'performance');
    expect(s.state).toBe('stream-wals');
    expect(s.last_error).toBeUndefined();
  }, 180_000);
});

describe('a configured max_entry_size', () => {
  let server: ConfiguredServer;
  afterAll(async () => {
    await server?.stop();
  });

  it('a smaller max_entry_size in the storage stanza is honoured', async () => {
    const LIMIT = 64 * 1024;
    server = await startConfiguredServer({ name: 'small-entries', storageExtra: `  max_entry_size = ${LIMIT}` });
    const init = await api(server.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    expect(init.status).toBe(200);
    await api(server.addr, 'PUT', 'sys/unseal', { body: { key: init.body.keys[0] } });
    const token = init.body.root_token as string;
    expect((await api(server.addr, 'POST', 'sys/mounts/secret', { token, body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);

    expect((await api(server.addr, 'POST', 'secret/data/fits', { token, body: { data: { v: 'f'.repeat(40 * 1024) } } })).status).toBe(200);
    const big = await api(server.addr, 'POST', 'secret/data/too-big', { token, body: { data: { v: 'g'.repeat(100 * 1024) } } });
    expect(big.status).toBe(413);
    expect(Number(TOO_LARGE.exec(big.body.errors[0])![1])).toBe(LIMIT);
    expect((await api(server.addr, 'GET', 'secret/data/too-big', { token })).status).toBe(404);
    expect((await api(server.addr, 'GET', 'sys/health')).status).toBe(200);
  }, 120_000);
});

describe('a secondary with a smaller max_entry_size', () => {
  let small: ConfiguredServer;
  afterAll(async () => {
    await small?.stop();
  });

  it('still applies what its primary accepted: the limit guards client writes, not replication', async () => {
    small = await startConfiguredServer({ name: 'small-secondary', storageExtra: '  max_entry_size = 65536' });
    const init = await initAndUnseal(small);
    await enableSecondary(small.addr, init.rootToken, 'performance', await secondaryToken(primary.addr, primary.rootToken, 'performance', 'small-west'));
    // 600 KiB: under the primary's 1 MiB, ten times the secondary's 64 KiB.
    const value = 'w'.repeat(600 * 1024);
    expect((await api(primary.addr, 'POST', 'secret/data/wide', { token: primary.rootToken, body: { data: { value } } })).status).toBe(200);
    await converged(primary.addr, small.addr, 'performance', 60_000);
    const s = await replStatus(small.addr, 'performance');
    expect(s.state).toBe('stream-wals');
    expect(s.last_error).toBeUndefined();
  }, 120_000);
});
