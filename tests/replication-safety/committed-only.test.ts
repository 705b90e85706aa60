import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, enablePrimary, pair, replStatus, waitFor } from '../support/replication';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// Issue 8 item 2: ship only what is committed. The primary used to read merkle
// pages, leaves and fetched keys through its writer, which sees a group commit
// before its COMMIT; a sync could ship a write that a failed COMMIT then
// rolled back (and it waited on the writer's commits, so while COMMITs failed
// no sync could finish). Now everything a primary sends is read from a
// committed snapshot (a second, read-only SQLite connection).
//
// The primary runs with -dev-faults, a test-only flag that serves
// sys/storage/faults (root token) to flip storage's failPut / failCommit
// switches; without the flag that path does not exist. A small log retention
// makes the secondary, cut off (a stalled TCP proxy on the cluster link) while
// the primary writes, come back past the log and merkle-sync — while every
// COMMIT on the primary fails.
const MODE = 'performance';
const RETENTION = 50;
const FAILING_WRITERS = 8;
let primary: DevServer;
let secondary: DevServer;
let proxy: TcpProxy;

const root = () => ({ token: primary.rootToken });
const faults = (body: Record<string, boolean>) => api(primary.addr, 'POST', 'sys/storage/faults', { ...root(), body });
const syncsOf = (s: DevServer) => s.output().split('merkle sync complete').length - 1;

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startDevServer({ args: ['-dev-faults', `-log-retention=${RETENTION}`] }), startDevServer()]);
  proxy = await startTcpProxy({ port: primary.port + 1 });
  await enablePrimary(primary.addr, primary.rootToken, MODE, { primary_cluster_addr: `https://127.0.0.1:${proxy.port}` });
  await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, MODE, 'committed');
  await converged(primary.addr, secondary.addr, MODE);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all([primary?.stop(), secondary?.stop()]);
});

describe('a primary ships only committed data', () => {
  it('the fault switches exist only with -dev-faults, and only for a root token', async () => {
    expect((await api(secondary.addr, 'POST', 'sys/storage/faults', { token: primary.rootToken, body: { fail_commit: true } })).status).toBe(404);
    expect((await api(primary.addr, 'GET', 'sys/storage/faults')).status).toBe(403);
    expect((await api(primary.addr, 'GET', 'sys/storage/faults', root())).body.data).toEqual({ fail_put: false, fail_commit: false });
  });

  it('a secondary merkle-syncs while every COMMIT on the primary fails, receives none of those writes, and ends identical', { timeout: 180_000 }, async () => {
    // Past the log: the secondary is cut off while the primary writes more than it retains.
    expect(proxy.live()).toBeGreaterThan(0); // replication runs through the proxy
    proxy.pause();
    proxy.cutAll();
    for (let i = 0; i < RETENTION * 2; i++) {
      const r = await api(primary.addr, 'POST', `secret/data/kept/${i}`, { ...root(), body: { data: { i } } });
      expect(r.status).toBe(200);
    }
    const syncsBefore = syncsOf(secondary);
    expect((await faults({ fail_commit: true })).body.data.fail_commit).toBe(true);
    // Nothing commits from here on, so this tip is the primary's last committed index for the whole window.
    // (While a batch is failing, the primary answers even reads with 500: it acknowledges nothing that did not commit.)
    const tip = (await waitFor('the primary\'s committed tip', async () => replStatus(primary.addr, MODE))).last_wal;
    // Writes keep arriving and failing (never acknowledged) during the whole sync, several at once,
    // so a group commit is open (and then fails) at almost any moment the primary reads for the sync.
    const failed: string[] = [];
    let writing = true;
    const writer = Promise.all(
      Array.from({ length: FAILING_WRITERS }, async (_, w) => {
        for (let i = 0; writing; i++) {
          const r = await api(primary.addr, 'POST', `secret/data/failed/${w}-${i}`, { ...root(), body: { data: { i } } });
          expect(r.status, JSON.stringify(r.body)).toBe(500);
          failed.push(`failed/${w}-${i}`);
        }
      }),
    );
    proxy.resume();
    try {
      await waitFor(
        'the secondary to merkle-sync and stream while the primary fails every COMMIT',
        async () => {
          const s = await replStatus(secondary.addr, MODE);
          return syncsOf(secondary) > syncsBefore && s.state === 'stream-wals' && s.last_remote_wal === tip;
        },
        60_000,
      );
    } finally {
      writing = false;
      await writer;
      expect((await faults({ fail_commit: false })).body.data.fail_commit).toBe(false);
    }
    expect(failed.length).toBeGreaterThan(0);
    const after = await api(primary.addr, 'POST', 'secret/data/after', { ...root(), body: { data: { ok: true } } });
    expect(after.status).toBe(200);
    await converged(primary.addr, secondary.addr, MODE);
    for (const key of failed) {
      expect((await api(primary.addr, 'GET', `secret/data/${key}`, root())).status, key).toBe(404);
      expect((await api(secondary.addr, 'GET', `secret/data/${key}`, root())).status, key).toBe(404);
    }
    for (const i of [0, RETENTION, RETENTION * 2 - 1]) expect((await api(secondary.addr, 'GET', `secret/data/kept/${i}`, root())).body.data.data.i).toBe(i);
    expect((await replStatus(secondary.addr, MODE)).corrupted_merkle_tree).toBe(false);
  });
});
