// How long from a replication state change to the console showing it.
//
// A real DR primary (with the console) and, per round, a fresh real DR
// secondary process (-dev-no-ui). Chromium shows the primary's DR dashboard;
// each round SIGKILLs the secondary and times, on one clock (this machine's):
//   feed      kill → the primary's WebSocket status feed reports the secondary
//             "disconnected" (a Node client on the feed)
//   dashboard kill → the dashboard row reads "disconnected" (a MutationObserver
//             in the page)
// Prints min / median / p90 / max of ROUNDS rounds. Not a test: it measures.
//
//   npm run build && node_modules/.bin/tsx bench/console-latency.ts [rounds]
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { WebSocket } from 'ws';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.argv[2] ?? 20);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT_TOKEN = 'bench-root';
const STAMP_POLL_MS = 20;

interface Proc {
  url: string;
  port: number;
  child: ChildProcess;
}

async function freePortPair(): Promise<number> {
  const once = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
  for (;;) {
    const p = await once(0);
    if (p < 65535 && (await once(p + 1).then(() => true, () => false))) return p;
  }
}

async function startDev(name: string, ui: boolean): Promise<Proc> {
  const port = await freePortPair();
  const args = ['server', '-dev', `-dev-root-token-id=${ROOT_TOKEN}`, `-dev-listen-address=127.0.0.1:${port}`, `-dev-cluster-name=${name}`, '-log-level=error'];
  if (!ui) args.push('-dev-no-ui');
  const child = spawn(`${ROOT}bin/coffer`, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early`);
    if (await fetch(`${url}/v1/sys/health`).then((r) => r.ok, () => false)) return { url, port, child };
    await sleep(100);
  }
  throw new Error(`${name} did not start`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(url: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/v1/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'X-Vault-Token': ROOT_TOKEN, 'Content-Type': 'application/json', Connection: 'close' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill(signal);
  });
}

interface Secondary {
  node_id: string;
  connection_status: string;
}

/** Resolves with Date.now() when the feed first reports `id` with the given connection status. */
function feedSees(feed: WebSocket, id: string, status: string): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const msg = JSON.parse(String(data)) as { type: string; snapshot?: { replication: { dr: { secondaries?: Secondary[] } } }; changes?: { path: string; value: { secondaries?: Secondary[] } }[] };
      const dr = msg.type === 'init' ? msg.snapshot?.replication.dr : msg.changes?.find((c) => c.path === 'replication.dr')?.value;
      if (dr?.secondaries?.some((s) => s.node_id === id && s.connection_status === status)) {
        feed.off('message', onMessage);
        resolve(Date.now());
      }
    };
    feed.on('message', onMessage);
  });
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { min: s[0], median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, p90: at(0.9), max: s[s.length - 1] };
}

/**
 * Reads the observer's stamp until it is set. Not page.waitForFunction: once
 * its first check fails it polls with eval inside the page, which the console's
 * CSP (script-src without 'unsafe-eval') refuses, so every round where the
 * dashboard lagged the feed aborted the run. page.evaluate goes through the
 * DevTools protocol, which the CSP does not govern; the stamp is taken in the
 * page by the observer, so how often this reads it does not change the figure.
 */
async function pageStamp(page: Page, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const at = (await page.evaluate('window.__seenAt')) as number | null;
    if (at !== null) return at;
    if (Date.now() > deadline) throw new Error(`dashboard did not show "disconnected" within ${timeoutMs} ms`);
    await sleep(STAMP_POLL_MS);
  }
}

async function main() {
  const primary = await startDev('bench-primary', true);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const procs: Proc[] = [primary];
  const feedMs: number[] = [];
  const pageMs: number[] = [];
  try {
    await api(primary.url, 'sys/replication/dr/primary/enable', {});
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${primary.url}/ui/vault/auth`);
    await page.evaluate((t) => sessionStorage.setItem('coffer.token', t), ROOT_TOKEN);
    await page.goto(`${primary.url}/ui/vault/replication/dr`);
    await page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
    const feed = new WebSocket(`${primary.url.replace('http', 'ws')}/v1/sys/replication/status/feed`);
    await new Promise((r) => feed.once('open', r));

    for (let i = 1; i <= ROUNDS; i++) {
      const id = `bench-${i}`;
      const secondary = await startDev(`bench-secondary-${i}`, false);
      procs.push(secondary);
      const { wrap_info } = await api<{ wrap_info: { token: string } }>(primary.url, 'sys/replication/dr/primary/secondary-token', { id });
      const connected = feedSees(feed, id, 'connected');
      await api(secondary.url, 'sys/replication/dr/secondary/enable', { token: wrap_info.token });
      await connected;
      await page.getByTestId(`secondary-${id}`).filter({ hasText: 'connected' }).filter({ hasNotText: 'disconnected' }).waitFor({ timeout: 20_000 });
      await sleep(300); // let the page settle

      // A string, not a function: tsx's name helpers do not exist in the page.
      await page.evaluate(`(() => {
        window.__seenAt = null;
        window.__obs?.disconnect();
        window.__obs = new MutationObserver(() => {
          const row = document.querySelector('[data-testid="secondary-${id}"]');
          if (window.__seenAt === null && row?.textContent?.includes('disconnected')) window.__seenAt = Date.now();
        });
        window.__obs.observe(document.body, { subtree: true, childList: true, characterData: true });
      })()`);
      const feedSaw = feedSees(feed, id, 'disconnected');
      const t0 = Date.now();
      await stop(secondary, 'SIGKILL');
      const feedAt = await Promise.race([feedSaw, sleep(15_000).then(() => NaN)]);
      const seenAt = await pageStamp(page, 15_000);
      feedMs.push(feedAt - t0);
      pageMs.push(seenAt - t0);
      console.log(`round ${String(i).padStart(2)}: feed ${String(feedAt - t0).padStart(4)} ms   dashboard ${String(seenAt - t0).padStart(4)} ms`);
      // Forget the dead secondary so the next round's table stays short.
      await api(primary.url, 'sys/replication/dr/primary/revoke-secondary', { id });
    }
    feed.close();
  } finally {
    await browser.close();
    await Promise.all(procs.map((p) => stop(p)));
  }
  const f = stats(feedMs);
  const p = stats(pageMs);
  console.log(`\nsecondary SIGKILLed → DR primary dashboard shows "disconnected" (${ROUNDS} rounds, Chromium)`);
  console.log(`  feed delta:  min ${f.min} ms  median ${f.median} ms  p90 ${f.p90} ms  max ${f.max} ms`);
  console.log(`  dashboard:   min ${p.min} ms  median ${p.median} ms  p90 ${p.p90} ms  max ${p.max} ms`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
