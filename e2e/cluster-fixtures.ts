// Several real `coffer server -dev` clusters for one spec file: each its own
// process, data dir, free port pair (API + cluster port) and root token, with
// the dev unseal key captured from stdout (the DR promotion wizard needs it).
// Specs start them in beforeAll and stop them in afterAll; flows that build on
// each other share them with test.describe.serial. Run `npm run build` first.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import type { ReplicationModeStatus } from '../lib/types/replication';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const COFFER_BIN = `${REPO_ROOT}bin/coffer`;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_LIMIT = 300;
const NO_KEEPALIVE = { Connection: 'close' };
const SIGN_IN_TIMEOUT_MS = 30_000;

export interface DevCluster {
  name: string;
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  rootToken: string;
  /** "Unseal Key: …" from the dev banner. */
  unsealKey: string;
  api<T = unknown>(path: string, init?: { method?: string; body?: unknown; token?: string | null }): Promise<T>;
  logs(): string;
  /** SIGKILL: no goodbye on any socket, as a crashed or unplugged node. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const { port: got } = srv.address() as { port: number };
      srv.close(() => resolve(got));
    });
  });
}

/** A free port whose successor (the cluster port) is free too. */
async function freePortPair(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const port = await listenOnce(0);
    if (port >= 65535 || taken.has(port) || taken.has(port + 1)) continue;
    if (await listenOnce(port + 1).then(() => true, () => false)) {
      taken.add(port);
      taken.add(port + 1);
      return port;
    }
  }
  throw new Error('no free port pair on 127.0.0.1');
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitUntilReady(c: { url: string; child: ChildProcess; logs: () => string; unsealKey: () => string }): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited(c.child)) throw new Error(`coffer server exited (${c.child.exitCode ?? c.child.signalCode}) before it was healthy:\n${c.logs()}`);
    try {
      const res = await fetch(`${c.url}/v1/sys/health`, { headers: NO_KEEPALIVE });
      if (res.status === 200 && c.unsealKey()) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`coffer server at ${c.url} not ready after ${START_TIMEOUT_MS} ms (${last}):\n${c.logs()}`);
}

const takenPorts = new Set<number>();

export async function startCluster(name: string): Promise<DevCluster> {
  const port = await freePortPair(takenPorts);
  const rootToken = `root-${randomBytes(10).toString('hex')}`;
  const url = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  let unsealKey = '';
  const child = spawn(
    COFFER_BIN,
    ['server', '-dev', `-dev-root-token-id=${rootToken}`, `-dev-listen-address=127.0.0.1:${port}`, `-dev-cluster-name=${name}`],
    { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      const m = /^Unseal Key: (\S+)/.exec(line);
      if (m) unsealKey = m[1];
      lines.push(line);
    }
    if (lines.length > LOG_LIMIT) lines.splice(0, lines.length - LOG_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const logs = () => lines.join('\n');

  async function stop(signal: NodeJS.Signals) {
    if (exited(child)) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await done;
    clearTimeout(timer);
  }

  try {
    await waitUntilReady({ url, child, logs, unsealKey: () => unsealKey });
    const ui = await fetch(`${url}/ui/vault/auth`, { headers: NO_KEEPALIVE });
    expect(ui.status, `the console is not served at ${url}/ui/ (did \`npm run build\` run?)\n${logs()}`).toBe(200);
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }

  return {
    name,
    url,
    port,
    rootToken,
    unsealKey,
    logs,
    kill: () => stop('SIGKILL'),
    stop: () => stop('SIGTERM'),
    async api<T>(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) {
      const headers: Record<string, string> = { ...NO_KEEPALIVE, 'Content-Type': 'application/json' };
      const token = init.token === undefined ? rootToken : init.token;
      if (token) headers['X-Vault-Token'] = token;
      const res = await fetch(`${url}/v1/${path.replace(/^\/+/, '')}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}/v1/${path}: HTTP ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

/** Start several clusters side by side (each takes a few seconds to boot). */
export async function startClusters(names: string[]): Promise<DevCluster[]> {
  const settled = await Promise.allSettled(names.map((n) => startCluster(n)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.kill() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<DevCluster>).value);
}

export async function stopClusters(clusters: (DevCluster | undefined)[]): Promise<void> {
  await Promise.all(clusters.map((c) => c?.stop()));
}

/**
 * Resolves once `secondary` streams from its primary and holds everything
 * `primary` had written when this was called (replication is asynchronous:
 * wait for its own status, never a fixed time).
 */
export async function waitUntilReplicated(primary: DevCluster, secondary: DevCluster, kind: 'dr' | 'performance', timeoutMs = 60_000): Promise<void> {
  const status = (c: DevCluster) => c.api<{ data: ReplicationModeStatus }>(`sys/replication/${kind}/status`, { token: null }).then((r) => r.data);
  const target = (await status(primary)).last_wal ?? 0;
  await expect
    .poll(
      async () => {
        const s = await status(secondary);
        return s.state === 'stream-wals' && (s.last_remote_wal ?? 0) >= target;
      },
      { timeout: timeoutMs, message: `${secondary.name} to hold ${primary.name}'s log up to ${target}` },
    )
    .toBe(true);
}

/**
 * Console errors and uncaught exceptions; a clean run has none. `ignore` is
 * matched against "<message> @ <url of the resource or script>", for the
 * few errors a test provokes on purpose.
 */
export function collectErrors(page: Page, ignore: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    const line = `${m.text()} @ ${m.location().url}`;
    if (m.type() === 'error' && !ignore.some((r) => r.test(line))) errors.push(line);
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Sign in with a token through the sign-in card. */
export async function signIn(page: Page, cluster: DevCluster, token = cluster.rootToken, redirectTo?: string): Promise<void> {
  await page.goto(`${cluster.url}/ui/vault/auth${redirectTo ? `?redirect_to=${encodeURIComponent(redirectTo)}` : ''}`);
  await signInHere(page, token);
}

/** Fill in the sign-in card already on screen (e.g. after the console sent us there). */
export async function signInHere(page: Page, token: string): Promise<void> {
  const field = page.getByLabel('Token');
  // The card may re-render while the console settles (hydration, a redirect): fill until it sticks.
  await expect(async () => {
    await field.fill(token);
    await expect(field).toHaveValue(token, { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The next page renders per request (CSP nonce): seconds on a loaded machine.
  await expect(page).not.toHaveURL(/\/ui\/vault\/auth/, { timeout: SIGN_IN_TIMEOUT_MS });
}

/** Attach a full-page screenshot to the report. */
export async function attachScreenshot(page: Page, testInfo: { attach(name: string, o: { body: Buffer; contentType: string }): Promise<void> }, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

/** Pick "Username" on the sign-in form. A choice made before React hydrates is reset by hydration, so choose until the field shows. */
export async function chooseUsernameMethod(page: Page): Promise<void> {
  await expect(async () => {
    await page.getByLabel('Method').selectOption({ label: 'Username' });
    await expect(page.getByLabel('Username')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}
