// A screenshot of every console screen this issue adds, attached to the
// report, from three real clusters: A is DR primary and performance primary,
// B its DR secondary, C its performance secondary. Replication is set up via
// the API here (the click-through flows are in replication-*.spec.ts); each
// screen is checked for its key label before it is photographed.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { chooseUsernameMethod, collectErrors, signIn, startClusters, stopClusters, type DevCluster } from './cluster-fixtures';

let A: DevCluster;
let B: DevCluster;
let C: DevCluster;

const OPS_POLICY = `
path "secret/*" { capabilities = ["read", "list", "create", "update"] }
path "sys/mounts" { capabilities = ["read"] }
path "sys/internal/ui/mounts/*" { capabilities = ["read"] }
path "sys/replication/*" { capabilities = ["read", "update"] }
`;

interface WrapResponse {
  wrap_info: { token: string };
}

/** Full page, except with a modal open (a full-page capture would smear the sticky header). */
async function shot(page: Page, info: TestInfo, name: string) {
  await page.waitForLoadState('networkidle', { timeout: 2_000 }).catch(() => {});
  const modal = await page.locator('dialog[open]').count();
  await info.attach(name, { body: await page.screenshot({ fullPage: modal === 0 }), contentType: 'image/png' });
}

async function waitForState(c: DevCluster, kind: 'dr' | 'performance', state: string) {
  await expect
    .poll(async () => (await c.api<{ data: { state?: string } }>(`sys/replication/${kind}/status`, { token: null })).data.state, { timeout: 60_000 })
    .toBe(state);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(90_000);
  [A, B, C] = await startClusters(['shots-a', 'shots-b', 'shots-c']);
  await A.api('sys/auth/userpass', { body: { type: 'userpass' } });
  await A.api('sys/policies/acl/ops', { method: 'PUT', body: { policy: OPS_POLICY } });
  await A.api('auth/userpass/users/ops', { body: { password: 'ops-pass', policies: 'ops' } });
  await A.api('secret/data/app/db', { body: { data: { username: 'admin', password: 'hunter2' } } });
  await A.api('secret/data/app/db', { body: { data: { username: 'admin', password: 'correct-horse' } } });
  await A.api('secret/data/team/billing', { body: { data: { api_key: 'k-123' } } });
});

test.afterAll(async () => {
  await stopClusters([A, B, C]);
});

test('sign-in, secrets and the KV browser', async ({ page }, info) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${A.url}/ui/vault/auth`);
  await expect(page.getByRole('heading', { name: 'Sign in to Coffer' })).toBeVisible();
  await shot(page, info, '01 sign in');
  await signIn(page, A);
  await expect(page.getByRole('link', { name: 'secret/', exact: true })).toBeVisible();
  await shot(page, info, '02 secrets engines');
  await page.getByRole('link', { name: 'secret/', exact: true }).click();
  await expect(page.getByRole('link', { name: /app\// })).toBeVisible();
  await shot(page, info, '03 KV list secret/');
  await page.goto(`${A.url}/ui/vault/secrets/secret/show/app/db`);
  await expect(page.getByTestId('secret-version')).toHaveText('Version 2');
  await shot(page, info, '04 KV secret app/db, version 2');
  await page.getByRole('link', { name: 'Edit secret' }).click();
  await expect(page.getByLabel('Path for this secret')).toHaveValue('app/db');
  await shot(page, info, '05 KV edit secret');
  await page.goto(`${A.url}/ui/vault/secrets/secret/create?initialKey=team%2F`);
  await expect(page.getByRole('heading', { name: 'Create secret' })).toBeVisible();
  await shot(page, info, '06 KV create secret');
  await page.goto(`${A.url}/ui/vault/secrets/secret/show/does/not/exist`);
  await expect(page.getByText('This secret does not exist.')).toBeVisible();
  await shot(page, info, '07a KV secret not found');
  await page.goto(`${A.url}/ui/vault/secrets/no-such-mount/list`);
  await expect(page.getByRole('button', { name: 'Retry' })).toBeVisible();
  await shot(page, info, '07 error boundary with Retry');
});

test('enable forms and the skeleton', async ({ page }, info) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, C);
  // In a second tab, hold the status (and the feed) back to photograph the loading skeleton.
  const slow = await page.context().newPage();
  await slow.setViewportSize({ width: 1280, height: 900 });
  await slow.goto(`${C.url}/ui/vault/auth`);
  await slow.evaluate((t) => sessionStorage.setItem('coffer.token', t), C.rootToken);
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  await slow.route('**/v1/sys/replication/status', async (route) => {
    await held;
    await route.continue();
  });
  await slow.routeWebSocket(/status\/feed/, () => {}); // a feed that never says anything
  await slow.goto(`${C.url}/ui/vault/replication`);
  await expect(slow.getByRole('status').filter({ hasText: 'Loading replication status' })).toBeAttached();
  await shot(slow, info, '08 replication loading skeleton');
  release();
  await expect(slow.getByRole('heading', { name: 'Enable Replication' })).toBeVisible();
  await expect(slow.getByTestId('feed-status')).toHaveText('Reconnecting…');
  await shot(slow, info, '09 Enable Replication (primary), feed reconnecting');
  await slow.close();

  await page.goto(`${C.url}/ui/vault/replication`);
  await page.getByLabel('Cluster mode').selectOption('secondary');
  // A token without an addr claim: the address becomes required, in red.
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  await page.getByLabel('Secondary activation token').fill(`${b64({ alg: 'ES512' })}.${b64({ exp: 2000000000, type: 'wrapping' })}.c2ln`);
  await expect(page.getByText('This token does not include the primary’s address.', { exact: false })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enable Replication' })).toBeDisabled();
  await shot(page, info, '10 Enable Replication (secondary), address required');
  await page.getByLabel('Primary API address').fill(A.url);
  await page.getByRole('button', { name: 'Enable Replication' }).click();
  await expect(page.getByRole('dialog', { name: 'Enable Disaster Recovery secondary?' })).toBeVisible();
  await shot(page, info, '11 confirm secondary enable (type to confirm)');
});

test('primary screens', async ({ page }, info) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await A.api('sys/replication/dr/primary/enable', { body: {} });
  await A.api('sys/replication/performance/primary/enable', { body: {} });
  const drToken = (await A.api<WrapResponse>('sys/replication/dr/primary/secondary-token', { body: { id: 'dr-b' } })).wrap_info.token;
  await B.api('sys/replication/dr/secondary/enable', { body: { token: drToken } });
  const perfToken = (await A.api<WrapResponse>('sys/replication/performance/primary/secondary-token', { body: { id: 'perf-c' } })).wrap_info.token;
  await C.api('sys/replication/performance/secondary/enable', { body: { token: perfToken } });
  await waitForState(B, 'dr', 'stream-wals');
  await waitForState(C, 'performance', 'stream-wals');

  await signIn(page, A);
  await page.goto(`${A.url}/ui/vault/replication`);
  await expect(page.getByRole('heading', { name: 'Replication', level: 1 })).toBeVisible();
  await shot(page, info, '12 replication overview (both kinds)');
  await page.getByRole('button', { name: 'Status' }).click();
  await expect(page.getByTestId('status-menu-dr')).toContainText('running');
  await shot(page, info, '13 Status menu with each mode');
  await page.keyboard.press('Escape');

  await page.goto(`${A.url}/ui/vault/replication/dr`);
  await expect(page.getByTestId('secondary-dr-b')).toContainText('connected');
  await shot(page, info, '14 DR primary details');
  await page.goto(`${A.url}/ui/vault/replication/performance`);
  await expect(page.getByTestId('secondary-perf-c')).toContainText('connected');
  await shot(page, info, '15 Performance primary details');
  await page.getByRole('link', { name: 'Secondaries', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Revoke perf-c' })).toBeVisible();
  await shot(page, info, '16 Secondaries list');
  await page.getByRole('button', { name: 'Revoke perf-c' }).click();
  await expect(page.getByRole('dialog', { name: 'Revoke token?' })).toBeVisible();
  await shot(page, info, '17 Revoke token? dialog');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('link', { name: 'Add secondary' }).click();
  await page.getByLabel('Secondary ID').fill('perf-d');
  await page.getByRole('switch', { name: 'Time to Live (TTL) for generated secondary token' }).click();
  await expect(page.getByLabel('TTL duration')).toBeVisible();
  await shot(page, info, '18 Generate a secondary (TTL on)');
  await page.getByRole('button', { name: 'Generate token' }).click();
  await expect(page.getByRole('dialog', { name: 'Copy your token' })).toBeVisible();
  await shot(page, info, '19 Copy your token');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy & Close' }).click();

  await page.goto(`${A.url}/ui/vault/replication/dr/manage`);
  for (const t of ['Demote cluster', 'Disable Replication', 'Revoke a secondary', 'Create a batch DR operation token']) {
    await expect(page.getByRole('heading', { name: t })).toBeVisible();
  }
  await shot(page, info, '20 DR primary Manage');
  await page.getByRole('button', { name: 'Demote' }).click();
  await expect(page.getByRole('dialog', { name: 'Demote to secondary?' })).toBeVisible();
  await page.getByLabel('Type "Disaster Recovery" to confirm').fill('Disaster Rec');
  await shot(page, info, '21 Demote dialog, half typed');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Disable Replication' }).click();
  await expect(page.getByRole('dialog', { name: 'Disable Replication?' })).toBeVisible();
  await shot(page, info, '22 Disable Replication? dialog');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Create token' }).click();
  const batch = page.getByRole('dialog', { name: 'Create a batch DR operation token' });
  await batch.getByRole('button', { name: 'Create token' }).click();
  await expect(batch.getByLabel('Batch DR operation token')).toHaveValue(/^hvb\./);
  await shot(page, info, '23 batch DR operation token');
});

test('secondary screens and the wall', async ({ page }, info) => {
  const errors = collectErrors(page, [/status of 40[34] /]);
  await page.setViewportSize({ width: 1280, height: 900 });
  // B is a DR secondary: any console route lands on its own screen, no token needed.
  await page.goto(`${B.url}/ui/vault/replication/dr`);
  await expect(page).toHaveURL(/\/ui\/vault\/replication-dr-promote$/);
  await expect(page.getByTestId('secondary-state').locator('[data-state]')).toHaveAttribute('data-state', 'stream-wals');
  await page.waitForTimeout(2500); // a few lag samples for the sparkline
  await shot(page, info, '24 DR secondary screen, Details');
  await page.getByRole('link', { name: 'Manage', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Promote cluster' })).toBeVisible();
  await shot(page, info, '25 DR secondary screen, Manage');
  await page.getByRole('button', { name: 'Generate operation token' }).click();
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('key-progress')).toHaveText('Progress: 0/1');
  await shot(page, info, '26 operation-token wizard');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Promote cluster?' })).toBeVisible();
  await shot(page, info, '27 Promote cluster? dialog');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page.getByRole('dialog', { name: 'Update primary' })).toBeVisible();
  await shot(page, info, '28 Update primary dialog');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // C is a performance secondary; its operator signs in with the replicated userpass login.
  await page.goto(`${C.url}/ui/vault/auth?redirect_to=%2Fvault%2Freplication%2Fperformance`);
  await chooseUsernameMethod(page);
  await page.getByLabel('Username').fill('ops');
  await page.getByLabel('Password').fill('ops-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/replication\/performance$/);
  await expect(page.getByTestId('secondary-state').locator('[data-state]')).toHaveAttribute('data-state', 'stream-wals');
  await page.waitForTimeout(2500);
  await shot(page, info, '29 Performance secondary details');
  await page.getByRole('link', { name: 'Manage', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Update primary' })).toBeVisible();
  await shot(page, info, '30 Performance secondary Manage');

  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(`${A.url}/ui/wall?clusters=${A.url},${B.url},${C.url}`);
  await expect(page.getByRole('article')).toHaveCount(3);
  for (const c of [A, B, C]) await expect(page.getByRole('heading', { name: c.name })).toBeVisible();
  await expect(page.getByText('DR secondary')).toBeVisible();
  await expect(page.getByText('Perf secondary')).toBeVisible();
  await shot(page, info, '31 status wall, 1920x1080');
  expect(errors, errors.join('\n')).toEqual([]);
});
