import { afterEach, describe, expect, it, vi } from 'vitest';
import { labControlProblem, listDrills, mergeClusterAddrs, probeCluster } from './drills';

function answer(status: number, body: unknown) {
  const urls: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    urls.push(url);
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  });
  return urls;
}

afterEach(() => vi.unstubAllGlobals());

describe('mergeClusterAddrs', () => {
  it('offers each cluster once, in order: this one, its peers, the wall', () => {
    expect(mergeClusterAddrs(['http://a:8200'], ['http://b:8250/', 'http://a:8200', 'https://c:8300'], ['', 'not-a-url', 'http://b:8250'])).toEqual([
      'http://a:8200',
      'http://b:8250',
      'https://c:8300',
    ]);
  });
});

describe('listDrills', () => {
  it("reads LIST sys/drills' key_info, newest first", async () => {
    const urls = answer(200, {
      data: {
        keys: ['d1', 'd2'],
        key_info: { d1: { started_at: '2026-12-01T10:00:00Z', kind: 'planned' }, d2: { started_at: '2026-12-02T10:00:00Z', kind: 'unplanned' } },
      },
    });
    const rows = await listDrills('t');
    expect(urls[0]).toBe('/v1/sys/drills?list=true');
    expect(rows.map((r) => r.id)).toEqual(['d2', 'd1']);
  });

  it("is empty on Vault's 404 for an empty list", async () => {
    answer(404, { errors: [] });
    expect(await listDrills('t')).toEqual([]);
  });
});

describe('probeCluster and labControlProblem', () => {
  it('names a cluster from its health, and says why when it cannot be asked', async () => {
    answer(200, { cluster_name: 'dallas', replication_dr_mode: 'primary', replication_performance_mode: 'primary' });
    expect(await probeCluster('http://x:1')).toMatchObject({ name: 'dallas', drMode: 'primary', problem: null });
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect((await probeCluster('http://x:1')).problem).toMatch(/unreachable/);
  });

  it('explains why an unplanned failover is not offered on a cluster without the lab endpoint', async () => {
    answer(404, { errors: [] });
    expect(await labControlProblem('http://x:1', 't')).toMatch(/not started by `coffer lab`/);
    answer(200, { data: {} });
    expect(await labControlProblem('http://x:1', 't')).toBeNull();
  });
});
