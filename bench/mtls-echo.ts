// A bare mTLS frame echo over Coffer's own cluster transport (ca.ts +
// transport.ts): the floor under every replication figure. The listener runs
// in a child process, as a primary would, and echoes each frame it receives;
// the parent dials it with a client certificate from the same CA and times
// ping → echo round trips.
//
//   measureMtlsEcho(1000)         from a bench (spawns the child itself)
//   npx tsx bench/mtls-echo.ts    prints the figure on its own
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { createReplicationCa, issueClientCert, issueServerCert } from '../server/replication/ca';
import { ALPN, dialCluster, startClusterListener } from '../server/replication/transport';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SELF = fileURLToPath(import.meta.url);
const SERVE_FLAG = '--serve';

interface EchoOffer {
  port: number;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface RoundTrips {
  pings: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Child side: listen on a loopback port, print the client's credentials as one JSON line, echo frames. */
async function serve(): Promise<void> {
  const ca = createReplicationCa('bench-echo');
  const server = issueServerCert(ca, ['127.0.0.1', 'localhost']);
  const client = issueClientCert(ca, 'bench-client');
  const listener = await startClusterListener({
    host: '127.0.0.1',
    port: 0,
    caPem: ca.certPem,
    certPem: server.certPem,
    keyPem: server.keyPem,
    authorize: () => true,
    onConnection: (conn) => conn.onFrame((f) => void conn.send(f).catch(() => {})),
  });
  const offer: EchoOffer = { port: listener.port, caPem: ca.certPem, certPem: client.certPem, keyPem: client.keyPem };
  process.stdout.write(JSON.stringify(offer) + '\n');
  process.on('SIGTERM', () => void listener.close().then(() => process.exit(0)));
}

export const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

/** Median and p99 of `pings` sequential frame round trips to an echo listener in another process (ms). */
export async function measureMtlsEcho(pings = 1_000): Promise<RoundTrips> {
  const child = spawn(process.execPath, ['--no-warnings', '--import', `file://${join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')}`, SELF, SERVE_FLAG], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const line = await new Promise<string>((res, rej) => {
      createInterface({ input: child.stdout! }).once('line', res);
      child.once('exit', (code) => rej(new Error(`echo listener exited with ${code}`)));
    });
    const offer = JSON.parse(line) as EchoOffer;
    const conn = await dialCluster({ addr: `127.0.0.1:${offer.port}`, caPem: offer.caPem, certPem: offer.certPem, keyPem: offer.keyPem, alpn: ALPN.perf });
    let waiting: ((seq: number) => void) | null = null;
    conn.onFrame((f) => {
      if (f.type === 'heartbeat') waiting?.(f.seq);
    });
    const times: number[] = [];
    const WARMUP = 50;
    for (let seq = 1; seq <= pings + WARMUP; seq++) {
      const t0 = performance.now();
      const echoed = new Promise<number>((r) => (waiting = r));
      await conn.send({ type: 'heartbeat', lastIndex: seq, primaryTime: Date.now(), seq });
      if ((await echoed) !== seq) throw new Error('echo out of order');
      if (seq > WARMUP) times.push(performance.now() - t0);
    }
    conn.destroy();
    times.sort((a, b) => a - b);
    return { pings, p50: quantile(times, 0.5), p99: quantile(times, 0.99), mean: times.reduce((a, b) => a + b, 0) / times.length };
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv[1] === SELF) {
  if (process.argv.includes(SERVE_FLAG)) await serve();
  else {
    const r = await measureMtlsEcho(Number(process.env.BENCH_PINGS ?? 1_000));
    console.log(`bare mTLS echo round trip over ${r.pings} pings: p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, mean ${r.mean.toFixed(3)} ms`);
  }
}
