import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { initAndUnseal, type Initialised } from '../support/disk-scan';
import { converged, pair, replStatus, secondaryToken, waitFor, drOperationBatchToken } from '../support/replication';

// Issue 8 item 6: fencing is enforced, not advisory. Before, a primary whose DR
// secondary was promoted kept acknowledging client writes until someone
// demoted it (those writes were lost), and it learned of the promotion only by
// polling its secondaries' unauthenticated status endpoint. Now the promoted
// primary tells it over the mutually authenticated cluster port (the epoch
// exchange, server/replication/fencing.ts) and its storage refuses client
// writes from then on (storage/write-fence.ts), across restarts, until it is
// demoted and re-joined.
let a: ConfiguredServer;
let b: DevServer;
let keys: Initialised;
let root = '';
let drOpToken = '';

interface Write {
  key: string;
  sentAt: number;
  doneAt: number;
  status: number;
  error: string;
}

/** One write at a time to `addr` until stop() says so; every outcome is kept. */
async function writeUntil(addr: string, prefix: string, stop: (log: Write[]) => boolean, log: Write[] = []): Promise<Write[]> {
  for (let i = 0; !stop(log); i++) {
    const key = `${prefix}/${i}`;
    const sentAt = Date.now();
    const r = await api(addr, 'POST', `secret/data/${key}`, { token: root, body: { data: { v: key } } }).catch((err: Error) => ({ status: 0, body: { errors: [err.message] } }));
    log.push({ key, sentAt, doneAt: Date.now(), status: r.status, error: r.body?.errors?.[0] ?? '' });
  }
  return log;
}

const FENCED = /superseded as DR primary: a promoted cluster leads its replication set at epoch \d+.*refused until this cluster is demoted/;
const refusedAfter = (log: Write[], n: number) => log.slice(log.findIndex((w) => w.status === 400) + 1).slice(0, n);

/** The first refusal ends the story: every write sent after it is refused too, with the fence's reason. */
function expectFencedFromFirstRefusal(log: Write[]): Write {
  const first = log.find((w) => w.status !== 200);
  expect(first, 'some write was refused').toBeDefined();
  expect(first!.status).toBe(400);
  expect(first!.error).toMatch(FENCED);
  const later = log.filter((w) => w.sentAt >= first!.doneAt);
  expect(later.length).toBeGreaterThan(0);
  expect(later.filter((w) => w.status === 200), 'writes acknowledged after the old primary was told').toEqual([]);
  for (const w of later) expect(w.error).toMatch(FENCED);
  return first!;
}

beforeAll(async () => {
  // Start-up on a loaded 2-core box (other suites run at the same time) can take a while.
  [a, b] = await Promise.all([startConfiguredServer({ name: 'fence-a', healthTimeoutMs: 120_000 }), startDevServer({ healthTimeoutMs: 120_000 })]);
  keys = await initAndUnseal(a);
  root = keys.rootToken;
  expect((await api(a.addr, 'POST', 'sys/mounts/secret', { token: root, body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
  // A batch DR operation token, made on the primary beforehand (reference §2.4): it promotes and re-points any member of the set.
  drOpToken = await drOperationBatchToken(a.addr, root);
  await pair({ addr: a.addr, token: root }, { addr: b.addr, token: b.rootToken }, 'dr', 'fence-b');
  await api(a.addr, 'POST', 'secret/data/before', { token: root, body: { data: { v: 1 } } });
  await converged(a.addr, b.addr, 'dr');
}, 240_000);

afterAll(async () => {
  try {
    process.kill(b?.proc.pid ?? 0, 'SIGCONT'); // never leave a frozen process behind
  } catch {
    /* gone already */
  }
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('fencing over the cluster port', () => {
  it('a. the DR secondary is promoted while the old primary is up: the old primary refuses client writes within seconds, and acknowledges none after', async () => {
    const log: Write[] = [];
    const writing = writeUntil(a.addr, 'a', (l) => l.filter((w) => w.status !== 200).length >= 10 || Date.now() - (l[0]?.sentAt ?? Date.now()) > 60_000, log);
    await waitFor('the writer to get going', async () => log.length >= 3);
    const promote = await api(b.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: drOpToken } });
    expect(promote.status, JSON.stringify(promote.body)).toBe(200);
    const promotedAt = Date.now();
    await writing;
    const first = expectFencedFromFirstRefusal(log);
    const lost = log.filter((w) => w.status === 200 && w.sentAt >= promotedAt).length;
    console.info(`fencing (a): first refusal ${first.doneAt - promotedAt} ms after the promotion answered; ${lost} writes acknowledged in between (lost by design: before the old primary was told)`);
    // Nothing a refused write carried landed on the old primary.
    const refused = refusedAfter(log, 3);
    for (const w of refused) expect((await api(a.addr, 'GET', `secret/data/${w.key}`, { token: root })).status).toBe(404);
    // Both statuses say why.
    const old = await replStatus(a.addr, 'dr');
    expect(old).toMatchObject({ mode: 'primary', state: 'idle', superseded_by: expect.stringContaining(`127.0.0.1:${b.port}`) });
    expect(old.last_error).toMatch(FENCED);
    const fresh = await waitFor('the new primary to report the stale one', async () => {
      const s = await replStatus(b.addr, 'dr');
      return s.stale_primary_warning ? s : null;
    });
    expect(fresh.stale_primary_warning).toMatch(/running as primary again without being demoted.*refuses client writes.*demote it/);
    expect(fresh.epoch).toBe(2);
    // The new primary takes the writes the old one refuses.
    expect((await api(b.addr, 'POST', 'secret/data/on-new-primary', { token: root, body: { data: { v: 1 } } })).status).toBe(200);
    expect(first.doneAt).toBeGreaterThan(log[0].sentAt);
  }, 120_000);

  it('a. the fence is stored: the old primary, restarted and unsealed, still refuses writes and says why', async () => {
    await a.stop();
    a = await a.restart();
    await api(a.addr, 'PUT', 'sys/unseal', { body: { key: keys.keys[0] } });
    const w = await api(a.addr, 'POST', 'secret/data/after-restart', { token: root, body: { data: { v: 1 } } });
    expect(w.status).toBe(400);
    expect(w.body.errors[0]).toMatch(FENCED);
    expect(await replStatus(a.addr, 'dr')).toMatchObject({ mode: 'primary', state: 'idle' });
    expect((await api(a.addr, 'GET', 'secret/data/before', { token: root })).body.data.data).toEqual({ v: 1 }); // reads still served
  }, 240_000);

  it('c. demote + update-primary re-joins the old primary under the new one, and writes go to the new primary', async () => {
    const d = await api(a.addr, 'POST', 'sys/replication/dr/primary/demote', { token: root });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    const tok = await secondaryToken(b.addr, root, 'dr', 'fence-a-again');
    const r = await api(a.addr, 'POST', 'sys/replication/dr/secondary/update-primary', { body: { dr_operation_token: drOpToken, token: tok } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await api(b.addr, 'POST', 'secret/data/after-rejoin', { token: root, body: { data: { v: 2 } } });
    await converged(b.addr, a.addr, 'dr', 60_000);
    expect(await replStatus(a.addr, 'dr')).toMatchObject({ mode: 'secondary', epoch: 2, state: 'stream-wals' });
    await waitFor('the stale warning to clear', async () => !(await replStatus(b.addr, 'dr')).stale_primary_warning, 30_000);
    // Client writes at the re-joined cluster are refused as on any DR secondary; the new primary takes them.
    expect((await api(a.addr, 'POST', 'secret/data/x', { token: root, body: { data: { v: 1 } } })).status).toBe(400);
    expect((await api(b.addr, 'POST', 'secret/data/y', { token: root, body: { data: { v: 1 } } })).status).toBe(200);
  }, 120_000);

  it('b. the primary is frozen (SIGSTOP), its secondary promoted, the old primary resumed (SIGCONT): once told, it acknowledges no write', async () => {
    // Now b is the primary and a its DR secondary: freeze b, promote a.
    process.kill(b.proc.pid!, 'SIGSTOP');
    const promote = await api(a.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: drOpToken } });
    expect(promote.status, JSON.stringify(promote.body)).toBe(200);
    expect((await replStatus(a.addr, 'dr')).epoch).toBe(3);
    process.kill(b.proc.pid!, 'SIGCONT');
    const resumedAt = Date.now();
    const log = await writeUntil(b.addr, 'b', (l) => l.filter((w) => w.status !== 200).length >= 10 || Date.now() - resumedAt > 60_000);
    // A write racing the resume may be taken before the old primary hears; none after.
    const first = expectFencedFromFirstRefusal(log);
    const racing = log.filter((w) => w.status === 200);
    expect(racing.every((w) => w.doneAt <= first.doneAt)).toBe(true);
    console.info(`fencing (b): first refusal ${first.doneAt - resumedAt} ms after SIGCONT; ${racing.length} writes acknowledged before the old primary was told`);
    const st = await replStatus(b.addr, 'dr');
    expect(st).toMatchObject({ mode: 'primary', state: 'idle' });
    expect(st.superseded_by).toContain(`127.0.0.1:${a.port}`);
    expect((await api(a.addr, 'POST', 'secret/data/on-a', { token: root, body: { data: { v: 3 } } })).status).toBe(200);
    await waitFor('a to report b as stale', async () => /demote it/.test((await replStatus(a.addr, 'dr')).stale_primary_warning ?? ''));
  }, 120_000);
});
