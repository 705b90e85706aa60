// The console shell against a real `coffer server -dev`: Vault's sign-in card,
// the signed-in frame (top navigation, Status menu, user menu), sign-out.
import type { Page } from '@playwright/test';
import { chooseUsernameMethod } from './cluster-fixtures';
import { expect, test } from './fixtures';

interface Health {
  cluster_name?: string;
}

/** Console errors and uncaught exceptions; a clean run has none. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

test('signs in with the root token and lands in the signed-in frame', async ({ page, coffer }, testInfo) => {
  const errors = collectErrors(page);
  const health = await coffer.api<Health>('sys/health');

  await page.goto('/');
  await expect(page).toHaveURL(/\/ui\/vault\/auth$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Coffer' })).toBeVisible();
  await expect(page.getByLabel('Method')).toHaveValue('token');
  await expect(page.getByLabel('Method').locator('option')).toHaveText(['Token', 'Username']);
  await testInfo.attach('sign-in page', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  await page.getByLabel('Token').fill(coffer.rootToken);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(/\/ui\/vault\/secrets$/);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Secrets', 'Access', 'Policies', 'Tools']) {
    await expect(nav.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await expect(nav.getByRole('link', { name: 'Secrets' })).toHaveAttribute('aria-current', 'page');
  // -dev mounts KV v2 at secret/; the table comes from GET /v1/sys/mounts.
  await expect(page.getByRole('heading', { name: 'Secrets engines' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'secret/', exact: true })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('coffer.token'))).toBe(coffer.rootToken);

  // Status menu: opens from the keyboard, shows the seal state and cluster name.
  const status = page.getByRole('button', { name: 'Status' });
  await expect(status).toHaveAttribute('aria-haspopup', 'menu');
  await status.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: 'Status' });
  await expect(menu).toBeVisible();
  await expect(menu).toContainText('Unsealed');
  if (health.cluster_name) await expect(menu).toContainText(health.cluster_name);
  const dr = menu.getByRole('menuitem', { name: /Disaster Recovery/ });
  await expect(dr).toBeFocused();
  await expect(dr).toHaveAttribute('href', '/ui/vault/replication/dr');
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: /Performance/ })).toBeFocused();
  await expect(menu.getByRole('menuitem', { name: /Performance/ })).toHaveAttribute('href', '/ui/vault/replication/performance');
  await testInfo.attach('signed-in frame with Status menu', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(status).toBeFocused();

  // The other sections answer from the real API.
  await nav.getByRole('link', { name: 'Access' }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/access$/);
  await expect(page.getByRole('cell', { name: 'token/', exact: true })).toBeVisible();
  await nav.getByRole('link', { name: 'Policies' }).click();
  await expect(page.getByRole('cell', { name: 'default', exact: true })).toBeVisible();
  await nav.getByRole('link', { name: 'Tools' }).click();
  await expect(page.getByRole('heading', { name: 'Tools' })).toBeVisible();

  // The session survives a reload (sessionStorage), then Sign out ends it.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Tools' })).toBeVisible();
  await page.getByRole('button', { name: /Signed in as root/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/auth$/);
  expect(await page.evaluate(() => sessionStorage.getItem('coffer.token'))).toBeNull();

  expect(errors, `console errors:\n${errors.join('\n')}`).toEqual([]);
});

test('a wrong token shows permission denied in place', async ({ page }) => {
  await page.goto('/ui/vault/auth');
  await page.getByLabel('Token').fill('not-a-real-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('form').getByRole('alert')).toContainText('permission denied');
  await expect(page).toHaveURL(/\/ui\/vault\/auth$/);
  await expect(page.getByLabel('Token')).toHaveValue('not-a-real-token');
});

test('signed-out visitors are sent to sign in and brought back afterwards', async ({ page, coffer }) => {
  await page.goto('/ui/vault/policies');
  await expect(page).toHaveURL(/\/ui\/vault\/auth\?redirect_to=%2Fvault%2Fpolicies$/);
  await page.getByLabel('Token').fill(coffer.rootToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/policies$/);
  await expect(page.getByRole('heading', { name: 'ACL policies' })).toBeVisible();
});

test('signs in with a username and password (userpass)', async ({ page, coffer }) => {
  await coffer.api('sys/auth/userpass', { body: { type: 'userpass' } });
  await coffer.api('auth/userpass/users/tester', { body: { password: 'changeme', policies: 'default' } });

  await page.goto('/ui/vault/auth');
  await chooseUsernameMethod(page);
  await page.getByLabel('Username').fill('tester');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('form').getByRole('alert')).toContainText(/invalid username or password/i);

  await page.getByLabel('Password').fill('changeme');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/secrets$/);
  await expect(page.getByRole('button', { name: /Signed in as tester/ })).toBeVisible();
});
