// `npx tsx bench/replication.ts` (bench:replication): replication figures of
// real `coffer server` processes on loopback, each beside a bare mTLS echo
// round trip over the same transport measured in the same run. Prints a
// table; asserts nothing.
//
//   BENCH_LAG_S=10          seconds per lag figure
//   BENCH_OUTAGE_S=60       secondary outage before catch-up
//   BENCH_OUTAGE_WRITES=10000  writes made during the outage
//   BENCH_SECRETS=100000    secrets on the primary before a new secondary bootstraps
//   BENCH_SEQ_WRITES=500    sequential writes per forwarded/direct latency figure
//   BENCH_ONLY=lag,catchup,bootstrap   run only these sections (default: all)
import { rmSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';
import { api, startConfiguredServer, startDevServer, type ConfiguredServer, type DevServer, type ServerProcess } from '../tests/support/cluster';
import { enablePrimary, pair, secondaryToken } from '../tests/support/replication';
import { startTcpProxy, type TcpProxy } from '../tests/support/tcp-proxy';
import { measureMtlsEcho, quantile, type RoundTrips } from './mtls-echo';

const LAG_S = Number(process.env.BENCH_LAG_S ?? 10);
const OUTAGE_S = Number(process.env.BENCH_OUTAGE_S ?? 60);
const OUTAGE_WRITES = Number(process.env.BENCH_OUTAGE_WRITES ?? 10_000);
const SECRETS = Number(process.env.BENCH_SECRETS ?? 100_000);
const SEQ_WRITES = Number(process.env.BENCH_SEQ_WRITES ?? 500);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'lag,catchup,bootstrap').split(','));
const MODE = 'performance';
const MAX_IN_FLIGHT = 256;
const MAX_RATE_CONCURRENCY = 32;
const QUIET = ['-log-level=warn'];

const started = new Set<ServerProcess>();
const dirs = new Set<string>();
const proxies: TcpProxy[] = [];
const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms` : 'n/a');

// The hot loops use node:http with keep-alive, not fetch: fetch costs this
// process ~4× the CPU per request, and on a 2-core box the load generator's
// CPU is taken from the servers being measured.
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });

function call(addr: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const url = new URL(addr);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `/v1/${path}`,
        method,
        agent,
        headers: { ...(token ? { 'X-Vault-Token': token } : {}), ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = text;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function replStatus(addr: string, mode: string): Promise<Record<string, any>> {
  const r = await call(addr, 'GET', `sys/replication/${mode}/status`);
  if (r.status !== 200) throw new Error(`status ${r.status}`);
  return r.body.data;
}

async function cleanup(): Promise<void> {
  agent.destroy();
  for (const p of proxies) await p.close().catch(() => {});
  await Promise.all([...started].map((s) => s.kill().catch(() => {})));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s[s.length - 1] ?? NaN };
}

// ---- servers ----

async function dev(extra: string[] = []): Promise<DevServer> {
  const s = await startDevServer({ args: [...QUIET, ...extra] });
  started.add(s);
  return s;
}

async function configured(name: string, args: string[]): Promise<ConfiguredServer> {
  const s = await startConfiguredServer({ name, args });
  started.add(s);
  dirs.add(s.dataDir);
  return s;
}

async function unseal(addr: string, key: string): Promise<void> {
  const r = await api(addr, 'PUT', 'sys/unseal', { body: { key } });
  if (r.status !== 200 || r.body.sealed) throw new Error(`unseal ${addr}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** A config-mode node (persistent, restartable), initialised and unsealed; returns its own root token. */
async function configuredNode(name: string, args: string[]): Promise<{ server: ConfiguredServer; root: string }> {
  const server = await configured(name, args);
  const init = await api(server.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  await unseal(server.addr, init.body.keys_base64[0]);
  return { server, root: init.body.root_token };
}

async function write(addr: string, token: string, path: string, data: Record<string, unknown>): Promise<void> {
  const r = await call(addr, 'POST', path, token, { data });
  if (r.status >= 300) throw new Error(`write ${path}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** Fill with autocannon (cheap on the client): `amount` writes to <prefix><n>. */
async function fill(addr: string, token: string, prefix: string, amount: number, body: (i: number) => unknown): Promise<number> {
  let i = 0;
  const t0 = now();
  const result = await autocannon({
    url: `${addr}/v1/${prefix}0`,
    connections: 32,
    amount,
    method: 'POST',
    headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, path: `/v1/${prefix}${i}`, body: JSON.stringify(body(i++)) }) }],
  });
  if (result.non2xx || result.errors) throw new Error(`fill ${prefix}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return now() - t0;
}

/** Poll both statuses every `everyMs` until the merkle roots agree; resolves with the time it first saw them equal. */
async function rootsEqual(pAddr: string, sAddr: string, timeoutMs: number, everyMs = 5): Promise<number> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    try {
      const [p, s] = await Promise.all([replStatus(pAddr, MODE), replStatus(sAddr, MODE)]);
      if (p.merkle_root === s.merkle_root && s.connection_state === 'ready') return now();
    } catch {
      /* restarting */
    }
    await sleep(everyMs);
  }
  throw new Error(`merkle roots of ${pAddr} and ${sAddr} not equal after ${timeoutMs} ms`);
}

/** The secondary's "merkle sync complete" log lines (JSON, -log-level=info). */
function syncLinesNow(s: ServerProcess): { roundTrips: number; bucketsDiffering: number; keysFetched: number; bytesFetched: number; reason: string }[] {
  return s
    .output()
    .split('\n')
    .filter((l) => l.includes('"merkle sync complete"'))
    .map((l) => JSON.parse(l));
}

/** Log lines reach us through a pipe a little after the status that reflects them: wait for at least `n`. */
async function syncLines(s: ServerProcess, n = 1, timeoutMs = 5_000): Promise<ReturnType<typeof syncLinesNow>> {
  const deadline = now() + timeoutMs;
  while (syncLinesNow(s).length < n && now() < deadline) await sleep(20);
  return syncLinesNow(s);
}

// ---- lag: write acknowledged on the primary → readable on the secondary ----

interface LagResult {
  seconds: number;
  acked: number;
  failed: number;
  rate: number;
  /** Upper bound per probe: arrival of the first 200 on the secondary − arrival of the ack. */
  lag: ReturnType<typeof stats>;
  /** Lower bound per probe: when the successful read was sent − arrival of the ack (≥ 0). */
  lagLow: ReturnType<typeof stats>;
  /** Share of probes whose very first read already saw the write. */
  firstRead: number;
  readRtt: number;
  drainMs: number;
}

/**
 * Writers push KV v2 writes to the primary, either paced open-loop at `rate`
 * writes/s or closed-loop with `concurrency` in flight. One prober takes the
 * next write acknowledged after it is free and reads that key on the secondary
 * in a tight loop until it answers 200: lag = arrival of that 200 − arrival of
 * the primary's ack. Resolution: one secondary read round trip (reported).
 */
async function lagRun(p: DevServer, s: DevServer, prefix: string, opts: { rate?: number; concurrency?: number; seconds: number }): Promise<LagResult> {
  let acked = 0;
  let failed = 0;
  let inFlight = 0;
  let done = false;
  let want: ((w: { i: number; at: number } | null) => void) | null = null;
  const lags: number[] = [];
  const lows: number[] = [];
  let firstReads = 0;
  const readRtts: number[] = [];

  const one = async (i: number) => {
    inFlight++;
    try {
      const r = await call(p.addr, 'POST', `secret/data/${prefix}/${i}`, p.rootToken, { data: { i } });
      const at = now();
      if (r.status !== 200) failed++;
      else {
        acked++;
        const w = want;
        want = null;
        w?.({ i, at });
      }
    } catch {
      failed++;
    } finally {
      inFlight--;
    }
  };

  const prober = (async () => {
    while (!done) {
      const w = await new Promise<{ i: number; at: number } | null>((r) => (want = r));
      if (!w) break;
      for (let attempt = 0; ; attempt++) {
        const t = now();
        const r = await call(s.addr, 'GET', `secret/data/${prefix}/${w.i}`, p.rootToken);
        const t2 = now();
        readRtts.push(t2 - t);
        if (r.status === 200) {
          lags.push(t2 - w.at);
          lows.push(Math.max(0, t - w.at));
          if (attempt === 0) firstReads++;
          break;
        }
        if (t2 - w.at > 30_000) break;
      }
    }
  })();

  const t0 = now();
  let issued = 0;
  const pending = new Set<Promise<void>>();
  const issue = () => {
    const pr = one(issued++);
    pending.add(pr);
    void pr.finally(() => pending.delete(pr));
  };
  if (opts.rate) {
    while (now() - t0 < opts.seconds * 1000) {
      const due = Math.floor(((now() - t0) * opts.rate) / 1000);
      while (issued < due && inFlight < MAX_IN_FLIGHT) issue();
      await sleep(1);
    }
  } else {
    const c = opts.concurrency ?? MAX_RATE_CONCURRENCY;
    await Promise.all(
      Array.from({ length: c }, async () => {
        while (now() - t0 < opts.seconds * 1000) {
          const pr = one(issued++);
          await pr;
        }
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (now() - t0) / 1000;
  // How long the secondary needs to hold everything the primary acknowledged.
  const tStop = now();
  const target = (await replStatus(p.addr, MODE)).last_wal as number;
  while (((await replStatus(s.addr, MODE)).last_remote_wal as number) < target && now() - tStop < 60_000) await sleep(2);
  const drainMs = now() - tStop;
  done = true;
  const last = want as ((w: null) => void) | null;
  want = null;
  last?.(null);
  await prober;
  return { seconds: elapsed, acked, failed, rate: acked / elapsed, lag: stats(lags), lagLow: stats(lows), firstRead: lags.length ? firstReads / lags.length : NaN, readRtt: stats(readRtts).p50, drainMs };
}

async function sequentialWrites(addr: string, token: string, prefix: string, n: number): Promise<ReturnType<typeof stats>> {
  const times: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const t = now();
    await write(addr, token, `secret/data/${prefix}/${i}`, { i });
    if (i >= 20) times.push(now() - t); // first 20: warm-up (connections, forwarding dial)
  }
  return stats(times);
}

// ---- the run ----

interface Row {
  figure: string;
  value: string;
  aim?: string;
  note?: string;
}
const rows: Row[] = [];
const row = (r: Row) => {
  rows.push(r);
  console.log(`  · ${r.figure}: ${r.value}${r.note ? `  (${r.note})` : ''}`);
};

function lagNote(r: LagResult, echo: RoundTrips): string {
  return (
    `${r.rate.toFixed(0)} writes/s achieved, ${r.failed} failed; ${r.lag.n} probes, ${(r.firstRead * 100).toFixed(0)}% visible at the first read, ` +
    `lower bounds ${ms(r.lagLow.p50)} / ${ms(r.lagLow.p99)}, max ${ms(r.lag.max)}; read RTT p50 ${ms(r.readRtt)} (the resolution); ` +
    `secondary drained ${ms(r.drainMs)} after the last ack; p99 = ${(r.lag.p99 / echo.p50).toFixed(0)}× echo p50`
  );
}

async function lagAndForwarding(echo: RoundTrips): Promise<void> {
  console.log('\n[1] lag and forwarding — dev primary + dev performance secondary');
  const p = await dev();
  const s = await dev();
  await pair({ addr: p.addr, token: p.rootToken }, { addr: s.addr, token: s.rootToken }, MODE, 'bench-lag');
  await write(p.addr, p.rootToken, 'secret/data/warm', { x: 1 });
  await lagRun(p, s, 'warm', { rate: 100, seconds: 1 });

  for (const rate of [100, 1_000]) {
    const r = await lagRun(p, s, `r${rate}`, { rate, seconds: LAG_S });
    row({
      figure: `lag at ${rate} writes/s (p50 / p99, upper bounds)`,
      value: `≤ ${ms(r.lag.p50)} / ≤ ${ms(r.lag.p99)}`,
      aim: rate === 1_000 ? 'p99 ≤ 5 ms' : undefined,
      note: lagNote(r, echo),
    });
  }
  const max = await lagRun(p, s, 'max', { concurrency: MAX_RATE_CONCURRENCY, seconds: LAG_S });
  row({
    figure: `max writes/s, closed loop ×${MAX_RATE_CONCURRENCY} (lag p50 / p99 ≤)`,
    value: `${max.rate.toFixed(0)} writes/s (≤ ${ms(max.lag.p50)} / ≤ ${ms(max.lag.p99)})`,
    note: `${lagNote(max, echo)}; ${max.drainMs < 100 ? 'sustainable: the secondary kept up' : 'the secondary falls behind at this rate'}`,
  });

  const direct = await sequentialWrites(p.addr, p.rootToken, 'direct', SEQ_WRITES);
  const forwarded = await sequentialWrites(s.addr, p.rootToken, 'fwd', SEQ_WRITES);
  row({ figure: `direct write on the primary (p50 / p99, ${SEQ_WRITES} sequential)`, value: `${ms(direct.p50)} / ${ms(direct.p99)}` });
  row({
    figure: `forwarded write via the secondary (p50 / p99, read-your-writes)`,
    value: `${ms(forwarded.p50)} / ${ms(forwarded.p99)}`,
    note: `+${ms(forwarded.p50 - direct.p50)} over direct at p50 = ${((forwarded.p50 - direct.p50) / echo.p50).toFixed(1)}× echo p50`,
  });
  await Promise.all([p.stop(), s.stop()]);
}

async function catchUp(): Promise<void> {
  console.log(`\n[2] catch-up — secondary down ${OUTAGE_S} s while ${OUTAGE_WRITES} writes land on the primary`);
  const p = await dev();
  const s = await configuredNode('bench-catchup', ['-log-level=info']);
  await enablePrimary(p.addr, p.rootToken, MODE);
  const tok = await secondaryToken(p.addr, p.rootToken, MODE, 'bench-catchup');
  await api(s.server.addr, 'POST', `sys/replication/${MODE}/secondary/enable`, { token: s.root, body: { token: tok } });
  await rootsEqual(p.addr, s.server.addr, 60_000, 50);

  const down = now();
  await s.server.stop();
  const fillMs = await fill(p.addr, p.rootToken, 'secret/data/outage/', OUTAGE_WRITES, (i) => ({ data: { i } }));
  const rest = OUTAGE_S * 1000 - (now() - down);
  if (rest > 0) await sleep(rest);
  const pStatus = await replStatus(p.addr, MODE);

  const t0 = now();
  const server = await s.server.restart();
  started.add(server);
  const tUp = now();
  await unseal(server.addr, p.unsealKeys[0]);
  const tUnsealed = now();
  const tEqual = await rootsEqual(p.addr, server.addr, 120_000, 5);
  const st = await replStatus(server.addr, MODE);
  row({
    figure: `catch-up after ${((tUp - down) / 1000).toFixed(0)} s down, ${OUTAGE_WRITES} writes (unseal → equal roots)`,
    value: ms(tEqual - tUnsealed),
    aim: '≤ 1 s',
    note: `process start ${ms(tUp - t0)}, unseal ${ms(tUnsealed - tUp)}, restart → equal roots ${ms(tEqual - t0)}; ${pStatus.last_wal} primary log records; ${(await syncLines(server, 1, 1_000)).length ? 'via merkle sync' : 'log stream (guard found)'}; outage writes took ${ms(fillMs)}; secondary at ${st.last_remote_wal}`,
  });
  await Promise.all([p.stop(), server.stop()]);
}

async function bootstrapAndDiff(echo: RoundTrips): Promise<void> {
  console.log(`\n[3] bootstrap of a new secondary against ${SECRETS} secrets, then a merkle diff with one divergent key`);
  // Log retention 1: once the secondary is away, a single write pushes its position out of the log.
  const p = await dev(['-log-retention=1']);
  const proxy = await startTcpProxy({ port: p.port + 1 });
  proxies.push(proxy);
  await api(p.addr, 'POST', 'sys/mounts/kv1', { token: p.rootToken, body: { type: 'kv', options: { version: '1' } } });
  await enablePrimary(p.addr, p.rootToken, MODE, { primary_cluster_addr: `https://127.0.0.1:${proxy.port}` });
  const fillMs = await fill(p.addr, p.rootToken, 'secret/data/fill/', SECRETS, (i) => ({ data: { user: `u${i}`, password: `pw-${i}-${'x'.repeat(24)}` } }));
  row({ figure: `fill: ${SECRETS} KV v2 secrets on the primary`, value: ms(fillMs), note: `${((SECRETS / fillMs) * 1000).toFixed(0)} writes/s with 32 connections` });

  const s = await configuredNode('bench-boot', ['-log-level=info']);
  const tok = await secondaryToken(p.addr, p.rootToken, MODE, 'bench-boot');
  const wire0 = proxy.bytes();
  const t0 = now();
  const en = await api(s.server.addr, 'POST', `sys/replication/${MODE}/secondary/enable`, { token: s.root, body: { token: tok } });
  if (en.status !== 200) throw new Error(`secondary enable: ${en.status} ${JSON.stringify(en.body)}`);
  const tEnabled = now();
  let tStream = NaN;
  while (now() - t0 < 600_000) {
    const st = await replStatus(s.server.addr, MODE).catch(() => null);
    if (st?.state === 'stream-wals') {
      tStream = now();
      break;
    }
    await sleep(10);
  }
  const tEqual = await rootsEqual(p.addr, s.server.addr, 60_000, 10);
  const wire1 = proxy.bytes();
  const boot = (await syncLines(s.server)).at(-1);
  if (process.env.BENCH_DEBUG) console.log(s.server.output());
  row({
    figure: `bootstrap: secondary/enable → stream-wals (${SECRETS} secrets)`,
    value: ms(tStream - t0),
    aim: '≤ 10 s',
    note: `enable call ${ms(tEnabled - t0)}, equal roots at ${ms(tEqual - t0)}; sync: ${boot?.keysFetched} keys, ${((boot?.bytesFetched ?? 0) / 1e6).toFixed(1)} MB values, ${boot?.roundTrips} round trips; wire ${((wire1.fromTarget - wire0.fromTarget) / 1e6).toFixed(1)} MB down`,
  });

  await s.server.stop();
  await write(p.addr, p.rootToken, 'kv1/divergent', { v: 'only-on-the-primary' });
  const server = await s.server.restart();
  started.add(server);
  const w0 = proxy.bytes();
  const t1 = now();
  await unseal(server.addr, p.unsealKeys[0]);
  const tEq = await rootsEqual(p.addr, server.addr, 60_000, 5);
  const w1 = proxy.bytes();
  const diff = (await syncLines(server)).at(-1);
  if (process.env.BENCH_DEBUG) console.log(server.output());
  if (!diff) {
    row({ figure: 'merkle diff, 1 divergent key', value: 'no merkle sync happened', note: 'the secondary resumed the log stream instead' });
  } else {
    const fetchRounds = diff.bucketsDiffering > 0 ? 1 : 0;
    row({
      figure: `merkle diff, 1 divergent key in ${SECRETS}: round trips`,
      value: `${diff.roundTrips - fetchRounds} diff + ${fetchRounds} fetch`,
      aim: 'diff ≤ 2',
      note: `${diff.bucketsDiffering} bucket(s) differing, ${diff.keysFetched} key(s) fetched, ${diff.bytesFetched} B of values; reason "${diff.reason}"`,
    });
    row({
      figure: 'merkle diff, 1 divergent key: bytes and time',
      value: `${((w1.toTarget - w0.toTarget + w1.fromTarget - w0.fromTarget) / 1024).toFixed(1)} KiB on the wire`,
      note: `${((w1.toTarget - w0.toTarget) / 1024).toFixed(1)} KiB up / ${((w1.fromTarget - w0.fromTarget) / 1024).toFixed(1)} KiB down incl. TLS handshake, hello and heartbeats; unseal → equal roots ${ms(tEq - t1)} = ${((tEq - t1) / echo.p50).toFixed(0)}× echo p50`,
    });
  }
  await Promise.all([p.stop(), server.stop()]);
}

async function main(): Promise<void> {
  console.log(`coffer bench:replication — node ${process.version}, lag ${LAG_S} s per figure, outage ${OUTAGE_S} s / ${OUTAGE_WRITES} writes, ${SECRETS} secrets`);
  const echo = await measureMtlsEcho(1_000);
  row({ figure: 'bare mTLS echo round trip (p50 / p99, 1,000 pings)', value: `${ms(echo.p50)} / ${ms(echo.p99)}`, note: 'cluster transport between two processes, nothing else' });
  if (ONLY.has('lag')) await lagAndForwarding(echo);
  if (ONLY.has('catchup')) await catchUp();
  if (ONLY.has('bootstrap')) await bootstrapAndDiff(echo);
  const echoEnd = await measureMtlsEcho(1_000);
  row({ figure: 'bare mTLS echo again at the end (p50 / p99)', value: `${ms(echoEnd.p50)} / ${ms(echoEnd.p99)}`, note: 'how noisy the box was' });

  const w = Math.max(...rows.map((r) => r.figure.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  console.log('\n' + ['figure'.padEnd(w), 'measured'.padEnd(v), 'aim'].join(' │ '));
  console.log('─'.repeat(w + v + 20));
  for (const r of rows) console.log([r.figure.padEnd(w), r.value.padEnd(v), r.aim ?? ''].join(' │ '));
  console.log(
    '\nMethod: lag = a prober takes the next write acknowledged by the primary and reads that key on the secondary in a tight loop.' +
      '\nUpper bound: arrival of the first 200 minus arrival of the ack; lower bound: when that read was sent minus the ack. The true lag' +
      '\nlies between; their gap is one read round trip (read RTT), the resolution of this method on this box.' +
      '\nCatch-up and bootstrap poll both sides\' sys/replication/performance/status every 5–10 ms for equal merkle_root.' +
      '\nMerkle-diff counts come from the secondary\'s "merkle sync complete" log line; bytes are counted by a TCP proxy on the cluster link.',
  );
}

try {
  await main();
} finally {
  await cleanup();
}
