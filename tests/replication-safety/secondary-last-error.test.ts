// A secondary that vanishes without a word (crashed, killed, unplugged) or
// stops used to leave its row on the primary `disconnected` with no reason:
// `secondaries[].last_error` (Coffer's addition; Vault's fields stay as they
// are) now says the connection was lost, and the console's known-secondaries
// table shows it. A reconnect starts a fresh link with no error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../support/cluster';
import { pair, replStatus, waitFor } from '../support/replication';

const MODE = 'performance';
const NOTICE_MS = 30_000;

async function entry(primary: DevServer, id: string): Promise<Record<string, any> | undefined> {
  const s = await replStatus(primary.addr, MODE);
  return (s.secondaries as Record<string, any>[]).find((e) => e.node_id === id);
}

describe('a vanished secondary leaves its reason in the primary status', () => {
  let p: DevServer;
  let killed: DevServer;
  let stopped: DevServer;
  beforeAll(async () => {
    [p, killed, stopped] = await Promise.all([startDevServer(), startDevServer(), startDevServer()]);
    await pair({ addr: p.addr, token: p.rootToken }, { addr: killed.addr, token: killed.rootToken }, MODE, 'gone-killed');
    await pair({ addr: p.addr, token: p.rootToken }, { addr: stopped.addr, token: stopped.rootToken }, MODE, 'gone-stopped');
    for (const id of ['gone-killed', 'gone-stopped']) {
      const e = await waitFor(`${id} connected`, async () => ((await entry(p, id))?.connection_status === 'connected' ? entry(p, id) : null));
      expect(e!.last_error).toBeUndefined();
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([p?.stop(), killed?.kill(), stopped?.stop()]);
  });

  it('a secondary killed with SIGKILL shows disconnected with last_error saying the connection was lost', async () => {
    await killed.kill();
    const e = await waitFor('the killed secondary disconnected', async () => {
      const x = await entry(p, 'gone-killed');
      return x?.connection_status === 'disconnected' ? x : null;
    }, NOTICE_MS);
    expect(e.last_error).toMatch(/connection to the secondary was lost/);
    // Vault's own fields are still all there.
    for (const k of ['node_id', 'api_address', 'cluster_address', 'connection_status', 'last_heartbeat', 'last_heartbeat_duration_ms', 'clock_skew_ms', 'replication_primary_canary_age_ms'])
      expect(e, k).toHaveProperty(k);
    // The other secondary is untouched.
    expect((await entry(p, 'gone-stopped'))?.connection_status).toBe('connected');
    expect((await entry(p, 'gone-stopped'))?.last_error).toBeUndefined();
  });

  it('a secondary stopped with SIGTERM shows disconnected with a last_error too', async () => {
    await stopped.stop();
    const e = await waitFor('the stopped secondary disconnected', async () => {
      const x = await entry(p, 'gone-stopped');
      return x?.connection_status === 'disconnected' ? x : null;
    }, NOTICE_MS);
    expect(e.last_error).toEqual(expect.any(String));
    expect(e.last_error).not.toBe('');
    expect((await replStatus(p.addr, MODE)).mode).toBe('primary');
  });
});
