// What bench:kv, bench:kv-profile and bench:kv-memory share: seeding a dev
// server with a read policy, service tokens and secrets, and autocannon
// request generators.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { api, waitForHealth, type DevServer } from '../tests/support/cluster';
import { freePortPair } from '../tests/support/ports';

export const TOKENS = 1_000;
export const KEYS = 10_000;
const SETUP_CONCURRENCY = 32;
const POLICY = 'path "secret/data/*" { capabilities = ["create", "read", "update"] }';
const WRITE_PAD = 'x'.repeat(160); // a write body of about 200 B

type Req = autocannon.Request;
/** What seeding needs of a server: a dev server, or an HA cluster's active (its address and the cluster's root token). */
export type Seedable = Pick<DevServer, 'addr' | 'rootToken'>;

/** Run `n` calls, `SETUP_CONCURRENCY` at a time. */
export async function pool<T>(n: number, fn: (i: number) => Promise<T>, concurrency = SETUP_CONCURRENCY): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

export async function must(r: Promise<{ status: number; body: any }>) {
  const { status, body } = await r;
  if (status >= 300) throw new Error(`set-up call failed: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** The `bench` policy and `n` service tokens holding it. */
export async function seedTokens(server: Seedable, n = TOKENS): Promise<string[]> {
  const root = server.rootToken;
  await must(api(server.addr, 'PUT', 'sys/policies/acl/bench', { token: root, body: { policy: POLICY } }));
  return pool(n, async () => (await must(api(server.addr, 'POST', 'auth/token/create', { token: root, body: { policies: ['bench'] } }))).auth.client_token as string);
}

/** Secrets k0 … k<n-1>. */
export async function seedKeys(server: Seedable, n = KEYS): Promise<void> {
  await pool(n, (i) => must(api(server.addr, 'POST', `secret/data/k${i}`, { token: server.rootToken, body: { data: { password: `hunter${i}` } } })));
}

/** Read every key once, each with the next token in turn: the steady state (caches hold what they can) before anything counts. */
export async function readAll(server: Seedable, tokens: string[], keys = KEYS): Promise<void> {
  await pool(keys, (i) => must(api(server.addr, 'GET', `secret/data/k${(i * 7919) % keys}`, { token: tokens[i % tokens.length] })));
}

/** Token and key rotated per request; the stride is co-prime with KEYS, so pairs do not repeat in step. */
export function rotating(tokens: string[], keys = KEYS): Partial<autocannon.Options> {
  let i = 0;
  const setupRequest = (req: Req): Req => {
    i++;
    return { ...req, path: `/v1/secret/data/k${(i * 7919) % keys}`, headers: { ...req.headers, 'X-Vault-Token': tokens[i % tokens.length] } };
  };
  return { requests: [{ setupRequest }] };
}

/** KV v2 writes of about 200 B to w0 … w<KEYS-1> in turn. */
export function writer(token: string): Partial<autocannon.Options> {
  let i = 0;
  const setupRequest = (req: Req): Req => {
    i++;
    return { ...req, path: `/v1/secret/data/w${i % KEYS}`, body: JSON.stringify({ data: { n: i, pad: WRITE_PAD } }) };
  };
  return { method: 'POST', headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' }, requests: [{ setupRequest }] };
}

/**
 * A dev server run from another checkout's bin/coffer (BENCH_BASELINE: e.g. an
 * extract of the commit before a change), so before and after are measured
 * in the same interleaved rounds rather than at different moments.
 */
export async function startBaseline(checkout: string): Promise<DevServer> {
  const rootToken = 'root-baseline';
  const { addr, port, proc, out, exited } = await spawnDevServer(join(checkout, 'bin/coffer'), [], checkout, rootToken);
  const stopWith = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return { addr, port, proc, rootToken, unsealKeys: [], output: out, stop: () => stopWith('SIGTERM'), kill: () => stopWith('SIGKILL') };
}

/**
 * A dev server run by `node <nodeFlags> bin/launch.cjs` itself (profilers'
 * flags are refused in NODE_OPTIONS), healthy and ready for seeding; `exited`
 * settles when it ends (stop it with proc.kill('SIGTERM') so profiles flush).
 */
export async function startFlaggedDevServer(nodeFlags: string[], rootToken: string): Promise<{ server: DevServer; proc: ChildProcess; exited: Promise<void> }> {
  const root = join(import.meta.dirname, '..');
  const { addr, proc, exited } = await spawnDevServer(process.execPath, [...nodeFlags, join(root, 'bin/launch.cjs')], root, rootToken);
  return { server: { addr, rootToken } as DevServer, proc, exited };
}

/** `command [...before] server -dev …` on a free loopback port, its output kept, once healthy. */
async function spawnDevServer(command: string, before: string[], cwd: string, rootToken: string) {
  const port = await freePortPair();
  const proc = spawn(command, [...before, 'server', '-dev', `-dev-root-token-id=${rootToken}`, `-dev-listen-address=127.0.0.1:${port}`, '-dev-no-ui', '-log-level=error'], {
    cwd,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout!.on('data', (d) => (text += d));
  proc.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const addr = `http://127.0.0.1:${port}`;
  await waitForHealth(addr, proc, () => text, 120_000);
  return { addr, port, proc, exited, out: () => text };
}
