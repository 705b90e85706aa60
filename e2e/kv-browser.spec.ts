// The KV browser against a real `coffer server -dev` (KV v2 at secret/):
// open the mount, create a secret, read it back, edit it into version 2,
// and look at version 1 again.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** Console errors, except the 404 Vault answers for an empty LIST (the browser logs every 4xx fetch). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/status of 404/.test(m.text()) && /\/v1\/secret\/metadata\/\?list=true$/.test(m.location().url)) return;
    errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

test('create, read and edit a KV v2 secret by clicking', async ({ page, coffer }, testInfo) => {
  const errors = collectErrors(page);
  await page.goto('/ui/vault/auth');
  await page.getByLabel('Token').fill(coffer.rootToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/secrets$/);

  await page.getByRole('link', { name: 'secret/', exact: true }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/secrets\/secret\/list$/);
  await expect(page.getByRole('heading', { name: 'secret/' })).toBeVisible();
  await expect(page.getByText('Key/value secrets engine, version 2.')).toBeVisible();
  await expect(page.getByText('No secrets here yet.')).toBeVisible();

  await page.getByRole('link', { name: 'Create secret' }).click();
  await expect(page.getByRole('heading', { name: 'Create secret' })).toBeVisible();
  await page.getByLabel('Path for this secret').fill('app/db');
  await page.getByLabel('Key 1').fill('username');
  await page.getByLabel('Value 1').fill('admin');
  await page.getByRole('button', { name: 'Add key' }).click();
  await page.getByLabel('Key 2').fill('password');
  await page.getByLabel('Value 2').fill('first-pass');
  await testInfo.attach('kv: create secret', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  await page.getByRole('button', { name: 'Save' }).click();

  await expect(page).toHaveURL(/\/ui\/vault\/secrets\/secret\/show\/app\/db$/);
  await expect(page.getByTestId('secret-version')).toHaveText('Version 1');
  const data = page.getByRole('table', { name: 'Secret data' });
  await expect(data.getByRole('row', { name: /username/ })).toContainText('admin');
  await expect(data.getByRole('row', { name: /password/ })).toContainText('first-pass');
  // The server agrees.
  const stored = await coffer.api<{ data: { data: Record<string, string> } }>('secret/data/app/db');
  expect(stored.data.data).toEqual({ username: 'admin', password: 'first-pass' });

  // The folder listing shows it.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'app' }).click();
  await expect(page.getByRole('list', { name: 'Secrets' }).getByRole('link', { name: /db/ })).toBeVisible();
  await page.getByRole('list', { name: 'Secrets' }).getByRole('link', { name: /db/ }).click();

  await page.getByRole('link', { name: 'Edit secret' }).click();
  await expect(page.getByLabel('Path for this secret')).toHaveValue('app/db');
  await expect(page.getByLabel('Value 2')).toHaveValue('first-pass');
  await page.getByLabel('Value 2').fill('second-pass');
  await page.getByRole('button', { name: 'Save' }).click();

  await expect(page.getByTestId('secret-version')).toHaveText('Version 2');
  await expect(data.getByRole('row', { name: /password/ })).toContainText('second-pass');
  await testInfo.attach('kv: secret version 2', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  // Version 1 is still there.
  await page.getByLabel('Version').selectOption('1');
  await expect(page.getByTestId('secret-version')).toHaveText('Version 1');
  await expect(data.getByRole('row', { name: /password/ })).toContainText('first-pass');

  expect(errors, `console errors:\n${errors.join('\n')}`).toEqual([]);
});

test('a missing secret offers to create it; an unknown mount shows the error boundary with Retry', async ({ page, coffer }) => {
  await page.goto('/ui/vault/auth');
  await page.evaluate((t) => sessionStorage.setItem('coffer.token', t), coffer.rootToken);
  await page.goto('/ui/vault/secrets/secret/show/nope/here');
  await expect(page.getByText('This secret does not exist.')).toBeVisible();
  await page.getByRole('link', { name: 'Create secret' }).click();
  await expect(page.getByLabel('Path for this secret')).toHaveValue('nope/here');

  await page.goto('/ui/vault/secrets/no-such-mount/list');
  // (Next's route announcer is an alert too: pick the one with Retry.)
  const alert = page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Retry' }) });
  await expect(alert).toContainText('no-such-mount');
  await coffer.api('sys/mounts/no-such-mount', { body: { type: 'kv', options: { version: '2' } } });
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('heading', { name: 'no-such-mount/' })).toBeVisible();
});
