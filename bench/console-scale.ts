// The console at NOC scale (issue 11 item 5), measured with real processes.
//
// One performance primary (with the console) and M performance secondaries,
// every one a real `bin/coffer server -dev -dev-no-ui` process; the status
// wall watches K of them (the primary and K-1 secondaries), so K = 30, M = 50
// needs 51 processes, not 81. Chromium (headless) opens /ui/wall with all K
// and, in a second tab, the primary's performance dashboard (M rows). Then:
//   writes    WRITES KV writes on the primary, one at a time: each moves the
//             primary's Last WAL and every secondary's Remote WAL on the wall
//   stop      one secondary SIGKILLed: its dashboard row turns "disconnected"
// and prints, per page:
//   long tasks   PerformanceObserver('longtask') injected before load: count
//                and the longest, and how many were over 100 ms
//   latency      change → screen: the server's `at` of the feed message that
//                first carried a new WAL (or "disconnected"), against the
//                first DOM mutation showing it (MutationObserver, same clock)
//   bytes        WebSocket frames the page received (page.on('websocket')),
//                split into snapshots, deltas and heartbeats, per delta and
//                per write
// Asserts nothing.
//
//   node_modules/.bin/tsx bench/console-scale.ts [K=30] [M=50] [WRITES=40]
// Needs a built console in .next (the primary serves /ui).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { WebSocket } from 'ws';
import { applyFeedMessage } from '../lib/api/status-feed-client';
import type { FeedMessage, FeedSnapshot } from '../lib/types/replication-feed';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const K = Number(process.argv[2] ?? 30);
const M = Number(process.argv[3] ?? 50);
const WRITES = Number(process.argv[4] ?? 40);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT_TOKEN = 'bench-root';
/** Headroom kept free for the other engineers on this box. */
const MIN_FREE_MB = 4096;
const START_BATCH = 6;
const LONG_TASK_MS = 100;
/** A page load with 51 servers and Chromium on a loaded 2-core box can take well over Playwright's default 30 s. */
const PAGE_LOAD_MS = 180_000;

interface Proc {
  name: string;
  url: string;
  child: ChildProcess;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  for (;;) {
    const p = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    // The dev server's cluster port is api + 1.
    const next = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(p + 1, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (next) return p;
  }
}

async function startDev(name: string, ui: boolean): Promise<Proc> {
  const port = await freePort();
  const args = ['server', '-dev', `-dev-root-token-id=${ROOT_TOKEN}`, `-dev-listen-address=127.0.0.1:${port}`, `-dev-cluster-name=${name}`, '-log-level=error'];
  if (!ui) args.push('-dev-no-ui');
  const child = spawn(`${ROOT}bin/coffer`, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early`);
    if (await fetch(`${url}/v1/sys/health`).then((r) => r.ok, () => false)) return { name, url, child };
    await sleep(150);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start`);
}

async function api<T>(url: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/v1/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'X-Vault-Token': ROOT_TOKEN, 'Content-Type': 'application/json', Connection: 'close' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill(signal);
  });
}

function freeMb(): number {
  const m = /MemAvailable:\s+(\d+)/.exec(execFileSync('cat', ['/proc/meminfo'], { encoding: 'utf8' }));
  return m ? Number(m[1]) / 1024 : 0;
}

function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' }));
      if (m) kb += Number(m[1]);
    } catch {
      // exited
    }
  }
  return kb / 1024;
}

function pct(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** In the page, before any script: long tasks, and when each text first appeared under a [data-scale-key] element. */
const PAGE_PROBE = `(() => {
  window.__longTasks = [];
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
  } catch {}
  window.__seen = {};
  const scan = () => {
    const now = Date.now();
    for (const tile of document.querySelectorAll('[data-testid="wall-tile"]')) {
      const addr = tile.querySelector('p[id$="-addr"]')?.textContent ?? '';
      const m = /WAL\\s*(\\d+)/.exec(tile.querySelector('[data-testid="wall-performance"]')?.textContent ?? '');
      if (m) { const k = addr + '#' + m[1]; if (!(k in window.__seen)) window.__seen[k] = now; }
    }
    for (const row of document.querySelectorAll('tr[data-testid^="secondary-"]')) {
      const k = row.getAttribute('data-testid') + '#' + (/disconnected/.test(row.textContent) ? 'disconnected' : 'connected');
      if (!(k in window.__seen)) window.__seen[k] = now;
    }
  };
  const start = () => new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true });
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})()`;

interface FeedTrace {
  /** key → server `at` of the first message that carried it */
  firstAt: Map<string, number>;
  bytes: { init: number; delta: number; heartbeat: number };
  frames: { init: number; delta: number; heartbeat: number };
}

/** Follows every feed socket the page opens, folding messages as the page does, to learn when the server first said each thing. */
function traceFeeds(page: Page, keysOf: (addr: string, s: FeedSnapshot) => string[]): FeedTrace {
  const t: FeedTrace = { firstAt: new Map(), bytes: { init: 0, delta: 0, heartbeat: 0 }, frames: { init: 0, delta: 0, heartbeat: 0 } };
  page.on('websocket', (ws) => {
    const u = new URL(ws.url());
    const addr = `http://${u.host}`;
    let snap: FeedSnapshot | null = null;
    ws.on('framereceived', ({ payload }) => {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      let msg: FeedMessage;
      try {
        msg = JSON.parse(text) as FeedMessage;
      } catch {
        return;
      }
      const kind = msg.type === 'patch' ? 'delta' : msg.type;
      t.bytes[kind] += Buffer.byteLength(text);
      t.frames[kind]++;
      snap = applyFeedMessage(snap, msg);
      if (!snap || msg.type === 'heartbeat') return;
      for (const k of keysOf(addr, snap)) if (!t.firstAt.has(k)) t.firstAt.set(k, msg.at);
    });
  });
  return t;
}

/** A Node subscriber of one feed that counts the bytes of its change frames (not init, not heartbeats). */
async function wireCounter(url: string, query: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/sys/replication/status/feed${query}`);
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  const c = { bytes: 0, frames: 0, reset: () => ((c.bytes = 0), (c.frames = 0)), close: () => ws.close() };
  ws.on('message', (data: Buffer) => {
    const type = (JSON.parse(String(data)) as FeedMessage).type;
    if (type === 'delta' || type === 'patch') {
      c.bytes += data.length;
      c.frames++;
    }
  });
  return c;
}

function walKey(addr: string, s: FeedSnapshot): string[] {
  const p = s.replication.performance;
  const wal = p.mode === 'secondary' ? p.last_remote_wal : p.last_wal;
  return wal === undefined ? [] : [`${addr}#${wal}`];
}

function rowKeys(_addr: string, s: FeedSnapshot): string[] {
  return (s.replication.performance.secondaries ?? []).map((r) => `secondary-${r.node_id}#${r.connection_status === 'disconnected' ? 'disconnected' : 'connected'}`);
}

async function latencies(page: Page, trace: FeedTrace, only: (k: string) => boolean): Promise<number[]> {
  const seen = (await page.evaluate('window.__seen')) as Record<string, number>;
  const out: number[] = [];
  for (const [k, at] of trace.firstAt) if (only(k) && seen[k] !== undefined) out.push(seen[k] - at);
  return out;
}

async function longTasks(page: Page): Promise<number[]> {
  return (await page.evaluate('window.__longTasks')) as number[];
}

function report(label: string, tasks: number[], lat: number[], trace: FeedTrace, changes: number) {
  const over = tasks.filter((d) => d > LONG_TASK_MS);
  const deltaBytes = trace.bytes.delta;
  console.log(`\n${label}`);
  console.log(`  long tasks (>50 ms): ${tasks.length}, over ${LONG_TASK_MS} ms: ${over.length}, longest ${tasks.length ? Math.round(Math.max(...tasks)) : 0} ms`);
  console.log(`  change → screen: n=${lat.length}  p50 ${pct(lat, 0.5)} ms  p95 ${pct(lat, 0.95)} ms  max ${lat.length ? Math.max(...lat) : NaN} ms`);
  console.log(
    `  feed bytes: init ${trace.frames.init} frames / ${trace.bytes.init} B; delta ${trace.frames.delta} frames / ${deltaBytes} B ` +
      `(${Math.round(deltaBytes / Math.max(1, trace.frames.delta))} B per delta, ${Math.round(deltaBytes / Math.max(1, changes))} B per change); heartbeat ${trace.frames.heartbeat} frames / ${trace.bytes.heartbeat} B`,
  );
}

async function main() {
  const procs: Proc[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const primary = await startDev('scale-primary', true);
    procs.push(primary);
    await api(primary.url, 'sys/replication/performance/primary/enable', {});
    const want = Math.max(M, K - 1);
    const secondaries: Proc[] = [];
    let stoppedFor = '';
    while (secondaries.length < want) {
      if (freeMb() < MIN_FREE_MB) {
        stoppedFor = `free memory below ${MIN_FREE_MB} MB`;
        break;
      }
      const n = Math.min(START_BATCH, want - secondaries.length);
      const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => startDev(`scale-${secondaries.length + i + 1}`, false)));
      const batch = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      procs.push(...batch);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) {
        stoppedFor = `a process did not start (${String((failed as PromiseRejectedResult).reason)}): the box is saturated`;
        break;
      }
      for (const s of batch) {
        const id = s.name;
        const { wrap_info } = await api<{ wrap_info: { token: string } }>(primary.url, 'sys/replication/performance/primary/secondary-token', { id });
        await api(s.url, 'sys/replication/performance/secondary/enable', { token: wrap_info.token });
        secondaries.push(s);
      }
    }
    const held = secondaries.length;
    const rss = rssMb(procs.map((p) => p.child.pid!).filter(Boolean));
    console.log(`processes: 1 primary (console) + ${held} performance secondaries (-dev -dev-no-ui)${stoppedFor ? `; stopped at ${held}: ${stoppedFor}` : ''}`);
    console.log(`total RSS ${Math.round(rss)} MB (${Math.round(rss / procs.length)} MB each)`);
    // Let every secondary connect before the pages open.
    const deadline = Date.now() + 180_000;
    for (;;) {
      const st = await api<{ data: { secondaries?: { connection_status?: string }[] } }>(primary.url, 'sys/replication/performance/status');
      const up = (st.data.secondaries ?? []).filter((r) => r.connection_status === 'connected').length;
      if (up >= held || Date.now() > deadline) {
        console.log(`connected secondaries: ${up}/${held}`);
        break;
      }
      await sleep(500);
    }

    // The same primary feed in both protocols, side by side, from Node: bytes per change whatever the console build speaks.
    const feeds = [await wireCounter(primary.url, ''), await wireCounter(primary.url, '?v=2')];
    const secondaryFeeds = [await wireCounter(secondaries[0].url, ''), await wireCounter(secondaries[0].url, '?v=2')];

    const wallAddrs = [primary, ...secondaries.slice(0, K - 1)].map((p) => p.url);
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await ctx.addInitScript(PAGE_PROBE);
    const wall = await ctx.newPage();
    const wallTrace = traceFeeds(wall, walKey);
    await wall.goto(`${primary.url}/ui/wall?clusters=${wallAddrs.join(',')}`, { timeout: PAGE_LOAD_MS });
    await wall.waitForFunction((n) => document.querySelectorAll('[data-testid="wall-tile"][data-stale="false"]').length >= n, wallAddrs.length, { timeout: 120_000 });

    const dash = await ctx.newPage();
    const dashTrace = traceFeeds(dash, rowKeys);
    await dash.goto(`${primary.url}/ui/vault/auth`, { timeout: PAGE_LOAD_MS });
    await dash.evaluate((t) => sessionStorage.setItem('coffer.token', t), ROOT_TOKEN);
    await dash.goto(`${primary.url}/ui/vault/replication/performance`, { timeout: PAGE_LOAD_MS });
    await dash.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });
    console.log(`wall: ${wallAddrs.length} tiles live; dashboard: live`);
    await sleep(3000);
    // Only what happens from here on counts.
    // Keys already on screen before now (a WAL, a row shown disconnected while the page loaded) would pair a stale DOM time with a later message: they do not count.
    for (const p of [wall, dash]) await p.evaluate('window.__longTasks.length = 0; window.__seen = {}');
    const shownBefore = new Set([...wallTrace.firstAt.keys(), ...dashTrace.firstAt.keys()]);
    const walls0 = { ...wallTrace.bytes };
    const dash0 = { ...dashTrace.bytes };
    const wallFrames0 = { ...wallTrace.frames };
    const dashFrames0 = { ...dashTrace.frames };
    for (const t of [wallTrace, dashTrace]) t.firstAt.clear();
    for (const f of [...feeds, ...secondaryFeeds]) f.reset();

    const t0 = Date.now();
    for (let i = 0; i < WRITES; i++) {
      await api(primary.url, `secret/data/scale-${i % 5}`, { data: { i, pad: 'x'.repeat(100) } });
      await sleep(250);
    }
    const victim = secondaries[secondaries.length - 1];
    await stop(victim, 'SIGKILL');
    await dash
      .locator(`[data-testid="secondary-${victim.name}"]`)
      .filter({ hasText: 'disconnected' })
      .waitFor({ timeout: 30_000 })
      .catch(() => console.log('dashboard did not show the stopped secondary as disconnected within 30 s'));
    await sleep(2000);
    const seconds = (Date.now() - t0) / 1000;

    for (const [t, b, f] of [
      [wallTrace, walls0, wallFrames0],
      [dashTrace, dash0, dashFrames0],
    ] as const) {
      for (const k of ['init', 'delta', 'heartbeat'] as const) {
        t.bytes[k] -= b[k];
        t.frames[k] -= f[k];
      }
    }
    console.log(`\nchanges: ${WRITES} KV writes on the primary (250 ms apart), then 1 secondary SIGKILLed; ${seconds.toFixed(1)} s measured`);
    report(`wall (${wallAddrs.length} tiles)`, await longTasks(wall), await latencies(wall, wallTrace, (k) => !shownBefore.has(k)), wallTrace, WRITES * wallAddrs.length);
    for (const [name, f] of [
      ['primary feed, protocol 1 (whole sections)', feeds[0]],
      ['primary feed, protocol 2 (?v=2, field/row patches)', feeds[1]],
      ['a secondary feed, protocol 1', secondaryFeeds[0]],
      ['a secondary feed, protocol 2', secondaryFeeds[1]],
    ] as const) {
      console.log(`${name}: ${f.frames} change frames, ${f.bytes} B, ${Math.round(f.bytes / Math.max(1, f.frames))} B per change frame, ${Math.round(f.bytes / (WRITES + 1))} B per change`);
      f.close();
    }
    report(
      `primary dashboard (${held} secondaries)`,
      await longTasks(dash),
      await latencies(dash, dashTrace, (k) => k === `secondary-${victim.name}#disconnected` && !shownBefore.has(k)),
      dashTrace,
      WRITES + 1,
    );
  } finally {
    await browser.close();
    await Promise.all(procs.map((p) => stop(p)));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
