import { defineConfig } from '@playwright/test';

// No webServer block: e2e/fixtures.ts starts a real `coffer server -dev` per
// test on a free port (run `npm run build` first; the server runs Next in
// production mode). Debian's chromium, never a downloaded browser.
export default defineConfig({
  testDir: 'e2e',
  workers: 1,
  fullyParallel: false,
  // Generous deadlines: specs wait for the app's own signals (a state shown, a
  // navigation, a response), and on a loaded 2-core machine real clusters and
  // per-request page renders take many seconds. A deadline only bounds how long
  // a broken app takes to fail; it is never a sleep.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-default-apps',
        '--disable-sync',
        '--metrics-recording-only',
        '--no-first-run',
        '--no-default-browser-check',
      ],
    },
  },
});
