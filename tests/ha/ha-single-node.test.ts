import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoffer } from '../support/cli';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';
import { initAndUnseal } from '../support/disk-scan';

// A node without storage "etcd" (or a raft peer) is no HA cluster and answers
// Vault's HA endpoints as Vault does without HA: no etcd, nothing forwarded.
let s: ConfiguredServer;
let root = '';

beforeAll(async () => {
  s = await startConfiguredServer({ name: 'alone', healthTimeoutMs: 120_000 });
  root = (await initAndUnseal(s)).rootToken;
}, 180_000);

afterAll(async () => {
  await s?.stop();
});

describe('HA endpoints on a single node', () => {
  it('a single node reports ha_enabled false, stays active through sys/step-down and lists itself in sys/ha-status', async () => {
    const l = await api(s.addr, 'GET', 'sys/leader');
    expect(l.body).toEqual({
      ha_enabled: false,
      is_self: true,
      active_time: '0001-01-01T00:00:00Z',
      leader_address: s.addr,
      leader_cluster_address: `https://127.0.0.1:${s.port + 1}`,
      performance_standby: false,
      performance_standby_last_remote_wal: 0,
    });
    expect((await api(s.addr, 'PUT', 'sys/step-down', { token: root })).status).toBe(204);
    expect((await api(s.addr, 'PUT', 'sys/step-down')).status).toBe(403);
    const h = await api(s.addr, 'GET', 'sys/health');
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ standby: false, performance_standby: false });
    expect((await api(s.addr, 'GET', 'sys/health?perfstandbycode=299&standbycode=298')).status).toBe(200);
    const st = await api(s.addr, 'GET', 'sys/ha-status', { token: root });
    expect(st.body.Nodes).toEqual([expect.objectContaining({ hostname: `alone-${s.port}`, api_address: s.addr, active_node: true, last_echo: null })]);
    const home = mkdtempSync(join(tmpdir(), 'coffer-alone-'));
    const status = await runCoffer(['status'], { addr: s.addr, home });
    expect(status.stdout).toMatch(/HA Enabled\s+false/);
    expect(status.stdout).not.toMatch(/HA Mode/);
    const members = await runCoffer(['operator', 'members'], { addr: s.addr, home, token: root });
    expect(members.code, members.stderr).toBe(0);
    expect(members.stdout.trim().split('\n')).toHaveLength(3);
  });
});
