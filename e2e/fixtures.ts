// Playwright fixture: one real `coffer server -dev` process per test, on a
// free loopback port, with a random root token. The console is served by that
// process in production mode, so run `npm run build` before `npx playwright test`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test as base, expect } from '@playwright/test';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const COFFER_BIN = `${REPO_ROOT}bin/coffer`;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_LIMIT = 200;
// The fixture's own requests must not hold keep-alive sockets open: the server
// waits for idle connections before it exits and removes its dev data dir.
const NO_KEEPALIVE = { Connection: 'close' };

export interface CofferServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  rootToken: string;
  /** Call the server's API as root, e.g. to set up userpass before a test. */
  api<T = unknown>(path: string, init?: { method?: string; body?: unknown; token?: string }): Promise<T>;
  /** The server's recent stdout/stderr lines, for failure messages. */
  logs(): string;
}

/** A port that is free, with the next one (the cluster port) free too. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenOnce(0);
    if (port < 65535 && (await listenOnce(port + 1).then(() => true, () => false))) return port;
  }
  throw new Error('no free port pair on 127.0.0.1');
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

async function waitForHealth(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`coffer server exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${logs()}`);
    }
    try {
      const res = await fetch(`${url}/v1/sys/health`, { headers: NO_KEEPALIVE });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`coffer server not healthy after ${START_TIMEOUT_MS} ms (${last}):\n${logs()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

export const test = base.extend<{ coffer: CofferServer }>({
  coffer: async ({}, use) => {
    const port = await freePortPair();
    const rootToken = `root-${randomBytes(12).toString('hex')}`;
    const url = `http://127.0.0.1:${port}`;
    const lines: string[] = [];
    const child = spawn(
      COFFER_BIN,
      ['server', '-dev', `-dev-root-token-id=${rootToken}`, `-dev-listen-address=127.0.0.1:${port}`],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      if (lines.length > LOG_LIMIT) lines.splice(0, lines.length - LOG_LIMIT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const logs = () => lines.join('\n');

    try {
      await waitForHealth(url, child, logs);
      const ui = await fetch(`${url}/ui/vault/auth`, { headers: NO_KEEPALIVE });
      expect(ui.status, `the console is not served at ${url}/ui/ (did \`npm run build\` run?)\n${logs()}`).toBe(200);
      await use({
        url,
        rootToken,
        logs,
        async api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
          const res = await fetch(`${url}/v1/${path.replace(/^\/+/, '')}`, {
            method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
            headers: { ...NO_KEEPALIVE, 'X-Vault-Token': init.token ?? rootToken, 'Content-Type': 'application/json' },
            body: init.body === undefined ? undefined : JSON.stringify(init.body),
          });
          const text = await res.text();
          if (!res.ok) throw new Error(`${init.method ?? 'GET'} /v1/${path}: HTTP ${res.status} ${text}`);
          return (text ? JSON.parse(text) : undefined) as T;
        },
      });
    } finally {
      await stop(child);
    }
  },
  // Every page.goto('/ui/...') in a test goes to this test's server.
  baseURL: async ({ coffer }, use) => {
    await use(coffer.url);
  },
});

export { expect };
