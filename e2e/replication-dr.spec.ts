// Disaster Recovery replication set up, watched and failed over by clicking
// only, across two real clusters (seed 002's screens): enable a DR primary on
// A, add "my-first-dr-secondary", carry the activation token over on the
// clipboard, enable B as DR secondary, watch both dashboards settle, watch B
// follow a write on A live, then promote B with an operation token built
// from A's unseal key in the wizard.
import { expect, test, type Page } from '@playwright/test';
import {
  attachScreenshot,
  collectErrors,
  signIn,
  signInHere,
  startClusters,
  stopClusters,
  type DevCluster,
} from './cluster-fixtures';

let A: DevCluster;
let B: DevCluster;
let pageA: Page;
let pageB: Page;
let errors: string[] = [];
let errorsB: string[] = [];

/**
 * Deadlines for what the clusters do behind a click (bootstrap after enable,
 * promotion, a new console page rendered per request): seconds when the box
 * is idle, much more on a loaded 2-core machine. Every wait below is for the
 * app's own signal (a response, a navigation, a state the page shows); the
 * deadline only bounds how long a broken app can take to fail.
 */
const SETTLE_MS = 60_000;
const PROMOTE_PATH = '/v1/sys/replication/dr/secondary/promote';

test.describe.configure({ mode: 'serial', timeout: 4 * SETTLE_MS });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(90_000);
  [A, B] = await startClusters(['dr-a', 'dr-b']);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  pageA = await context.newPage();
  pageB = await context.newPage();
  // Expected, and only these: B's old token dies when B is wiped (403 from
  // lookup-self), and the browser logs every 4xx fetch.
  const ignore = [/status of 403 .* @ http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/token\/lookup-self$/];
  errors = collectErrors(pageA, ignore);
  errorsB = collectErrors(pageB, ignore);
});

test.afterAll(async () => {
  await pageA?.context().close();
  await stopClusters([A, B]);
});

test('DR set up by clicking: enable primary, add a secondary, enable it with the copied token', async ({}, testInfo) => {
  await signIn(pageA, A);
  await pageA.goto(`${A.url}/ui/vault/replication`);
  await expect(pageA.getByRole('heading', { name: 'Enable Replication' })).toBeVisible();
  await expect(pageA.getByRole('radio', { name: 'Disaster Recovery (DR)' })).toBeChecked();
  await expect(pageA.getByLabel('Cluster mode')).toHaveValue('primary');
  await expect(pageA.getByText('Overrides the cluster address that the primary gives to secondary nodes.')).toBeVisible();
  await pageA.getByRole('button', { name: 'Enable Replication' }).click();

  // The DR dashboard of a fresh primary (seed 002's screenshot).
  await expect(pageA).toHaveURL(/\/ui\/vault\/replication\/dr$/);
  await expect(pageA.getByRole('heading', { name: 'Disaster Recovery', level: 1 })).toBeVisible();
  await expect(pageA.getByTestId('mode-badge')).toHaveText('primary');
  for (const tab of ['Details', 'Manage', 'Secondaries']) await expect(pageA.getByRole('link', { name: tab, exact: true })).toBeVisible();
  await expect(pageA.getByTestId('card-state').locator('[data-state]')).toHaveAttribute('data-state', 'running');
  await expect(pageA.getByTestId('card-state')).toContainText("The cluster's current operating state.");
  await expect(pageA.getByTestId('last-wal')).toHaveText(/^\d+$/);
  await expect(pageA.getByRole('heading', { name: '0 Known Secondaries' })).toBeVisible();
  await expect(pageA.getByText('No known dr secondary clusters associated with this cluster.')).toBeVisible();
  await expect(pageA.getByTestId('row-primary_cluster_addr')).toContainText('None set');
  await attachScreenshot(pageA, testInfo, 'A: DR primary, no secondaries');

  // Add secondary → Generate a secondary.
  await pageA.getByRole('link', { name: 'Add secondary' }).click();
  await expect(pageA.getByRole('heading', { name: 'Generate a secondary' })).toBeVisible();
  await pageA.getByLabel('Secondary ID').fill('my-first-dr-secondary');
  await expect(pageA.getByRole('switch', { name: 'Time to Live (TTL) for generated secondary token' })).toHaveAttribute('aria-checked', 'false');
  await expect(pageA.getByText('If not set, the default value (30 minutes) will be used')).toBeVisible();
  await pageA.getByRole('button', { name: 'Generate token' }).click();

  const copy = pageA.getByRole('dialog', { name: 'Copy your token' });
  await expect(copy).toBeVisible();
  await expect(copy).toContainText('This token can be used to enable Disaster Recovery replication or change primaries on the secondary cluster.');
  await expect(copy.getByTestId('token-ttl')).toHaveText('1800s');
  await expect(copy.getByTestId('token-expires')).toHaveText(/\d{4}/);
  const shownToken = await copy.getByLabel('Activation token').inputValue();
  expect(shownToken.split('.')).toHaveLength(3);
  await expect(copy.getByTestId('token-fingerprint')).toHaveText(/Token fingerprint: [0-9a-f]{4}…[0-9a-f]{4}/);
  const fingerprint = (await copy.getByTestId('token-fingerprint').textContent())!;
  // Not dismissable before copying.
  await pageA.keyboard.press('Escape');
  await expect(copy).toBeVisible();
  await attachScreenshot(pageA, testInfo, 'A: Copy your token');
  await copy.getByRole('button', { name: 'Copy & Close' }).click();
  await expect(copy).toBeHidden();
  const token = await pageA.evaluate(() => navigator.clipboard.readText());
  expect(token).toBe(shownToken);
  await expect(pageA).toHaveURL(/\/ui\/vault\/replication\/dr\/secondaries$/);
  await expect(pageA.getByTestId('secondary-my-first-dr-secondary')).toBeVisible();

  // B: enable as DR secondary with the pasted token.
  await signIn(pageB, B);
  await pageB.goto(`${B.url}/ui/vault/replication`);
  await pageB.getByLabel('Cluster mode').selectOption('secondary');
  await expect(pageB.getByText('This will immediately clear all data in this cluster!')).toBeVisible();
  await pageB.getByLabel('Secondary activation token').fill(token);
  await expect(pageB.getByTestId('token-fingerprint')).toHaveText(fingerprint);
  await expect(pageB.getByLabel('Primary API address (optional)')).toBeVisible(); // the token carries addr
  await expect(pageB.getByLabel('CA file (optional)')).toBeVisible();
  await expect(pageB.getByLabel('CA path (optional)')).toBeVisible();
  await attachScreenshot(pageB, testInfo, 'B: enable DR secondary form');
  await pageB.getByRole('button', { name: 'Enable Replication' }).click();
  const confirm = pageB.getByRole('dialog', { name: 'Enable Disaster Recovery secondary?' });
  await expect(confirm.getByRole('button', { name: 'Enable secondary' })).toBeDisabled();
  await confirm.getByLabel('Type "Disaster Recovery" to confirm').fill('Disaster Recovery');
  await confirm.getByRole('button', { name: 'Enable secondary' }).click();

  // B lands on its DR-secondary screen (no token needed) and settles.
  await expect(pageB).toHaveURL(/\/ui\/vault\/replication-dr-promote$/, { timeout: SETTLE_MS });
  await expect(pageB.getByTestId('secondary-state').locator('[data-state]')).toHaveAttribute('data-state', 'stream-wals', { timeout: SETTLE_MS });
  await expect(pageB.getByTestId('connection-state').locator('[data-state]')).toHaveAttribute('data-state', 'ready', { timeout: SETTLE_MS });
  await expect(pageB.getByTestId('mode-badge')).toHaveText('secondary');
  await expect(pageB.getByText('my-first-dr-secondary').first()).toBeVisible();
  await expect(pageB.getByTestId('feed-status')).toHaveText('Live', { timeout: SETTLE_MS });
  await attachScreenshot(pageB, testInfo, 'B: DR secondary dashboard, stream-wals');

  // A sees its secondary connected, live.
  await pageA.getByRole('link', { name: 'Details', exact: true }).click();
  await expect(pageA.getByRole('heading', { name: '1 Known Secondaries' })).toBeVisible();
  await expect(pageA.getByTestId('secondary-my-first-dr-secondary')).toContainText('connected', { timeout: SETTLE_MS });
  await expect(pageA.getByTestId('secondary-my-first-dr-secondary')).toContainText(B.url);
  await attachScreenshot(pageA, testInfo, 'A: DR primary with one connected secondary');

  // A's Status menu shows each mode's state.
  await pageA.getByRole('button', { name: 'Status' }).click();
  await expect(pageA.getByTestId('status-menu-dr')).toContainText('running');
  await pageA.keyboard.press('Escape');
});

test("a secret written on A moves B's last remote WAL, live", async ({}, testInfo) => {
  await pageB.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  const before = Number(await pageB.getByTestId('last-remote-wal').textContent());

  await pageA.goto(`${A.url}/ui/vault/secrets/secret/create`);
  await pageA.getByLabel('Path for this secret').fill('drill/check');
  await pageA.getByLabel('Key 1').fill('written');
  await pageA.getByLabel('Value 1').fill('on A');
  await pageA.getByRole('button', { name: 'Save' }).click();
  await expect(pageA.getByTestId('secret-version')).toHaveText('Version 1');

  await expect.poll(async () => Number(await pageB.getByTestId('last-remote-wal').textContent()), { timeout: SETTLE_MS }).toBeGreaterThan(before);
  expect(await pageB.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await attachScreenshot(pageB, testInfo, "B: last remote WAL advanced after A's write");
});

test('DR promotion by clicking through the operation-token wizard', async ({}, testInfo) => {
  await pageB.getByRole('link', { name: 'Manage', exact: true }).click();
  await expect(pageB).toHaveURL(/\/ui\/vault\/replication-dr-promote\/manage$/);

  await pageB.getByRole('button', { name: 'Generate operation token' }).click();
  const wizard = pageB.getByRole('dialog', { name: 'Generate operation token' });
  await wizard.getByRole('button', { name: 'Start' }).click();
  await expect(wizard.getByTestId('otp')).toHaveText(/^\S{20,}$/);
  await expect(wizard.getByTestId('nonce')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(wizard.getByTestId('key-progress')).toHaveText('Progress: 0/1');
  await attachScreenshot(pageB, testInfo, 'B: operation-token wizard, OTP and nonce');
  await wizard.getByLabel('Root key portion').fill(A.unsealKey);
  await wizard.getByRole('button', { name: 'Generate token' }).click();
  await expect(wizard.getByTestId('key-progress')).toHaveText('Progress: 1/1 — complete');
  await expect(wizard.getByLabel('Encoded operation token')).not.toHaveValue('');
  const decoded = await wizard.getByLabel('Decoded DR operation token').inputValue();
  expect(decoded).toMatch(/^hvs\./);
  await attachScreenshot(pageB, testInfo, 'B: operation-token wizard, decoded token');
  await wizard.getByRole('button', { name: 'Clear & Close' }).click();

  await pageB.getByRole('button', { name: 'Promote', exact: true }).click();
  const promote = pageB.getByRole('dialog', { name: 'Promote cluster?' });
  await expect(promote.getByLabel('DR Operation Token')).toHaveValue(decoded);
  await expect(promote.getByLabel('Force promotion of this cluster')).not.toBeChecked();
  await attachScreenshot(pageB, testInfo, 'B: Promote cluster? with the decoded token');
  // Promotion stops the secondary's link and makes the new primary's replication CA before it answers.
  const promoted = pageB.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === PROMOTE_PATH, { timeout: SETTLE_MS });
  const clickedAt = Date.now();
  await promote.getByRole('button', { name: 'Promote' }).click();
  const answer = await promoted;
  expect(answer.status(), await answer.text()).toBe(200);
  const answeredAt = Date.now();

  // The console moves on by itself once the promotion answered: to the DR dashboard, which asks for a sign-in
  // (B's own token went with the wipe). B is a DR primary now and serves clients with the replicated tokens.
  await expect(pageB).toHaveURL(/\/ui\/vault\/auth\?redirect_to=%2Fvault%2Freplication%2Fdr$/, { timeout: SETTLE_MS });
  testInfo.annotations.push({
    type: 'promotion timing',
    description: `promote answered ${answeredAt - clickedAt} ms after the click; the sign-in page showed ${Date.now() - answeredAt} ms after the answer`,
  });
  const health = await B.api<{ replication_dr_mode: string }>('sys/health?drsecondarycode=200', { token: null });
  expect(health.replication_dr_mode).toBe('primary');
  await signInHere(pageB, A.rootToken);
  await expect(pageB).toHaveURL(/\/ui\/vault\/replication\/dr$/, { timeout: SETTLE_MS });
  await expect(pageB.getByTestId('mode-badge')).toHaveText('primary', { timeout: SETTLE_MS });
  await expect(pageB.getByTestId('card-state').locator('[data-state]')).toHaveAttribute('data-state', 'running', { timeout: SETTLE_MS });
  await attachScreenshot(pageB, testInfo, 'B: promoted to DR primary');
});

test('no console errors on either cluster', async () => {
  expect([...errors, ...errorsB], `console errors:\n${[...errors, ...errorsB].join('\n')}`).toEqual([]);
});
