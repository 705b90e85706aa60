import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, COFFER_BIN, REPO_ROOT, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer } from '../support/cluster';
import { runCoffer } from '../support/cli';
import { initAndUnseal } from '../support/disk-scan';
import { converged, drOperationBatchToken, pair, replStatus, waitFor } from '../support/replication';

// `coffer drill run -kind=planned` on seed 002's shape in small: dallas is the
// DR primary and the performance primary, dallas-dr its DR secondary, london
// its performance secondary. The drill demotes dallas, promotes dallas-dr,
// re-points london, verifies, fails back, and must leave everything as it was.
// mallory, a performance secondary whose api_addr is a listener the test
// records, stands for one whose operator wants the primary's token: it is
// revoked and stopped after the first case.
let dallas: DevServer;
let dallasDr: DevServer;
let london: DevServer;
let mallory: ConfiguredServer | null = null;
let trap: Server;
let trapUrl = '';
const trapped: { method: string; url: string; token: string | undefined }[] = [];
let root = '';
let drToken = '';
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VAULT|COFFER)_/.test(k))) as NodeJS.ProcessEnv;
const home = mkdtempSync(join(tmpdir(), 'coffer-drill-home-'));

beforeAll(async () => {
  trap = createServer((req, res) => {
    const t = req.headers['x-vault-token'];
    trapped.push({ method: req.method ?? '', url: req.url ?? '', token: Array.isArray(t) ? t.join(',') : t });
    res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"errors":["trap"]}');
  });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
  trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
  const start = () => startDevServer({ healthTimeoutMs: 120_000 });
  let malloryRoot = '';
  [dallas, dallasDr, london] = await Promise.all([
    start(),
    start(),
    start(),
    startConfiguredServer({ name: 'mallory', extraConfig: `api_addr = "${trapUrl}"`, healthTimeoutMs: 120_000 }).then(async (m) => {
      mallory = m;
      malloryRoot = (await initAndUnseal(m)).rootToken;
      await waitFor('mallory to be active', async () => (await api(m.addr, 'GET', 'sys/health')).status === 200, 120_000);
    }),
  ]);
  root = dallas.rootToken;
  drToken = await drOperationBatchToken(dallas.addr, root, '2h');
  await pair({ addr: dallas.addr, token: root }, { addr: london.addr, token: london.rootToken }, 'performance', 'london');
  await pair({ addr: dallas.addr, token: root }, { addr: mallory!.addr, token: malloryRoot }, 'performance', 'mallory');
  await pair({ addr: dallas.addr, token: root }, { addr: dallasDr.addr, token: dallasDr.rootToken }, 'dr', 'dallas-dr');
  for (let i = 0; i < 5; i++) await api(dallas.addr, 'POST', `secret/data/app/s${i}`, { token: root, body: { data: { v: i } } });
  await converged(dallas.addr, dallasDr.addr, 'dr', 60_000);
}, 300_000);

afterAll(async () => {
  await Promise.all([dallas?.kill(), dallasDr?.kill(), london?.kill(), mallory?.kill()]);
  trap?.close();
});

const drill = (extra: string[]) =>
  runCoffer(['drill', 'run', `-primary=${dallas.addr}`, `-secondary=${dallasDr.addr}`, `-dr-token=${drToken}`, `-token=${root}`, `-other=${london.addr}`, ...extra], { addr: dallas.addr, home, token: root });

describe('coffer drill run -kind=planned', () => {
  it('the CLI drill never sends the primary\'s token to a performance secondary it only discovered', async () => {
    await waitFor('dallas to report mallory at the trap address', async () => {
      const s = await replStatus(dallas.addr, 'performance');
      return (s.secondaries ?? []).some((x: { api_address: string }) => x.api_address === trapUrl);
    }, 60_000);
    const out = join(home, 'discovered.json');
    const r = await runCoffer(['drill', 'run', `-primary=${dallas.addr}`, `-secondary=${dallasDr.addr}`, `-dr-token=${drToken}`, `-token=${root}`, '-rto=120s', `-out=${out}`], { addr: dallas.addr, home, token: root });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    // Refused before anything changed, naming each discovered performance secondary and how to include it.
    expect(r.stdout).toMatch(/Preflight\s+failed/);
    expect(r.stdout).toContain(`add -other=${trapUrl}`);
    expect(r.stdout).toContain(`add -other=${london.addr}`);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.outcome).toBe('failed');
    expect(report.steps.find((s: { id: string }) => s.id === 'disaster').state).toBe('skipped');
    expect((await replStatus(dallas.addr, 'dr')).mode).toBe('primary');
    expect(trapped.filter((t) => t.token), JSON.stringify(trapped)).toEqual([]);

    // mallory leaves the set so the drills below run on dallas, dallas-dr and london only.
    await mallory!.kill();
    mallory = null;
    expect((await api(dallas.addr, 'POST', 'sys/replication/performance/primary/revoke-secondary', { token: root, body: { id: 'mallory' } })).status).toBeLessThan(300);
  }, 400_000);

  it('the CLI planned drill switches over and fails back with RPO 0 and writes its report', async () => {
    const out = join(home, 'report.json');
    const r = await drill(['-kind=planned', '-rpo=0s', '-rto=120s', `-out=${out}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Promote DR secondary\s+done/);
    expect(r.stdout).toMatch(/RPO\s+0 canaries lost/);

    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.outcome).toBe('passed');
    expect(report.rpo).toMatchObject({ lost: 0, met: true });
    expect(report.rto.ms).toBeGreaterThan(0);
    expect(report.canaries.ackedByOld).toBeGreaterThan(0);
    expect(report.canaries.ackedByNew).toBeGreaterThan(0);
    expect(report.steps.map((s: { state: string }) => s.state)).toEqual(Array(11).fill('done'));
    for (const s of report.steps) expect(Date.parse(s.endedAt)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
    expect(report.plan.others.map((o: { addr: string }) => o.addr)).toEqual([london.addr]);
    expect(report.verifications.length).toBeGreaterThanOrEqual(8);
    expect(report.verifications.every((v: { ok: boolean }) => v.ok)).toBe(true);
    expect(JSON.stringify(report)).not.toContain(root);
    expect(JSON.stringify(report)).not.toContain(drToken);
    expect(report.leftState).toBeUndefined();

    // Roles as before: dallas leads both sets, dallas-dr and london follow it; the canary mount is gone.
    expect((await replStatus(dallas.addr, 'dr')).mode).toBe('primary');
    expect((await replStatus(dallasDr.addr, 'dr')).mode).toBe('secondary');
    await waitFor('london to follow dallas', async () => {
      const s = await replStatus(london.addr, 'performance');
      return s.state === 'stream-wals' && s.primary_cluster_addr === `https://127.0.0.1:${dallas.port + 1}`;
    }, 60_000);
    expect((await api(dallas.addr, 'GET', 'sys/mounts', { token: root })).body.data['drill-canaries/']).toBeUndefined();
    await api(dallas.addr, 'POST', 'secret/data/after-drill', { token: root, body: { data: { v: 1 } } });
    await waitFor('london to see a write after the drill', async () => (await api(london.addr, 'GET', 'secret/data/after-drill', { token: root })).status === 200, 60_000);

    // Kept in dallas's drill history, and `coffer drill list|show` read it.
    expect(report.storedOn).toBe(dallas.addr);
    const stored = await api(dallas.addr, 'GET', `sys/drills/${report.id}`, { token: root });
    expect(stored.body.data).toMatchObject({ id: report.id, outcome: 'passed' });
    const list = await runCoffer(['drill', 'list'], { addr: dallas.addr, home, token: root });
    expect(list.stdout).toContain(report.id);
    const show = await runCoffer(['drill', 'show', report.id], { addr: dallas.addr, home, token: root });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Outcome\s+passed/);
  }, 400_000);

  it('a missed RTO target makes the CLI exit non-zero', async () => {
    const out = join(home, 'missed.json');
    const r = await drill(['-kind=planned', '-rpo=0s', '-rto=1ms', `-out=${out}`]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/RTO .*MISSED/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toMatchObject({ outcome: 'failed', rto: { met: false } });
    expect(report.reason).toMatch(/RTO/);
    expect(report.steps.every((s: { state: string }) => s.state === 'done')).toBe(true); // it ran to the end: only the target was missed
    expect(report.leftState).toBeUndefined();
    expect((await replStatus(dallas.addr, 'dr')).mode).toBe('primary');
  }, 400_000);

  it('a drill aborted after promotion leaves a state its report describes', async () => {
    const out = join(home, 'aborted.json');
    const child = spawn(COFFER_BIN, ['drill', 'run', `-primary=${dallas.addr}`, `-secondary=${dallasDr.addr}`, `-dr-token=${drToken}`, `-token=${root}`, `-other=${london.addr}`, '-rto=120s', `-out=${out}`], {
      cwd: REPO_ROOT,
      env: { ...cleanEnv(), HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // Ctrl-C once the promotion is done: the drill stops where it is.
    await waitFor('the promotion', async () => /Promote DR secondary\s+done/.test(stdout), 300_000, 50);
    child.kill('SIGINT');
    expect(await exited, stdout).toBe(2);

    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.outcome).toBe('aborted');
    const state = Object.fromEntries(report.steps.map((s: { id: string; state: string }) => [s.id, s.state]));
    expect(state).toMatchObject({ preflight: 'done', disaster: 'done', promote: 'done', 'failback-switch': 'skipped' });
    expect(report.leftState.description).toMatch(/is the DR primary now/);
    expect(report.leftState.recovery.join('\n')).toContain(`VAULT_ADDR=${dallas.addr} coffer write sys/replication/dr/secondary/update-primary`);
    expect(stdout).toContain('To get back');

    // What it says is what is there: dallas-dr leads, dallas is demoted.
    expect((await replStatus(dallasDr.addr, 'dr')).mode).toBe('primary');
    expect((await replStatus(dallas.addr, 'dr')).mode).toBe('secondary');
    expect(report.storedOn).toBe(dallasDr.addr); // dallas, demoted, refuses it: kept where the drill now stands
  }, 400_000);
});
