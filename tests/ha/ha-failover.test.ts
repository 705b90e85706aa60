import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cluster';
import { runCoffer } from '../support/cli';
import { CHECK_CONCURRENCY, mapLimit } from '../support/map-limit';
import { health, sleep, startHaCluster, until, type HaCluster, type HaNode } from './ha-cluster';
import { writeLoad } from './write-load';

// The active role moves: on sys/step-down (and `coffer operator step-down`),
// and when the active is killed with SIGKILL while clients write through every
// node. No write a client saw acknowledged is ever missing afterwards.

let c: HaCluster;

beforeAll(async () => {
  c = await startHaCluster(3);
  const a = await c.waitActive();
  expect((await api(a.addr, 'POST', 'sys/mounts/secret', { token: c.rootToken, body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
}, 240_000);

afterAll(async () => {
  await c?.stop();
}, 120_000);

async function expectAllPresent(acked: Map<string, number>, nodes: HaNode[]) {
  // Every node applies the log: wait until each has the last acknowledged write, then check them all.
  for (const node of nodes) {
    await mapLimit(acked, CHECK_CONCURRENCY, async ([key, i]) => {
      const r = await until(`${key} on ${node.name}`, async () => {
        const x = await api(node.addr, 'GET', `secret/data/${key}`, { token: c.rootToken });
        return x.status === 200 ? x : null;
      }, 30_000);
      expect(r.body.data.data).toEqual({ i });
    });
  }
}

describe('HA failover', () => {
  it('step-down hands the active role to another node', async () => {
    const a = await c.waitActive();
    const r = await api(a.addr, 'PUT', 'sys/step-down', { token: c.rootToken });
    expect(r.status).toBe(204);
    const b = await c.waitActive({ exclude: [a] });
    expect(b).not.toBe(a);
    await until(`${a.name} to follow ${b.name}`, async () => (await api(a.addr, 'GET', 'sys/leader')).body?.leader_address === b.addr);
    expect((await api(a.addr, 'GET', 'sys/leader')).body.is_self).toBe(false);
    // The old active is a standby now: a write through it lands on the new active.
    const w = await api(a.addr, 'POST', 'secret/data/after-step-down', { token: c.rootToken, body: { data: { ok: true } } });
    expect(w.status).toBe(200);
    expect((await api(b.addr, 'GET', 'secret/data/after-step-down', { token: c.rootToken })).body.data.data).toEqual({ ok: true });

    // The CLI, asked of a standby: the request goes to the active, which hands over in turn.
    const standby = c.nodes.find((x) => x !== b)!;
    const home = mkdtempSync(join(tmpdir(), 'coffer-ha-cli-'));
    const out = await runCoffer(['operator', 'step-down'], { addr: standby.addr, home, token: c.rootToken });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe(`Success! Stepped down: ${standby.addr}`);
    const next = await c.waitActive({ exclude: [b] });
    expect(next).not.toBe(b);
  }, 240_000);

  it('kill -9 of the active under write load: a standby becomes active and every acknowledged write is present', async () => {
    const victim = await c.waitActive();
    const load = writeLoad(c, 'kill9', 4);
    try {
      await until('writes to flow', async () => load.count() >= 30);
      const before = load.count();
      await victim.kill();
      // A write sent through a standby before anyone took over waits for the new active instead of failing.
      const through = c.nodes.find((x) => x !== victim)!;
      const during = await api(through.addr, 'POST', 'secret/data/during-failover', { token: c.rootToken, body: { data: { ok: 1 } } });
      expect(during.status, JSON.stringify(during.body)).toBe(200);
      const next = await c.waitActive({ exclude: [victim] });
      expect(next).not.toBe(victim);
      expect((await api(next.addr, 'GET', 'secret/data/during-failover', { token: c.rootToken })).body.data.data).toEqual({ ok: 1 });
      // The new active takes writes: the load keeps being acknowledged after the takeover.
      await until('writes acknowledged by the new active', async () => load.count() >= before + 30);
    } finally {
      await load.stop();
    }
    const survivors = c.nodes.filter((x) => x.alive());
    await expectAllPresent(load.acked, survivors);

    // The killed node comes back, catches up from the log, and holds every acknowledged write too.
    const back = await c.restart(c.nodes.indexOf(victim));
    await c.unseal(back);
    await until(`${back.name} to be a standby`, async () => (await health(back.addr)) === 473);
    await expectAllPresent(load.acked, [back]);
  }, 240_000);
});
