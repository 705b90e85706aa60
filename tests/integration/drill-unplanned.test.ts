import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/cluster';
import { startLab, type Lab } from '../support/lab';
import { runCoffer } from '../support/cli';
import { drOperationBatchToken, replStatus, waitFor } from '../support/replication';

// An unplanned failover on `coffer lab -topology=seed`: the lab's control
// endpoint kills dallas without warning (through a cluster's sys/lab), the
// drill promotes dallas-dr, london and sydney follow it, then the lab starts
// dallas again on its data and the drill fails back.
const OFFSETS = [0, 50, 100, 150, 200, 250];
let lab: Lab | null = null;
let base = 0;
let drToken = '';
const ROOT = 'root';
const home = mkdtempSync(join(tmpdir(), 'coffer-drill-lab-'));
const addr = (offset: number) => `http://127.0.0.1:${base + offset}`;

beforeAll(async () => {
  lab = await startLab(['-topology=seed'], OFFSETS, { startTimeoutMs: 240_000 });
  base = lab.base;
  drToken = await drOperationBatchToken(addr(0), ROOT, '2h');
  for (let i = 0; i < 5; i++) await api(addr(0), 'POST', `secret/data/app/s${i}`, { token: ROOT, body: { data: { v: i } } });
}, 300_000);

afterAll(async () => {
  await lab?.stop(30_000);
});

describe('DR drills on a lab', () => {
  it('sys/lab endpoints need sudo inside the lab, and coffer lab allows the lab consoles through CORS', async () => {
    const list = await api(addr(100), 'LIST', 'sys/lab/clusters', { token: ROOT });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.data.keys.sort()).toEqual(['dallas', 'dallas-dr', 'london', 'london-dr', 'sydney', 'sydney-dr']);
    expect(list.body.data.key_info.dallas).toEqual({ addr: addr(0), running: true });
    await api(addr(0), 'PUT', 'sys/policies/acl/no-sudo', { token: ROOT, body: { policy: 'path "sys/*" { capabilities = ["create", "read", "update", "delete", "list"] }' } });
    const noSudo = (await api(addr(0), 'POST', 'auth/token/create', { token: ROOT, body: { policies: ['no-sudo'] } })).body.auth.client_token;
    expect((await api(addr(0), 'LIST', 'sys/lab/clusters', { token: noSudo })).status).toBe(403);
    expect((await api(addr(0), 'POST', 'sys/lab/clusters/sydney-dr/stop', { token: noSudo })).status).toBe(403);
    expect((await api(addr(0), 'POST', 'sys/lab/clusters/nowhere/stop', { token: ROOT })).status).toBe(400);

    const cors = (await api(addr(0), 'GET', 'sys/config/cors', { token: ROOT })).body.data;
    expect(cors.enabled).toBe(true);
    expect(cors.allowed_origins).toEqual(expect.arrayContaining(OFFSETS.map(addr)));
  });

  it('the CLI unplanned drill on a lab cluster reports the canaries the old primary acknowledged that the new one lacks', async () => {
    const file = join(home, 'unplanned.json');
    const r = await runCoffer(
      ['drill', 'run', '-kind=unplanned', `-primary=${addr(0)}`, `-secondary=${addr(50)}`, `-dr-token=${drToken}`, `-token=${ROOT}`, `-other=${addr(100)},${addr(200)}`, '-rpo=30s', '-rto=120s', '-keep-canaries', `-out=${file}`],
      { addr: addr(0), home, token: ROOT },
    );
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.outcome, r.stdout + r.stderr + lab!.output()).toBe('passed');
    expect(r.code).toBe(0);
    expect(report.plan.kind).toBe('unplanned');
    expect(report.plan.others.map((o: { name: string }) => o.name).sort()).toEqual(['london', 'sydney']);
    expect(lab!.output()).toMatch(/lab: dallas stopped \(SIGKILL\)/);
    expect(lab!.output()).toMatch(/lab: dallas started again on its data/);
    expect(report.rto.ms).toBeGreaterThan(0);
    expect(report.rpo.lost).toBe(report.rpo.lostSeqs.length);
    expect(report.rpo.lagAtDisasterWals).not.toBeNull();

    // The count is checked against the data: after fail back dallas holds what dallas-dr had,
    // so each lost canary is absent and every canary either primary acknowledged otherwise is there.
    const keys: string[] = (await api(addr(0), 'LIST', `drill-canaries/metadata/${report.id}`, { token: ROOT })).body.data.keys;
    const present = new Set(keys.map(Number));
    for (const seq of report.rpo.lostSeqs) expect(present.has(seq), `lost canary ${seq}`).toBe(false);
    expect(present.size).toBeGreaterThanOrEqual(report.canaries.acknowledged - report.rpo.lost);

    // The topology survived both ways: dallas leads, london and sydney follow it.
    expect((await replStatus(addr(0), 'dr')).mode).toBe('primary');
    expect((await replStatus(addr(0), 'performance')).mode).toBe('primary');
    for (const o of [100, 200]) expect((await replStatus(addr(o), 'performance')).primary_cluster_addr).toBe(`https://127.0.0.1:${base + 1}`);
    await api(addr(0), 'POST', 'secret/data/after-unplanned', { token: ROOT, body: { data: { v: 1 } } });
    await waitFor('sydney to see it', async () => (await api(addr(200), 'GET', 'secret/data/after-unplanned', { token: ROOT })).status === 200, 60_000);
  }, 600_000);
});
