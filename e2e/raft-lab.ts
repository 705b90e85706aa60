// A real 3-node HA cluster for the Raft Storage spec: `coffer lab -nodes=3
// -clusters=dallas` on a free block of loopback ports (dallas-1, dallas-2,
// dallas-3, each a `coffer server` with storage "raft" and its own etcd
// member), initialised and unsealed by the lab with a random root token. The
// lab prints its banner once every node is unsealed; stop() ends it with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Each node: API, cluster, etcd peer and etcd client port; nodes 10 ports apart. */
const OFFSETS = [0, 10, 20].flatMap((o) => [o, o + 1, o + 2, o + 3]);
const READY_LINE = 'Press Ctrl-C';
const START_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 30_000;

export interface RaftLab {
  rootToken: string;
  /** dallas-1 … dallas-3 → http://127.0.0.1:<port> */
  nodes: { name: string; url: string }[];
  logs(): string;
  stop(): Promise<void>;
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768+).
    const base = 10_000 + 10 * Math.floor(Math.random() * 2_200);
    if ((await Promise.all(OFFSETS.map((o) => portFree(base + o)))).every(Boolean)) return base;
  }
  throw new Error('no free block of ports for the lab');
}

export async function startRaftLab(): Promise<RaftLab> {
  const base = await freeBase();
  const rootToken = `root-${randomBytes(8).toString('hex')}`;
  let out = '';
  const child: ChildProcess = spawn(`${REPO_ROOT}bin/coffer`, ['lab', '-nodes=3', '-clusters=dallas', `-base-port=${base}`, `-root-token=${rootToken}`], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const up = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes(READY_LINE)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`coffer lab exited (${code ?? signal}) before it was ready:\n${out}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  async function stop() {
    clearTimeout(timer);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(kill);
  }
  try {
    await up;
  } catch (err) {
    await stop();
    throw err;
  }
  clearTimeout(timer);
  return {
    rootToken,
    nodes: [0, 10, 20].map((o, i) => ({ name: `dallas-${i + 1}`, url: `http://127.0.0.1:${base + o}` })),
    logs: () => out,
    stop,
  };
}
