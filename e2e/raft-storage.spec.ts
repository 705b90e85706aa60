// Vault UI's Raft Storage screen against a real 3-node HA cluster (coffer lab
// -nodes=3): the peers table lists three nodes with one leader, a snapshot
// downloads, and Remove peer of a follower (after typing its id) leaves two.
// A standby's console says which node is active.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { collectErrors, signIn, type DevCluster } from './cluster-fixtures';
import { startRaftLab, type RaftLab } from './support/raft-lab';

const SETTLE_MS = 60_000;
let lab: RaftLab;

test.describe.configure({ mode: 'serial', timeout: 6 * SETTLE_MS });

test.beforeAll(async () => {
  test.setTimeout(360_000);
  lab = await startRaftLab();
});

test.afterAll(async () => {
  await lab?.stop();
});

const asCluster = (url: string) => ({ url, rootToken: lab.rootToken }) as DevCluster;
const peerRows = (page: Page) => page.getByRole('table', { name: 'Raft peers' }).locator('tbody tr');

async function activeUrl(): Promise<string> {
  for (const n of lab.nodes) {
    const r = await fetch(`${n.url}/v1/sys/leader`).then((res) => res.json());
    if (r.is_self) return n.url;
  }
  throw new Error(`no active node:\n${lab.logs()}`);
}

test('the Raft Storage screen lists three peers with one leader, downloads a snapshot, and removes a follower', async ({ browser }, testInfo) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors = collectErrors(page);
  const active = await activeUrl();
  await signIn(page, asCluster(active));

  // From the Status menu, as in Vault.
  await page.getByRole('button', { name: 'Status' }).click();
  await page.getByRole('menuitem', { name: 'Raft Storage' }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/storage\/raft$/, { timeout: SETTLE_MS });
  await expect(page.getByRole('heading', { name: 'Raft Storage', level: 1 })).toBeVisible({ timeout: SETTLE_MS });

  await expect(peerRows(page)).toHaveCount(3, { timeout: SETTLE_MS });
  for (const n of lab.nodes) await expect(peerRows(page).filter({ hasText: n.name })).toHaveCount(1);
  await expect(page.getByTestId('raft-leader-badge')).toHaveCount(1);
  await expect(page.getByTestId('raft-failure-tolerance')).toHaveText('1 node', { timeout: SETTLE_MS });
  await page.screenshot({ path: testInfo.outputPath('raft-storage-three-peers.png'), fullPage: true });

  // Download snapshot: a file with the cluster's data.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: SETTLE_MS }), page.getByRole('button', { name: 'Download snapshot' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^raft-snapshot-dallas-.*\.snap$/);
  const saved = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(saved);
  expect(readFileSync(saved).length).toBeGreaterThan(0);
  await expect(page.getByText(/Snapshot downloaded \([\d,]+ bytes\)/)).toBeVisible();

  // Remove a follower: the confirm button waits for its id to be typed.
  // A follower that is not the node this page talks to (etcd's raft leader need not be Coffer's active node).
  const selfName = lab.nodes.find((n) => n.url === active)!.name;
  const follower = peerRows(page).filter({ hasNot: page.getByTestId('raft-leader-badge') }).filter({ hasNotText: selfName }).first();
  const followerId = (await follower.locator('td').first().innerText()).trim().split(/\s/)[0];
  await page.getByRole('button', { name: `Remove peer ${followerId}` }).click();
  const dialog = page.getByRole('dialog', { name: `Remove peer ${followerId}?` });
  await expect(dialog).toBeVisible();
  const confirm = dialog.getByRole('button', { name: 'Remove peer' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(`Type "${followerId}" to confirm`).fill(followerId);
  await page.screenshot({ path: testInfo.outputPath('raft-storage-remove-confirm.png') });
  await confirm.click();
  await expect(dialog).toBeHidden({ timeout: SETTLE_MS });
  await expect(page.getByText(`Peer ${followerId} removed successfully.`)).toBeVisible();
  await expect(peerRows(page)).toHaveCount(2, { timeout: SETTLE_MS });
  await expect(peerRows(page).filter({ hasText: followerId })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('raft-storage-two-peers.png'), fullPage: true });
  expect(errors).toEqual([]);

  // On a standby still in the cluster the screen names the active node.
  const standby = lab.nodes.find((n) => n.url !== active && n.name !== followerId)!;
  const other = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await signIn(other, asCluster(standby.url), lab.rootToken, '/vault/storage/raft');
  await expect(other.getByTestId('raft-active-node')).toContainText(new URL(active).port, { timeout: SETTLE_MS });
  await expect(peerRows(other)).toHaveCount(2, { timeout: SETTLE_MS });
  await other.screenshot({ path: testInfo.outputPath('raft-storage-standby.png'), fullPage: true });
});
