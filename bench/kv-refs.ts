// bench:kv's load generator and bare references, shared by its single-node
// mode (bench/kv.ts) and its HA mode (bench/kv-ha.ts), so both storage modes
// are judged against the same floors with the same client.
//   bare node:http        a fixed JSON body (bench/bare-http.mjs): the read ceiling
//   bare sqlite FULL      better-sqlite3 inserts behind node:http (bench/bare-sqlite-http.mjs):
//                         `full` one durable commit per insert, `group` one per event-loop turn
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePortPair } from '../tests/support/ports';
import type { Figure } from './interleave';
import { rotating, writer } from './kv-fixture';

export const CONNECTIONS = 32;
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
export const WARMUP_SECONDS = 1;
/** The read aim of issue 11 (Coffer ÷ bare node:http). */
export const READ_AIM = 0.6;
/** The write aim of issue 11 (Coffer ÷ bare sqlite FULL, one commit per insert). */
export const WRITE_AIM = 0.5;

export async function cannon(url: string, opts: Partial<autocannon.Options> = {}, seconds = SECONDS): Promise<{ rate: number; count: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, ...opts });
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors from ${url}`);
  return { rate: result.requests.average, count: result.requests.total };
}

export async function spawnBare(args: string[]): Promise<{ url: string; child: ChildProcess; pid: () => number }> {
  const port = await freePortPair();
  const script = args.findIndex((a) => a.startsWith('/') && /\.(mjs|ts)$/.test(a)); // the port follows the script's path
  const child = spawn(process.execPath, [...args.slice(0, script + 1), String(port), ...args.slice(script + 1)], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.once('exit', (code) => code && console.error(`${args[script]} exited with ${code}`));
  await new Promise((r) => child.stdout!.once('data', r));
  return { url: `http://127.0.0.1:${port}`, child, pid: () => child.pid! };
}

export interface BareReads {
  /** One token, one path: what a one-key read is judged against. */
  fixed: Figure;
  /** The rotating token × key generator, same server: what a 1k × 10k read is judged against. */
  rotating: Figure;
  child: ChildProcess;
}

/** The bare node:http read reference, fed one token (`fixed`) or the rotating `tokens` × keys generator. */
export async function bareReads(tokens: string[]): Promise<BareReads> {
  const bare = await spawnBare([join(import.meta.dirname, 'bare-http.mjs')]);
  const url = `${bare.url}/v1/secret/data/k0`;
  return {
    fixed: { name: 'bare node:http, fixed JSON', unit: 'req/s', pid: bare.pid, run: (s) => cannon(url, { headers: { 'X-Vault-Token': tokens[0] } }, s) },
    rotating: { name: 'bare node:http, rotating requests', unit: 'req/s', pid: bare.pid, run: (s) => cannon(url, rotating(tokens), s) },
    child: bare.child,
  };
}

export interface BareWrites {
  full: Figure;
  group: Figure;
  children: ChildProcess[];
}

/** The bare better-sqlite3 write references, their databases in `dir`, fed the same write generator as Coffer. */
export async function bareWrites(dir: string, token: string): Promise<BareWrites> {
  const script = join(import.meta.dirname, 'bare-sqlite-http.mjs');
  const full = await spawnBare([script, 'full', dir]);
  const group = await spawnBare([script, 'group', dir]);
  return {
    full: { name: 'bare sqlite FULL, one commit per insert', unit: 'req/s', pid: full.pid, run: (s) => cannon(`${full.url}/w`, writer(token), s) },
    group: { name: 'bare sqlite FULL, group commit', unit: 'req/s', pid: group.pid, run: (s) => cannon(`${group.url}/w`, writer(token), s) },
    children: [full.child, group.child],
  };
}
