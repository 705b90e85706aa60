// Vault UI's Raft Storage screen against a real 3-node HA cluster (coffer lab
// -nodes=3): the status wall lists the three nodes with one active, and after
// a step-down of the active the wall, the Raft Storage screen and a standby's
// Status menu name the new active without a reload (the status feed's HA
// nodes); the peers table lists three nodes with one leader, a snapshot
// downloads, and Remove peer of a follower (after typing its id) leaves two.
// A standby's console says which node is active.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
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

/** The active node once one other than `not` says so (a failover takes a lease or two). */
async function waitActive(not?: string): Promise<{ name: string; url: string }> {
  let found: string | null = null;
  await expect(async () => {
    found = await activeUrl().catch(() => null);
    expect(found !== null && found !== not).toBe(true);
  }).toPass({ timeout: SETTLE_MS });
  return lab.nodes.find((n) => n.url === found)!;
}

/** A full-page screenshot, kept in the test's output folder and attached to the report. */
async function attachScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const body = await page.screenshot({ path: testInfo.outputPath(`${name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/** The document's start time: unchanged means the page was never reloaded or navigated away. */
const documentStart = (page: Page) => page.evaluate(() => performance.timeOrigin);

type LabNode = RaftLab['nodes'][number];

/**
 * Retries `check` against the node that is active at that moment, until it
 * passes: on a loaded box the cluster may fail over by itself (a lease runs
 * out), and the console must follow whatever the cluster says.
 */
async function expectShowsActive(check: (active: LabNode) => Promise<void>, not?: string): Promise<LabNode> {
  let shown: LabNode | undefined;
  await expect(async () => {
    const url = await activeUrl();
    expect(url).not.toBe(not);
    shown = lab.nodes.find((n) => n.url === url)!;
    await check(shown);
  }).toPass({ timeout: SETTLE_MS });
  return shown!;
}

const QUICK = { timeout: 5_000 };

test('the wall shows three nodes with one active; after a step-down the wall, the Raft Storage screen and a standby name the new active without a reload', async ({ browser }, testInfo) => {
  const atStart = (await waitActive()).url;
  const watched = lab.nodes.find((n) => n.url !== atStart)!;

  // The wall, served by one node's console, watching that node: its feed lists the whole cluster.
  const wall = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await wall.goto(`${watched.url}/ui/wall?clusters=${watched.url}`);
  const tile = wall.getByRole('article', { name: new RegExp(`${watched.url.replace(/[.]/g, '\\.')}$`) });
  const nodes = tile.getByRole('list', { name: 'Nodes' }).getByRole('listitem');
  const nodeItem = (name: string) => nodes.filter({ hasText: new RegExp(`^${name}\\b`) });
  await expect(nodes).toHaveCount(3, { timeout: SETTLE_MS });
  const wallShows = async (active: LabNode) => {
    await expect(nodeItem(active.name)).toContainText('Active', QUICK);
    await expect(nodes.filter({ hasText: 'Active' })).toHaveCount(1, QUICK);
    await expect(nodes.filter({ hasText: 'Standby' })).toHaveCount(2, QUICK);
  };
  await expectShowsActive(wallShows);
  await attachScreenshot(wall, testInfo, 'wall: three nodes, one active');

  // The Raft Storage screen marks the active as leader; the Status menu names it (or says this node is it).
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors = collectErrors(page);
  await signIn(page, asCluster(watched.url), lab.rootToken, '/vault/storage/raft');
  const ha = page.getByRole('group', { name: 'High availability' });
  const raftShows = (p: Page, self: LabNode) => async (active: LabNode) => {
    await expect(peerRows(p).filter({ has: p.getByTestId('raft-leader-badge') })).toContainText(active.name, QUICK);
    await expect(peerRows(p).filter({ hasText: active.name })).toContainText('Active', QUICK);
    if (active !== self) await expect(p.getByTestId('raft-active-node')).toContainText(active.name, QUICK);
  };
  const menuShows = (p: Page, self: LabNode) => async (active: LabNode) => {
    if (!(await p.getByRole('group', { name: 'High availability' }).isVisible())) await p.getByRole('button', { name: 'Status' }).click();
    await expect(p.getByRole('group', { name: 'High availability' })).toContainText(active === self ? 'This node: Active' : `Active node: ${active.name}`, QUICK);
  };
  await expectShowsActive(raftShows(page, watched));
  await expectShowsActive(menuShows(page, watched));
  await expect(ha).toBeVisible();
  await attachScreenshot(page, testInfo, 'Status menu names the active');
  await page.keyboard.press('Escape');
  const [wallStart, pageStart] = [await documentStart(wall), await documentStart(page)];

  // Step the active down: another node takes over, and both pages follow the feed.
  const down = await waitActive();
  const res = await fetch(`${down.url}/v1/sys/step-down`, { method: 'PUT', headers: { 'X-Vault-Token': lab.rootToken } });
  expect(res.status).toBe(204);
  await expectShowsActive(wallShows, down.url);
  await expect(nodeItem(down.name)).toContainText('Standby');
  await attachScreenshot(wall, testInfo, 'wall: after the step-down');
  await expectShowsActive(raftShows(page, watched), down.url);
  await attachScreenshot(page, testInfo, 'Raft Storage after the step-down');
  expect([await documentStart(wall), await documentStart(page)]).toEqual([wallStart, pageStart]);

  // The node stepped down is a standby (it stays out of elections for 10 s): its console names the new active.
  const standby = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await signIn(standby, asCluster(down.url), lab.rootToken, '/vault/storage/raft');
  await expectShowsActive(raftShows(standby, down));
  await expectShowsActive(menuShows(standby, down));
  await expect(standby.getByRole('group', { name: 'High availability' })).toContainText(/This node: (Performance standby|Active)/);
  await attachScreenshot(standby, testInfo, 'stepped-down node: Status menu');
  expect(errors).toEqual([]);
  await Promise.all([wall.close(), page.close(), standby.close()]);
});

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
