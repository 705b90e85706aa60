// `npm run bench:cli`: how fast `bin/coffer` starts. p50 (and p90) of 20
// `coffer status` calls against a running dev server beside 20 `node -e 0`
// (interleaved, so both see the same machine load), the same through the
// TypeScript loader (COFFER_CLI_TSX=1, what bin/coffer did before), and the
// time from spawning `coffer server -dev` to "listening" (its start-up banner)
// and to the first healthy answer. Prints figures; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { COFFER_BIN, REPO_ROOT, startDevServer } from '../tests/support/cluster';
import { freePortPair } from '../tests/support/ports';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TSX_RUNS = Number(process.env.BENCH_TSX_RUNS ?? 5);
const SERVER_STARTS = Number(process.env.BENCH_SERVER_STARTS ?? 5);
const START_DEADLINE_MS = 60_000;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, env, stdio: 'ignore' });
  const t = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return t;
}

/** Spawn → banner ("started") and → first healthy answer, in ms. */
async function serverStart(extraEnv: Record<string, string> = {}): Promise<{ banner: number; healthy: number }> {
  const port = await freePortPair();
  const t0 = performance.now();
  const child = spawn(COFFER_BIN, ['server', '-dev', '-dev-no-ui', `-dev-listen-address=127.0.0.1:${port}`], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...extraEnv, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let banner = 0;
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    if (!banner && out.includes('Coffer server started')) banner = performance.now() - t0;
  });
  try {
    const deadline = Date.now() + START_DEADLINE_MS;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`server not healthy after ${START_DEADLINE_MS} ms:\n${out}`);
      const ok = await fetch(`http://127.0.0.1:${port}/v1/sys/health`).then((r) => r.status === 200, () => false);
      if (ok) return { banner, healthy: performance.now() - t0 };
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  // Build once up front (what `npm install` does), so no run below pays for a build.
  spawnSync(process.execPath, ['bin/cli-bundle.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const server = await startDevServer();
  const env: NodeJS.ProcessEnv = { ...process.env, VAULT_ADDR: server.addr, VAULT_TOKEN: server.rootToken };
  delete env.COFFER_ADDR;
  delete env.COFFER_TOKEN;
  try {
    timed(COFFER_BIN, ['status'], env); // warm the page cache
    const status: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(timed(process.execPath, ['-e', '0'], env));
      status.push(timed(COFFER_BIN, ['status'], env));
    }
    const tsx: number[] = [];
    for (let i = 0; i < TSX_RUNS; i++) tsx.push(timed(COFFER_BIN, ['status'], { ...env, COFFER_CLI_TSX: '1' }));
    const starts: Array<{ banner: number; healthy: number }> = [];
    for (let i = 0; i < SERVER_STARTS; i++) starts.push(await serverStart());
    const tsxStarts: Array<{ banner: number; healthy: number }> = [];
    for (let i = 0; i < TSX_RUNS; i++) tsxStarts.push(await serverStart({ COFFER_CLI_TSX: '1' }));

    const cpu = cpus();
    console.log(`machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`coffer status            p50 ${ms(quantile(status, 0.5))}   p90 ${ms(quantile(status, 0.9))}   (${RUNS} runs)`);
    console.log(`node -e 0                p50 ${ms(quantile(bare, 0.5))}   p90 ${ms(quantile(bare, 0.9))}   (${RUNS} runs, interleaved)`);
    console.log(`coffer status − node     p50 ${ms(quantile(status, 0.5) - quantile(bare, 0.5))}`);
    console.log(`coffer status via tsx    p50 ${ms(quantile(tsx, 0.5))}   (${TSX_RUNS} runs, COFFER_CLI_TSX=1: the old way)`);
    const startLine = (xs: typeof starts) =>
      `p50 ${ms(quantile(xs.map((s) => s.banner), 0.5))} to "started" banner, ${ms(quantile(xs.map((s) => s.healthy), 0.5))} to first healthy answer`;
    console.log(`coffer server -dev       ${startLine(starts)}   (${SERVER_STARTS} starts)`);
    console.log(`server -dev via tsx      ${startLine(tsxStarts)}   (${TSX_RUNS} starts, the old way)`);
  } finally {
    await server.stop();
  }
}

await main();
