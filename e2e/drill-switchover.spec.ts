// DR drills by clicking only, against a real `coffer lab -topology=seed`
// (seed 002: dallas is the performance primary with london and sydney as its
// performance secondaries, and the DR primary of dallas-dr). From dallas's
// own console: a planned switchover to dallas-dr and back ends in a report
// with RPO 0 and an RTO figure, kept in the drill history; then an unplanned
// failover (the lab SIGKILLs dallas) shows RPO and RTO and checks the
// canaries against what dallas acknowledged. A screenshot of every step.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { collectErrors, signIn } from './cluster-fixtures';
import { startLab, type Lab } from './support/drill-lab';

let lab: Lab;
let page: Page;
let errors: string[] = [];
let batchToken = '';

/** Bounds on what the clusters do behind a click (promotion, re-join, merkle sync) on a loaded 2-core box; every wait is for the page's own signal. */
const SETTLE_MS = 120_000;
const DRILL_MS = 8 * 60_000;
/** A generous RTO target so the outcome reflects the drill, not the machine's load; the figure is what the test reads. */
const RTO_TARGET_S = '120';

test.describe.configure({ mode: 'serial', timeout: 2 * DRILL_MS + 4 * SETTLE_MS });

let shots = 0;
/** A full-page screenshot in the Playwright report, also kept as a numbered file in the test's output folder. */
async function attachScreenshot(p: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${String(++shots).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
  await p.screenshot({ fullPage: true, path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(5 * 60_000);
  lab = await startLab();
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  page = await context.newPage();
  // Expected while a drill runs, and only these: the browser logs every refused or failed fetch of the clusters the
  // drill demotes, stops and re-joins (health, lookup-self, status feed, the canaries' own probes).
  errors = collectErrors(page, [/Failed to load resource/, /ERR_CONNECTION_REFUSED/, /WebSocket connection to .* failed/]);
});

test.afterAll(async () => {
  await page?.context().close();
  await lab?.stop();
});

/** Answers every type-to-confirm question with the cluster's name, screenshotting each, until the report shows. */
async function confirmEveryStep(testInfo: TestInfo, label: string): Promise<string[]> {
  const asked: string[] = [];
  const report = page.getByTestId('drill-report');
  const question = page.getByRole('dialog').filter({ has: page.getByLabel(/^Type ".+" to confirm$/) });
  for (;;) {
    await expect(report.or(question)).toBeVisible({ timeout: DRILL_MS });
    if (await report.isVisible()) return asked;
    const title = (await question.getByRole('heading').textContent())!;
    const cluster = /: (.+)$/.exec(title)![1];
    asked.push(title);
    const confirmButton = question.getByRole('button', { name: title.split(':')[0], exact: true });
    await expect(confirmButton).toBeDisabled();
    await question.getByLabel(`Type "${cluster}" to confirm`).fill(cluster);
    await attachScreenshot(page, testInfo, `${label}: ${asked.length}. ${title}`);
    await confirmButton.click();
    await expect(question.getByRole('heading', { name: title })).toBeHidden({ timeout: SETTLE_MS });
  }
}

async function planDrill(testInfo: TestInfo, kind: 'Planned switchover' | 'Unplanned failover', label: string) {
  await page.goto(`${lab.addr('dallas')}/ui/vault/replication/dr`);
  await page.getByRole('link', { name: 'Run a DR drill' }).click();
  await expect(page).toHaveURL(/\/ui\/vault\/replication\/drills\/new$/);
  const plan = page.getByRole('form', { name: 'Drill plan' });
  await expect(plan.getByLabel('DR primary', { exact: true })).toHaveValue(lab.addr('dallas'), { timeout: SETTLE_MS });
  await expect(plan.getByLabel('DR secondary', { exact: true })).toHaveValue(lab.addr('dallas-dr'));
  await expect(plan.getByText('Also re-pointed to the new primary and back: london, sydney')).toBeVisible();
  // The lab answers its control endpoint, so the unplanned failover is offered.
  await expect(plan.getByRole('radio', { name: 'Unplanned failover' })).toBeEnabled({ timeout: SETTLE_MS });
  await plan.getByRole('radio', { name: kind }).check();
  await plan.getByLabel('RTO target (seconds)', { exact: true }).fill(RTO_TARGET_S);
  await plan.getByLabel('DR operation token', { exact: true }).fill(batchToken);
  for (const name of ['dallas', 'dallas-dr', 'london', 'sydney']) await expect(plan.getByLabel(`Token for ${name}`, { exact: true })).toHaveValue(lab.rootToken);
  await attachScreenshot(page, testInfo, `${label}: plan`);
  await plan.getByRole('button', { name: 'Start preflight' }).click();

  await expect(page.getByTestId('preflight-status')).toHaveText(/^Preflight passed/, { timeout: SETTLE_MS });
  const checks = page.getByRole('list', { name: 'Preflight checks' }).getByTestId('check');
  expect(await checks.count()).toBeGreaterThan(5);
  await expect(page.getByRole('list', { name: 'Preflight checks' }).locator('[data-ok="false"] [data-testid="pass-fail"]', { hasText: 'fail' })).toHaveCount(0);
  await attachScreenshot(page, testInfo, `${label}: preflight passed`);
  await page.getByRole('button', { name: 'Continue to the run' }).click();
  await expect(page.getByRole('navigation', { name: 'Drill steps' }).locator('[aria-current="step"]')).toHaveAttribute('data-phase', /run|failback/);
}

test('a batch DR operation token made beforehand, by clicking, on the DR primary', async ({}, testInfo) => {
  await signIn(page, { rootToken: lab.rootToken, url: lab.addr('dallas') } as Parameters<typeof signIn>[1]);
  await page.goto(`${lab.addr('dallas')}/ui/vault/replication/dr/manage`);
  const block = page.getByRole('region', { name: 'Create a batch DR operation token' });
  await block.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a batch DR operation token' });
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByLabel('Batch DR operation token')).toHaveValue(/^hvb\./, { timeout: SETTLE_MS });
  await dialog.getByRole('button', { name: 'Copy token' }).click();
  batchToken = await page.evaluate(() => navigator.clipboard.readText());
  expect(batchToken).toMatch(/^hvb\./);
  await attachScreenshot(page, testInfo, 'batch DR operation token on dallas');
  await dialog.getByRole('button', { name: 'Close' }).click();
});

test('a planned switchover and fail-back by clicking only ends in a report with RPO 0 and an RTO figure', async ({}, testInfo) => {
  await planDrill(testInfo, 'Planned switchover', 'planned');
  const asked = await confirmEveryStep(testInfo, 'planned');
  expect(asked[0]).toBe('Disaster: dallas');
  expect(asked).toContain('Promote DR secondary: dallas-dr');
  expect(asked).toContain('Switch roles back: dallas');

  const report = page.getByTestId('drill-report');
  await expect(report.getByTestId('drill-outcome')).toHaveText('passed');
  await expect(report.getByTestId('rpo-value')).toHaveText('0 canaries lost');
  await expect(report.getByTestId('rpo').getByTestId('pass-fail')).toHaveText('met');
  await expect(report.getByTestId('rto-value')).toHaveText(/^\d+(\.\d+)? (ms|s)$/);
  await expect(report.getByTestId('canary-chart')).toBeVisible();
  await expect(report.getByRole('list', { name: 'Verification after promotion' })).toContainText('canaries from the old primary');
  await expect(report.getByRole('list', { name: 'Verification after fail back' })).toContainText('replicated token works');
  for (const step of ['disaster', 'promote', 'failback-switch', 'report']) await expect(report.getByTestId(`step-${step}`)).toHaveAttribute('data-state', 'done');
  await attachScreenshot(page, testInfo, 'planned: report');

  // Download JSON: the engine's report, as kept.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
  const json = JSON.parse(await readFile((await download.path())!, 'utf8'));
  expect(json).toMatchObject({ outcome: 'passed', plan: { kind: 'planned' }, rpo: { lost: 0 } });
  expect(typeof json.rto.ms).toBe('number');
  expect(JSON.stringify(json)).not.toContain(lab.rootToken);
  expect(JSON.stringify(json)).not.toContain(batchToken);

  // The printable page: no console chrome, no buttons.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Drill steps' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();
  await attachScreenshot(page, testInfo, 'planned: report, print layout');
  await page.emulateMedia({ media: 'screen' });

  // Dallas is the DR primary again, dallas-dr its secondary, and the report is in dallas's drill history.
  expect((await lab.api<{ data: { mode: string } }>('dallas', 'sys/replication/dr/status', { token: null })).data.mode).toBe('primary');
  await page.getByRole('link', { name: 'Drill history' }).click();
  const row = page.getByRole('row').filter({ hasText: 'Planned switchover' });
  await expect(row).toHaveCount(1, { timeout: SETTLE_MS });
  await expect(row).toContainText('dallas → dallas-dr');
  await expect(row).toContainText('0 lost');
  await attachScreenshot(page, testInfo, 'planned: drill history');
  await row.getByRole('link').click();
  await expect(page.getByTestId('drill-report').getByTestId('rpo-value')).toHaveText('0 canaries lost', { timeout: SETTLE_MS });
  await attachScreenshot(page, testInfo, 'planned: stored report');
});

test('an unplanned failover on a lab cluster shows RPO and RTO and checks the canaries against what the old primary acknowledged', async ({}, testInfo) => {
  await planDrill(testInfo, 'Unplanned failover', 'unplanned');
  const asked = await confirmEveryStep(testInfo, 'unplanned');
  expect(asked[0]).toBe('Disaster: dallas');

  const report = page.getByTestId('drill-report');
  await expect(report.getByTestId('rpo-value')).toHaveText(/^\d+ canaries lost$/);
  await expect(report.getByTestId('rto-value')).toHaveText(/^\d+(\.\d+)? (ms|s)$/);
  await expect(report.getByTestId('rpo')).toContainText(/target ≤/);
  await expect(report.getByTestId('rto')).toContainText(/target ≤/);
  // The canaries dallas acknowledged before it was killed, looked up on dallas-dr.
  const canaryCheck = report.getByRole('list', { name: 'Verification after promotion' }).getByTestId('check').filter({ hasText: 'canaries from the old primary' });
  await expect(canaryCheck).toContainText(/\d+ of \d+ acknowledged by dallas are on dallas-dr/);
  // The chart shades seconds with nothing acknowledged. A fast failover can leave none (each second
  // still has a canary the old or new primary acknowledged), so the shading must agree with the
  // chart's own account of the outage rather than always be there.
  const chart = report.getByTestId('canary-chart');
  await expect(chart).toHaveAttribute('aria-label', /\d+ s with none acknowledged/);
  await expect(chart).toContainText('disaster');
  const outageSeconds = Number(/(\d+) s with none acknowledged/.exec((await chart.getAttribute('aria-label')) ?? '')?.[1]);
  expect((await report.getByTestId('outage-span').count()) > 0).toBe(outageSeconds > 0);
  await attachScreenshot(page, testInfo, 'unplanned: report');
  await page.getByRole('link', { name: 'Drill history' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Unplanned failover' })).toHaveCount(1, { timeout: SETTLE_MS });
  await attachScreenshot(page, testInfo, 'unplanned: drill history');
});

test('no console errors beyond the refused calls to clusters the drills took down', async () => {
  expect(errors, `console errors:\n${errors.join('\n')}`).toEqual([]);
});
