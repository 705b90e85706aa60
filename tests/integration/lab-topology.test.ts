import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { api, COFFER_BIN, REPO_ROOT } from '../support/cluster';
import { replStatus, waitFor } from '../support/replication';

// `coffer lab -topology=seed` wires seed 002's picture with six real
// processes: one cluster that is performance primary and DR primary at once,
// performance secondaries that are DR primaries of their own DR secondaries.
const OFFSETS = [0, 50, 100, 150, 200, 250];

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

async function freeBase(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const ports = OFFSETS.flatMap((o) => [base + o, base + o + 1]);
    if ((await Promise.all(ports.map(free))).every(Boolean)) return base;
  }
  throw new Error('no free port range for the lab');
}

let lab: ChildProcess | null = null;
let out = '';
afterAll(() => {
  if (lab && lab.exitCode === null) lab.kill('SIGKILL');
});

describe('coffer lab -topology=seed', () => {
  it('wires dallas, london, sydney and their DR secondaries; data flows down every link; Ctrl-C stops all', async () => {
    const base = await freeBase();
    lab = spawn(COFFER_BIN, ['lab', '-topology=seed', `-base-port=${base}`, '-no-ui'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    lab.stdout!.on('data', (d) => (out += d));
    lab.stderr!.on('data', (d) => (out += d));
    await waitFor('the lab to be wired', async () => out.includes('Press Ctrl-C'), 150_000, 250);
    const addr = (offset: number) => `http://127.0.0.1:${base + offset}`;
    const [dallas, london, sydney, dallasDr, londonDr, sydneyDr] = [0, 100, 200, 50, 150, 250].map(addr);
    expect(out).toMatch(/london\s+http:\/\/127\.0\.0\.1:\d+/);

    const d = (await api(dallas, 'GET', 'sys/replication/status')).body.data;
    expect(d.performance.mode).toBe('primary');
    expect(d.dr.mode).toBe('primary');
    for (const perfSecondary of [london, sydney]) {
      const s = (await api(perfSecondary, 'GET', 'sys/replication/status')).body.data;
      expect(s.performance.mode).toBe('secondary');
      expect(s.dr.mode).toBe('primary');
    }

    await api(dallas, 'POST', 'secret/data/seed-002', { token: 'root', body: { data: { from: 'dallas' } } });
    await waitFor('sydney to have it', async () => (await api(sydney, 'GET', 'secret/data/seed-002', { token: 'root' })).status === 200);
    for (const [primary, dr] of [[dallas, dallasDr], [london, londonDr], [sydney, sydneyDr]]) {
      await waitFor(`${dr} to match ${primary}`, async () => {
        const [p, s] = await Promise.all([replStatus(primary, 'dr'), replStatus(dr, 'dr')]);
        return p.merkle_root === s.merkle_root && s.state === 'stream-wals';
      });
    }
    lab.kill('SIGINT');
    await waitFor('the lab to exit', async () => lab!.exitCode !== null, 20_000);
    for (const a of [dallas, london, sydney, dallasDr, londonDr, sydneyDr]) {
      await expect(fetch(`${a}/v1/sys/health`)).rejects.toThrow();
    }
  }, 240_000);
});
