// The console under Vault's UI headers (server/http/ui-headers.ts): a strict
// Content-Security-Policy with a per-response script nonce, no framing. The
// console must still hydrate and work with zero CSP violations, and the wall
// must still reach other clusters' feeds.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { collectErrors, signIn, startCluster, type DevCluster } from './cluster-fixtures';
import { expect, test } from './fixtures';

/** Record every CSP violation the page reports, from before its first script runs. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return () => page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

test('every console response carries the UI headers, with a fresh nonce each time', async ({ coffer }) => {
  const nonces = new Set<string>();
  for (const path of ['/ui/vault/auth', '/ui/vault/auth', '/ui/no/such/page', '/ui/icon.svg', '/']) {
    const res = await fetch(`${coffer.url}${path}`, { redirect: 'manual', headers: { 'Content-Security-Policy': "script-src 'nonce-chosen-by-client'" } });
    const h = res.headers;
    expect(h.get('x-frame-options'), path).toBe('DENY');
    expect(h.get('x-content-type-options'), path).toBe('nosniff');
    expect(h.get('referrer-policy'), path).toBe('no-referrer');
    const csp = h.get('content-security-policy') ?? '';
    expect(csp, path).toMatch(/^default-src 'none'; connect-src 'self'; img-src 'self' data:; script-src 'self' 'nonce-[A-Za-z0-9+/=]+'; style-src 'unsafe-inline' 'self'; form-action 'none'; frame-ancestors 'none'; font-src 'self'$/);
    expect(csp).not.toContain('chosen-by-client');
    nonces.add(/'nonce-([^']+)'/.exec(csp)![1]);
    if (res.headers.get('content-type')?.startsWith('text/html')) {
      const html = await res.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const s of scripts) expect(s, path).toContain(`nonce="${/'nonce-([^']+)'/.exec(csp)![1]}"`);
    }
  }
  expect(nonces.size).toBe(5);
});

test('the console hydrates and works under the policy: sign in, browse, a type-to-confirm page — no violations', async ({ page, coffer }) => {
  const violations = await watchViolations(page);
  const errors = collectErrors(page);
  const cluster = { url: coffer.url, rootToken: coffer.rootToken } as DevCluster;
  await signIn(page, cluster); // needs hydration: the card is a client component
  await expect(page.getByRole('heading', { name: 'Secrets engines' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policies' }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/policies/);
  await page.goto(`${coffer.url}/ui/vault/replication`);
  await expect(page.getByRole('heading').first()).toBeVisible();
  expect(await violations()).toEqual([]);
  expect(errors, errors.join('\n')).toEqual([]);
});

test('the console refuses to be framed by another origin', async ({ page, coffer }) => {
  // A page on another origin (another port) that frames the console's sign-in.
  const framer = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><iframe name="coffer" src="${coffer.url}/ui/vault/auth" width="800" height="600"></iframe>`);
  });
  await new Promise<void>((r) => framer.listen(0, '127.0.0.1', r));
  try {
    await page.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
    const frame = () => page.frames().find((f) => f.name() === 'coffer');
    // Chromium replaces a frame refused by frame-ancestors with its error page.
    await expect.poll(() => frame()?.url(), { timeout: 15_000 }).toMatch(/^chrome-error:/);
    expect(await frame()!.content()).not.toContain('Sign in to Coffer');
  } finally {
    await new Promise<void>((r) => framer.close(() => r()));
  }
});

test('the wall, served under the policy, still reaches another cluster’s feed', async ({ page, coffer }) => {
  const other = await startCluster('csp-other');
  try {
    const violations = await watchViolations(page);
    await page.goto(`${coffer.url}/ui/wall?clusters=${coffer.url},${other.url}`);
    const tile = page.getByRole('article', { name: new RegExp(`${other.url.replace(/[.]/g, '\\.')}$`) });
    await expect(tile.getByRole('heading', { name: 'csp-other' })).toBeVisible();
    await expect(tile.getByTestId('seal-state')).toHaveText('Unsealed');
    expect(await violations()).toEqual([]);
  } finally {
    await other.stop();
  }
});
