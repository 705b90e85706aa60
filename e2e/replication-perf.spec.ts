// Performance replication set up by clicking across two real clusters, then a
// secret written on the primary read back in the secondary's KV browser.
// A performance secondary is wiped when enabled and keeps its own tokens, so
// on B the operator signs in again through userpass, which replicates from A.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  attachScreenshot,
  chooseUsernameMethod,
  collectErrors,
  signIn,
  startClusters,
  stopClusters,
  waitUntilReplicated,
  type DevCluster,
} from './cluster-fixtures';

let A: DevCluster;
let B: DevCluster;
let pageA: Page;
let pageB: Page;
let errorsA: string[] = [];
let errorsB: string[] = [];

const OPS_POLICY = `
path "secret/*" { capabilities = ["read", "list", "create", "update"] }
path "sys/mounts" { capabilities = ["read"] }
path "sys/internal/ui/mounts/*" { capabilities = ["read"] }
`;

// A replicated file audit device is on from the start (issue 10 item 1): the
// console must work through it on both clusters. Both run on this machine,
// so A and B append to the same file path.
const AUDIT_LOG = join(mkdtempSync(join(tmpdir(), 'coffer-e2e-audit-')), 'audit.log');

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(90_000);
  [A, B] = await startClusters(['perf-a', 'perf-b']);
  // A login that will exist on B too once B replicates from A.
  await A.api('sys/auth/userpass', { body: { type: 'userpass' } });
  await A.api('sys/policies/acl/ops', { method: 'PUT', body: { policy: OPS_POLICY } });
  await A.api('auth/userpass/users/ops', { body: { password: 'ops-pass', policies: 'ops' } });
  await A.api('sys/audit/file', { method: 'PUT', body: { type: 'file', options: { file_path: AUDIT_LOG } } });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  pageA = await context.newPage();
  pageB = await context.newPage();
  errorsA = collectErrors(pageA);
  // B's own token dies with the wipe; the console notices with one 403 from lookup-self.
  // And Vault answers LIST on a folder that has not replicated yet with 404 (the browser logs it).
  errorsB = collectErrors(pageB, [
    /status of 403 .* @ http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/token\/lookup-self$/,
    /status of 404 .* @ http:\/\/127\.0\.0\.1:\d+\/v1\/secret\/metadata\/[^?]*\?list=true$/,
  ]);
});

test.afterAll(async () => {
  await pageA?.context().close();
  await stopClusters([A, B]);
});

test('Performance replication set up by clicking', async ({}, testInfo) => {
  await signIn(pageA, A);
  await pageA.goto(`${A.url}/ui/vault/replication`);
  await pageA.getByRole('radio', { name: 'Performance' }).check();
  await expect(pageA.getByLabel('Cluster mode')).toHaveValue('primary');
  await pageA.getByRole('button', { name: 'Enable Replication' }).click();
  await expect(pageA).toHaveURL(/\/ui\/vault\/replication\/performance$/);
  await expect(pageA.getByRole('heading', { name: 'Performance', level: 1 })).toBeVisible();
  await expect(pageA.getByTestId('mode-badge')).toHaveText('primary');
  await expect(pageA.getByTestId('card-state').locator('[data-state]')).toHaveAttribute('data-state', 'running');
  await expect(pageA.getByText('No known performance secondary clusters associated with this cluster.')).toBeVisible();

  await pageA.getByRole('link', { name: 'Add secondary' }).click();
  await pageA.getByLabel('Secondary ID').fill('perf-b');
  // A custom TTL this time.
  await pageA.getByRole('switch', { name: 'Time to Live (TTL) for generated secondary token' }).click();
  await pageA.getByLabel('TTL duration').fill('45');
  await pageA.getByLabel('TTL unit').selectOption('m');
  await pageA.getByRole('button', { name: 'Generate token' }).click();
  const copy = pageA.getByRole('dialog', { name: 'Copy your token' });
  await expect(copy).toContainText('This token can be used to enable Performance replication or change primaries on the secondary cluster.');
  await expect(copy.getByTestId('token-ttl')).toHaveText('2700s');
  await copy.getByRole('button', { name: 'Copy & Close' }).click();
  const token = await pageA.evaluate(() => navigator.clipboard.readText());
  expect(token.split('.')).toHaveLength(3);

  await signIn(pageB, B);
  await pageB.goto(`${B.url}/ui/vault/replication`);
  await pageB.getByRole('radio', { name: 'Performance' }).check();
  await pageB.getByLabel('Cluster mode').selectOption('secondary');
  await pageB.getByLabel('Secondary activation token').fill(token);
  await pageB.getByRole('button', { name: 'Enable Replication' }).click();
  const confirm = pageB.getByRole('dialog', { name: 'Enable Performance secondary?' });
  await confirm.getByLabel('Type "Performance" to confirm').fill('Performance');
  await confirm.getByRole('button', { name: 'Enable secondary' }).click();

  // B's tokens went with the wipe: sign in again, with the userpass login that came from A, once B holds it.
  await expect(pageB).toHaveURL(/\/ui\/vault\/auth\?redirect_to=/);
  await waitUntilReplicated(A, B, 'performance');
  await chooseUsernameMethod(pageB);
  await pageB.getByLabel('Username').fill('ops');
  await pageB.getByLabel('Password').fill('ops-pass');
  await pageB.getByRole('button', { name: 'Sign in' }).click();
  await expect(pageB).not.toHaveURL(/\/ui\/vault\/auth/);

  await pageB.goto(`${B.url}/ui/vault/replication/performance`);
  await expect(pageB.getByTestId('mode-badge')).toHaveText('secondary');
  await expect(pageB.getByTestId('secondary-state').locator('[data-state]')).toHaveAttribute('data-state', 'stream-wals');
  await expect(pageB.getByTestId('connection-state').locator('[data-state]')).toHaveAttribute('data-state', 'ready');
  await expect(pageB.getByTestId('lag-ms')).toHaveText(/^\d+\s*ms$/);
  // Only a primary has a Secondaries tab.
  await expect(pageB.getByRole('link', { name: 'Secondaries', exact: true })).toHaveCount(0);
  await attachScreenshot(pageB, testInfo, 'B: performance secondary dashboard');

  await pageA.goto(`${A.url}/ui/vault/replication/performance`);
  await expect(pageA.getByTestId('secondary-perf-b')).toContainText('connected');
  await attachScreenshot(pageA, testInfo, 'A: performance primary with perf-b');
});

test("a secret written on A is readable in B's KV browser", async ({}, testInfo) => {
  await pageA.goto(`${A.url}/ui/vault/secrets/secret/create`);
  await pageA.getByLabel('Path for this secret').fill('perf/shared');
  await pageA.getByLabel('Key 1').fill('region');
  await pageA.getByLabel('Value 1').fill('eu-west');
  await pageA.getByRole('button', { name: 'Save' }).click();
  await expect(pageA.getByTestId('secret-version')).toHaveText('Version 1');

  // Replication is asynchronous: open B's list once B's status says it holds A's write.
  await waitUntilReplicated(A, B, 'performance');
  await pageB.goto(`${B.url}/ui/vault/secrets/secret/list`);
  await expect(pageB.getByRole('list', { name: 'Secrets' }).getByRole('link', { name: /perf\// })).toBeVisible();
  await pageB.getByRole('list', { name: 'Secrets' }).getByRole('link', { name: /perf\// }).click();
  await pageB.getByRole('list', { name: 'Secrets' }).getByRole('link', { name: /shared/ }).click();
  await expect(pageB.getByRole('table', { name: 'Secret data' }).getByRole('row', { name: /region/ })).toContainText('eu-west');
  await expect(pageB.getByTestId('secret-version')).toHaveText('Version 1');
  await attachScreenshot(pageB, testInfo, "B: A's secret in B's KV browser");
});

test('the audit device logged both consoles, with no secret or password in clear', async () => {
  const entries = readFileSync(AUDIT_LOG, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const paths = new Set(entries.map((e) => e.request.path));
  for (const p of ['secret/data/perf/shared', 'auth/userpass/login/ops', 'sys/replication/performance/status']) expect(paths, p).toContain(p);
  const text = readFileSync(AUDIT_LOG, 'utf8');
  for (const clear of ['eu-west', 'ops-pass', A.rootToken]) expect(text.includes(clear), clear).toBe(false);
});

test('no console errors on either cluster', async () => {
  expect([...errorsA, ...errorsB], `console errors:\n${[...errorsA, ...errorsB].join('\n')}`).toEqual([]);
});
