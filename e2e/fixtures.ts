// Playwright fixture: one real `coffer server -dev` process per test, on a
// free loopback port with a random root token (started by cluster-fixtures.ts).
// The console is served by that process in production mode, so run
// `npm run build` before `npx playwright test`.
import { test as base, expect } from '@playwright/test';
import { startCluster, type DevCluster } from './cluster-fixtures';

export type CofferServer = Pick<DevCluster, 'url' | 'rootToken' | 'api' | 'logs'>;

export const test = base.extend<{ coffer: CofferServer }>({
  coffer: async ({}, use) => {
    const cluster = await startCluster('coffer-e2e');
    try {
      // The token the test will sign in with must really be this server's root token.
      const self = await cluster.api<{ data: { policies: string[] } }>('auth/token/lookup-self');
      expect(self.data.policies, cluster.logs()).toEqual(['root']);
      await use(cluster);
    } finally {
      await cluster.stop();
    }
  },
  // Every page.goto('/ui/...') in a test goes to this test's server.
  baseURL: async ({ coffer }, use) => {
    await use(coffer.url);
  },
});

export { expect };
