// The NOC status wall against three real clusters: tiles come from each
// cluster's own WebSocket feed (no token, another origin), the list survives
// in the URL and localStorage, and a killed cluster's tile turns stale.
import { expect, test } from '@playwright/test';
import { attachScreenshot, collectErrors, startClusters, stopClusters, type DevCluster } from './cluster-fixtures';

let clusters: DevCluster[] = [];

test.beforeAll(async () => {
  test.setTimeout(90_000);
  clusters = await startClusters(['wall-alpha', 'wall-beta', 'wall-gamma']);
});

test.afterAll(async () => {
  await stopClusters(clusters);
});

test('three clusters on the wall; a killed one turns stale within 5 s', async ({ page }, testInfo) => {
  const [alpha, beta, gamma] = clusters;
  // The killed cluster's reconnect attempts are refused: Chromium logs those, and only those.
  const errors = collectErrors(page, [new RegExp(`WebSocket connection to 'ws://127\\.0\\.0\\.1:${gamma.port}/`)]);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(`${alpha.url}/ui/wall`);
  await expect(page.getByRole('heading', { name: 'Coffer status wall' })).toBeVisible();

  for (const c of clusters) {
    await page.getByLabel('Cluster address').fill(c.url.replace('http://', ''));
    await page.getByRole('button', { name: 'Add cluster' }).click();
  }
  const tile = (c: DevCluster) => page.getByRole('article', { name: new RegExp(`${c.url.replace(/[.]/g, '\\.')}$`) });
  for (const c of clusters) {
    await expect(tile(c).getByRole('heading', { name: c.name })).toBeVisible();
    await expect(tile(c).getByTestId('seal-state')).toHaveText('Unsealed');
    await expect(tile(c).getByTestId('wall-dr')).toHaveText(/DR replication disabled/);
    await expect(tile(c)).toHaveAttribute('data-stale', 'false');
  }

  // Shareable: the list is in the URL and in localStorage.
  const search = new URL(page.url()).searchParams.get('clusters');
  expect(search?.split(',')).toEqual(clusters.map((c) => c.url));
  expect(JSON.parse((await page.evaluate(() => localStorage.getItem('coffer.wall.clusters'))) ?? '[]')).toEqual(clusters.map((c) => c.url));
  await attachScreenshot(page, testInfo, 'wall: three live clusters');

  // Pull the plug on gamma.
  const killedAt = Date.now();
  await gamma.kill();
  await expect(tile(gamma)).toHaveAttribute('data-stale', 'true', { timeout: 5_000 });
  const staleAfter = Date.now() - killedAt;
  await expect(tile(gamma).getByTestId('stale-label')).toHaveText(/^Stale — no updates for \d+s$/);
  testInfo.annotations.push({ type: 'stale after', description: `${staleAfter} ms` });
  // The others stay live.
  for (const c of [alpha, beta]) await expect(tile(c)).toHaveAttribute('data-stale', 'false');
  await attachScreenshot(page, testInfo, 'wall: gamma killed, tile stale');

  // A shared link opens the same wall in a fresh browser state.
  const fresh = await page.context().newPage();
  await fresh.goto(`${beta.url}/ui/wall?clusters=${alpha.url},${beta.url}`);
  await expect(fresh.getByRole('article')).toHaveCount(2);
  await expect(fresh.getByRole('article').first().getByRole('heading', { name: alpha.name })).toBeVisible();
  await fresh.close();

  expect(errors, `console errors:\n${errors.join('\n')}`).toEqual([]);
});
