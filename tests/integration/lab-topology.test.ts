import { afterAll, describe, expect, it } from 'vitest';
import { api } from '../support/cluster';
import { startLab, type Lab } from '../support/lab';
import { replStatus, waitFor } from '../support/replication';

// `coffer lab -topology=seed` wires seed 002's picture with six real
// processes: one cluster that is performance primary and DR primary at once,
// performance secondaries that are DR primaries of their own DR secondaries.
const OFFSETS = [0, 50, 100, 150, 200, 250];

let lab: Lab | null = null;
afterAll(async () => {
  await lab?.stop();
});

describe('coffer lab -topology=seed', () => {
  it('wires dallas, london, sydney and their DR secondaries; data flows down every link; Ctrl-C stops all', async () => {
    lab = await startLab(['-topology=seed'], OFFSETS, { startTimeoutMs: 150_000 });
    const [dallas, london, sydney, dallasDr, londonDr, sydneyDr] = [0, 100, 200, 50, 150, 250].map(lab.addr);
    expect(lab.output()).toMatch(/london\s+http:\/\/127\.0\.0\.1:\d+/);

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
    lab.proc.kill('SIGINT');
    await waitFor('the lab to exit', async () => lab!.proc.exitCode !== null, 20_000);
    for (const a of [dallas, london, sydney, dallasDr, londonDr, sydneyDr]) {
      await expect(fetch(`${a}/v1/sys/health`)).rejects.toThrow();
    }
  }, 240_000);
});
