// A real `coffer lab -topology=seed` for the DR drill specs: seed 002's six
// clusters (dallas, london, sydney and their DR secondaries) as separate
// processes on a free block of loopback ports, with the lab's control
// endpoint, so an unplanned failover can SIGKILL the primary for real. The
// lab prints its banner once every link streams; stop() ends it (and so every
// cluster it started) with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Ports the seed topology takes above its base: each cluster's API port and cluster port (API + 1). */
const OFFSETS = [0, 50, 100, 150, 200, 250].flatMap((o) => [o, o + 1]);
const READY_LINE = '==> Coffer lab is running';
const START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 20_000;
const LOG_LIMIT = 400;

export const LAB_CLUSTERS = ['dallas', 'london', 'sydney', 'dallas-dr', 'london-dr', 'sydney-dr'] as const;
export type LabName = (typeof LAB_CLUSTERS)[number];
const PORT_OF: Record<LabName, number> = { dallas: 0, 'dallas-dr': 50, london: 100, 'london-dr': 150, sydney: 200, 'sydney-dr': 250 };

export interface Lab {
  rootToken: string;
  addr(name: LabName): string;
  api<T = unknown>(name: LabName, path: string, init?: { method?: string; body?: unknown; token?: string | null }): Promise<T>;
  logs(): string;
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768+), where outgoing connections would take ports between this check and the lab's listen.
    const base = 10_000 + 10 * Math.floor(Math.random() * 2_200);
    const free = await Promise.all(OFFSETS.map((o) => portFree(base + o)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free block of ports for the lab');
}

export async function startLab(): Promise<Lab> {
  const base = await freeBase();
  const rootToken = `root-${randomBytes(8).toString('hex')}`;
  const lines: string[] = [];
  const child: ChildProcess = spawn(`${REPO_ROOT}bin/coffer`, ['lab', '-topology=seed', `-base-port=${base}`, `-root-token=${rootToken}`], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let ready: () => void;
  let failed: (e: Error) => void;
  const up = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (line.startsWith(READY_LINE)) ready();
    }
    if (lines.length > LOG_LIMIT) lines.splice(0, lines.length - LOG_LIMIT);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.once('exit', (code, signal) => failed(new Error(`coffer lab exited (${code ?? signal}) before it was ready:\n${lines.join('\n')}`)));
  const logs = () => lines.join('\n');
  const addr = (name: LabName) => `http://127.0.0.1:${base + PORT_OF[name]}`;

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  const timer = setTimeout(() => failed(new Error(`coffer lab not ready after ${START_TIMEOUT_MS} ms:\n${logs()}`)), START_TIMEOUT_MS);
  try {
    await up;
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }

  return {
    rootToken,
    addr,
    logs,
    stop,
    async api<T>(name: LabName, path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) {
      const headers: Record<string, string> = { Connection: 'close', 'Content-Type': 'application/json' };
      const token = init.token === undefined ? rootToken : init.token;
      if (token) headers['X-Vault-Token'] = token;
      const res = await fetch(`${addr(name)}/v1/${path.replace(/^\/+/, '')}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${name} ${path}: HTTP ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}
