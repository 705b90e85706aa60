import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { COFFER_BIN, REPO_ROOT } from './cluster';

// A real `coffer lab` for tests and benches: started with the caller's flags
// on a block of free ports, up once it prints its ready line, stopped with
// Ctrl-C (SIGINT) like a user would, and killed with its whole process group
// (servers, etcd members) if it does not go.

/** The lab prints this once every cluster is wired and unsealed. */
export const LAB_READY = 'Press Ctrl-C';
/** Ports each lab node may take from its offset: API, cluster, etcd peer, etcd client. */
const PORTS_PER_NODE = 4;
const DEFAULT_START_TIMEOUT_MS = 300_000;
const DEFAULT_STOP_TIMEOUT_MS = 60_000;
const POLL_MS = 250;

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/** A base port whose block (every offset, PORTS_PER_NODE ports each) is free. */
export async function freeLabBase(offsets: readonly number[]): Promise<number> {
  for (let i = 0; i < 50; i++) {
    // Below Linux's ephemeral range (32768+), where outgoing connections (etcd's among them) would take ports meanwhile.
    const base = 10_000 + 10 * Math.floor(Math.random() * 2_000);
    const ports = offsets.flatMap((o) => Array.from({ length: PORTS_PER_NODE }, (_, k) => base + o + k));
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range for the lab');
}

export interface Lab {
  readonly base: number;
  readonly proc: ChildProcess;
  /** Everything the lab printed so far (stdout and stderr). */
  output(): string;
  addr(offset: number): string;
  /** Ctrl-C and wait for the lab to exit; its process group is SIGKILLed if it has not within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

async function until(what: string, done: () => boolean, timeoutMs: number, detail: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${detail()}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export interface LabOptions {
  startTimeoutMs?: number;
  /** Also serve the console (default: -no-ui). */
  ui?: boolean;
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

/**
 * `coffer lab <flags> -base-port=<free> -no-ui`, resolved once it is ready.
 * `offsets`: the port offset of every node the flags make (the caller knows its topology).
 */
export async function startLab(flags: string[], offsets: readonly number[], opts: LabOptions = {}): Promise<Lab> {
  const base = await freeLabBase(offsets);
  const startTimeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  // Its own process group, so a lab that ignores Ctrl-C goes with every child.
  const proc = spawn(COFFER_BIN, ['lab', ...flags, `-base-port=${base}`, ...(opts.ui ? [] : ['-no-ui'])], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  const lab: Lab = {
    base,
    proc,
    output: () => out,
    addr: (offset) => `http://127.0.0.1:${base + offset}`,
    async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS) {
      if (exited()) return;
      proc.kill('SIGINT');
      try {
        await until('the lab to exit', exited, timeoutMs, () => out.slice(-3000));
      } catch {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
  };
  try {
    await until('the lab to be up', () => out.includes(LAB_READY) || exited(), startTimeoutMs, () => out.slice(-6000));
    if (!out.includes(LAB_READY)) throw new Error(`the lab exited before it was up:\n${out.slice(-6000)}`);
  } catch (err) {
    await lab.stop(10_000);
    throw err;
  }
  return lab;
}
