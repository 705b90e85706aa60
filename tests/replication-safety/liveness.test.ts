import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { converged, pair, replStatus, waitFor } from '../support/replication';

// Issue 8 item 5: liveness. A link had no read timeout: with the primary
// frozen (SIGSTOP) the secondary showed `ready`, `connected` and lag 0 for
// 45 s and more, because TCP keeps answering for a stopped process. Now both
// sides time a silent link out after three missed heartbeats (1 s apart):
// `connection_state` leaves `ready`, `last_error` says why, lag grows, the
// metrics show it, and the link recovers by itself once the peer answers.
// Deadlines are generous (a loaded 2-core box); the test never asserts speed.
const MODE = 'performance';
const ID = 'liveness-west';
const NOTICE_MS = 30_000;
const MISSED = /no heartbeat from the primary for \d+ ms \(3 missed heartbeats at \d+ ms intervals\)/;

let primary: DevServer;
let secondary: DevServer;
const stopped = new Set<DevServer>();

const freeze = (s: DevServer) => (s.proc.kill('SIGSTOP'), stopped.add(s));
const thaw = (s: DevServer) => (s.proc.kill('SIGCONT'), stopped.delete(s));

async function gauge(s: DevServer, name: string): Promise<number | undefined> {
  const r = await api(s.addr, 'GET', 'sys/metrics', { token: primary.rootToken });
  return (r.body.Gauges as { Name: string; Value: number; Labels: Record<string, string> }[]).find((g) => g.Name === name && g.Labels.mode === MODE)?.Value;
}

const secondaryEntry = async () => ((await replStatus(primary.addr, MODE)).secondaries as Record<string, string>[]).find((x) => x.node_id === ID);

async function roundTrip(key: string): Promise<void> {
  expect((await api(primary.addr, 'POST', `secret/data/${key}`, { token: primary.rootToken, body: { data: { v: key } } })).status).toBe(200);
  await waitFor(`${key} to reach the secondary`, async () => (await api(secondary.addr, 'GET', `secret/data/${key}`, { token: primary.rootToken })).body?.data?.data?.v === key, NOTICE_MS);
}

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startDevServer(), startDevServer()]);
  await pair({ addr: primary.addr, token: primary.rootToken }, { addr: secondary.addr, token: secondary.rootToken }, MODE, ID);
  await roundTrip('before');
}, 120_000);

afterAll(async () => {
  for (const s of stopped) s.proc.kill('SIGCONT'); // a stopped process never handles SIGTERM
  await Promise.all([primary?.stop(), secondary?.stop()]);
});

describe('liveness', () => {
  it('a frozen primary: the secondary leaves ready, names the missed heartbeats, lag grows; SIGCONT: it recovers by itself', async () => {
    // A link that is heartbeating (the first beat comes one interval after streaming starts).
    await waitFor('a first heartbeat', async () => Boolean((await replStatus(secondary.addr, MODE)).primaries[0]?.last_heartbeat), NOTICE_MS);
    freeze(primary);
    try {
      await primaryFrozen();
    } finally {
      if (stopped.has(primary)) thaw(primary);
    }
    await waitFor('the link to recover', async () => {
      const s = await replStatus(secondary.addr, MODE);
      return s.connection_state === 'ready' && s.state === 'stream-wals';
    }, 60_000);
    await roundTrip('after-primary-thaw');
    await converged(primary.addr, secondary.addr, MODE);
    await waitFor('last_error to clear once caught up', async () => (await replStatus(secondary.addr, MODE)).last_error === undefined, NOTICE_MS);
  }, 180_000);

  /** What the secondary reports while its primary is stopped. */
  async function primaryFrozen(): Promise<void> {
    const down = await waitFor('the secondary to leave ready', async () => {
      const s = await replStatus(secondary.addr, MODE);
      return s.connection_state !== 'ready' ? s : null;
    }, NOTICE_MS);
    expect(['transient_failure', 'connecting']).toContain(down.connection_state);
    expect(down.last_error).toMatch(MISSED);
    expect(down.primaries[0].connection_status).toBe('disconnected');
    // Lag grows with the silence instead of reading 0.
    const lag1 = Number(down.lag_ms);
    expect(lag1).toBeGreaterThan(0);
    const later = await waitFor('lag to grow', async () => {
      const s = await replStatus(secondary.addr, MODE);
      return Number(s.lag_ms) > lag1 ? s : null;
    }, NOTICE_MS);
    expect(later.connection_state).not.toBe('ready');
    expect(later.last_error).toMatch(MISSED);
    // The metrics show it too (sampled once a second): lag and heartbeat age both past three intervals.
    await waitFor(
      'the lag and heartbeat-age gauges to show the silence',
      async () => {
        const [lag, age] = [await gauge(secondary, 'vault.replication.lag_ms'), await gauge(secondary, 'vault.replication.heartbeat_age_ms')];
        if ((lag ?? 0) >= 3_000 && (age ?? 0) >= 3_000) return true;
        throw new Error(`lag_ms ${lag}, heartbeat_age_ms ${age}`); // reported if the deadline passes
      },
      NOTICE_MS,
    );
  }

  it('a frozen secondary: the primary stops reporting it connected, says why, and takes it back when it answers', async () => {
    await waitFor('the secondary to be connected', async () => (await secondaryEntry())?.connection_status === 'connected', NOTICE_MS);
    freeze(secondary);
    try {
      const entry = await waitFor('the primary to mark the secondary disconnected', async () => {
        const e = await secondaryEntry();
        return e?.connection_status === 'disconnected' ? e : null;
      }, NOTICE_MS);
      expect(entry.last_error).toMatch(/no heartbeat from the secondary for \d+ ms \(3 missed heartbeats/);
      // Writes go on meanwhile; the secondary gets them once it runs again.
      expect((await api(primary.addr, 'POST', 'secret/data/while-frozen', { token: primary.rootToken, body: { data: { v: 1 } } })).status).toBe(200);
    } finally {
      thaw(secondary);
    }
    await waitFor('the primary to see the secondary again', async () => (await secondaryEntry())?.connection_status === 'connected', 60_000);
    await roundTrip('after-secondary-thaw');
    expect((await api(secondary.addr, 'GET', 'secret/data/while-frozen', { token: primary.rootToken })).status).toBe(200);
  }, 180_000);
});
