// Issue 8 item 9 in the console: a performance secondary re-pointed by its
// primary's cluster addresses (Vault's `update_primary_addrs`, no token) through
// the Update primary dialog, and the primary's known-secondaries table showing
// why a secondary's link ended once that secondary is killed.
// Screenshots of each new state go to /tmp/coffer-e2e-update-primary-*.png.
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { ReplicationModeStatus } from '../lib/types/replication';
import { collectErrors, signIn, startClusters, stopClusters, waitUntilReplicated, type DevCluster } from './cluster-fixtures';

let A: DevCluster;
let B: DevCluster;
let pageA: Page;
let pageB: Page;
let errorsA: string[] = [];
let errorsB: string[] = [];
/** The cluster address B follows (A's replication listener). */
let primaryClusterAddr = '';
/** Nothing listens there: connection refused at once. */
const DEAD_ADDR = 'https://127.0.0.1:1';

const ADMIN_POLICY = `path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }`;

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/coffer-e2e-update-primary-${name}.png`, fullPage: true });
const perfStatus = (c: DevCluster) => c.api<{ data: ReplicationModeStatus }>('sys/replication/performance/status', { token: null }).then((r) => r.data);

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  [A, B] = await startClusters(['addrs-a', 'addrs-b']);
  // B's own tokens go with the wipe; this login replicates from A.
  await A.api('sys/auth/userpass', { body: { type: 'userpass' } });
  await A.api('sys/policies/acl/admin', { method: 'PUT', body: { policy: ADMIN_POLICY } });
  await A.api('auth/userpass/users/admin', { body: { password: 'admin-pass', policies: 'admin' } });
  await A.api('sys/replication/performance/primary/enable', { body: {} });
  const activation = (await A.api<{ wrap_info: { token: string } }>('sys/replication/performance/primary/secondary-token', { body: { id: 'addrs-b' } })).wrap_info.token;
  await B.api('sys/replication/performance/secondary/enable', { body: { token: activation } });
  await waitUntilReplicated(A, B, 'performance');
  primaryClusterAddr = (await perfStatus(B)).primary_cluster_addr ?? '';
  expect(primaryClusterAddr).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const login = await B.api<{ auth: { client_token: string } }>('auth/userpass/login/admin', { body: { password: 'admin-pass' }, token: null });

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  pageA = await context.newPage();
  pageB = await context.newPage();
  // The refused address is answered with a 400 the dialog shows; the browser logs it.
  errorsA = collectErrors(pageA);
  errorsB = collectErrors(pageB, [/status of 400 .* @ http:\/\/127\.0\.0\.1:\d+\/v1\/sys\/replication\/performance\/secondary\/update-primary$/]);
  await signIn(pageA, A);
  await signIn(pageB, B, login.auth.client_token);
});

test.afterAll(async () => {
  await pageA?.context().close();
  await stopClusters([A, B]);
});

async function openAddrsRoute(): Promise<Locator> {
  await pageB.goto(`${B.url}/ui/vault/replication/performance/manage`);
  await expect(pageB.getByRole('heading', { name: 'Update primary' })).toBeVisible();
  await pageB.getByRole('button', { name: 'Update', exact: true }).click();
  const dialog = pageB.getByRole('dialog', { name: 'Update primary' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('radio', { name: 'Primary cluster addresses' }).check();
  return dialog;
}

test('a performance secondary re-pointed by its primary cluster addresses streams again', async () => {
  const dialog = await openAddrsRoute();
  const box = dialog.getByRole('textbox', { name: 'Primary cluster addresses, one per line' });
  const next = dialog.getByRole('button', { name: 'Continue' });

  // Validation: an API-style http address and one without a port, each named.
  await box.fill('http://127.0.0.1:8200\nhttps://primary.example');
  await box.blur();
  await expect(dialog.getByTestId('primary-addrs-errors')).toContainText('http://127.0.0.1:8200 must start with https://');
  await expect(dialog.getByTestId('primary-addrs-errors')).toContainText('https://primary.example needs a port');
  await expect(box).toHaveAttribute('aria-invalid', 'true');
  await expect(next).toBeDisabled();
  await shot(pageB, '1-validation');

  // Only an address where no primary answers: the server's refusal is shown, nothing changes.
  await box.fill(DEAD_ADDR);
  await expect(dialog.getByTestId('primary-addrs-errors')).toHaveCount(0);
  await next.click();
  const confirm = pageB.getByRole('dialog', { name: 'Re-point this secondary?' });
  await expect(confirm.getByRole('list', { name: 'Addresses to try, in order' })).toHaveText(DEAD_ADDR);
  await confirm.getByRole('button', { name: 'Re-point secondary' }).click();
  await expect(confirm.getByRole('alert')).toContainText("no primary in 'update_primary_addrs' accepted this secondary");
  await expect(confirm.getByRole('alert')).toContainText(DEAD_ADDR);
  await shot(pageB, '2-server-error');
  expect((await perfStatus(B)).primary_cluster_addr).toBe(primaryClusterAddr);

  // Back, then the dead address first and the primary's cluster address second: the first that accepts wins.
  await confirm.getByRole('button', { name: 'Back' }).click();
  await box.fill(`${DEAD_ADDR}\n${primaryClusterAddr}`);
  await next.click();
  await expect(confirm.getByRole('listitem')).toHaveText([DEAD_ADDR, primaryClusterAddr]);
  await expect(confirm).toContainText(`stops following ${primaryClusterAddr}`);
  await shot(pageB, '3-confirm');
  const answered = pageB.waitForResponse((r) => r.url().endsWith('/v1/sys/replication/performance/secondary/update-primary') && r.status() === 200);
  await confirm.getByRole('button', { name: 'Re-point secondary' }).click();
  await answered;
  await expect(confirm).toBeHidden();
  await expect(pageB.getByTestId('update-primary-done')).toHaveText(`This secondary now follows the primary at ${primaryClusterAddr}; no data was wiped.`);
  await shot(pageB, '4-success');

  // Streaming again: a write on A after the re-point reaches B, and B's page says stream-wals.
  await A.api('secret/data/after-repoint', { body: { data: { v: 'streamed' } } });
  await waitUntilReplicated(A, B, 'performance');
  await pageB.goto(`${B.url}/ui/vault/replication/performance`);
  await expect(pageB.getByTestId('secondary-state').locator('[data-state]')).toHaveAttribute('data-state', 'stream-wals');
  await expect(pageB.getByTestId('connection-state').locator('[data-state]')).toHaveAttribute('data-state', 'ready');
  const read = await B.api<{ data: { data: { v: string } } }>('secret/data/after-repoint', {
    token: (await B.api<{ auth: { client_token: string } }>('auth/userpass/login/admin', { body: { password: 'admin-pass' }, token: null })).auth.client_token,
  });
  expect(read.data.data.v).toBe('streamed');
});

test("a killed secondary's last error shows in the primary's known-secondaries table", async () => {
  await pageA.goto(`${A.url}/ui/vault/replication/performance`);
  const row = pageA.getByTestId('secondary-addrs-b');
  await expect(row).toContainText('connected');
  await expect(row.getByTestId('secondary-last-error')).toHaveText('—none');
  await expect(pageA.getByRole('columnheader', { name: 'Last error' })).toBeVisible();
  await shot(pageA, '5-no-error');

  await pageB.goto('about:blank'); // B's console would log its own server going away
  await B.kill();
  await expect(row.getByTestId('secondary-last-error')).toContainText('connection to the secondary was lost', { timeout: 60_000 });
  await expect(row).toContainText('disconnected');
  await shot(pageA, '6-last-error');
  // The same row on the Secondaries tab.
  await pageA.getByRole('link', { name: 'Secondaries', exact: true }).click();
  await expect(pageA.getByTestId('secondary-addrs-b').getByTestId('secondary-last-error')).toContainText('connection to the secondary was lost');
  await shot(pageA, '7-last-error-secondaries-tab');
});

test('no console errors on either cluster', async () => {
  const errors = [...errorsA, ...errorsB];
  expect(errors, errors.join('\n')).toEqual([]);
});
