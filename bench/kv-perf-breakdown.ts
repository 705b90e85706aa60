// `npx tsx bench/kv-perf-breakdown.ts`: where one dev server's CPU goes under
// bench:kv's one-token, one-key read load, by the kernel's own sampler
// (`perf record -e cpu-clock -g`, node `--perf-basic-prof` so JIT frames have
// names), each sample put in one bucket by its call stack:
//
//   kernel: TCP send   writev and what it runs in softirq (delivering to, and
//                      waking, the load generator on loopback)
//   kernel: other      reads, epoll, accept
//   other threads      V8's optimizing compiler and GC helpers, libuv's pool
//   GC                 V8's collector on the main thread
//   Coffer handling    Coffer's bundle (but the edge): path, token, ACL, KV,
//                      envelope, JSON.stringify
//   node:http parser   llhttp and node:http's request objects (their stream life)
//   node:http response header and write path above the syscall, finish
//   edge               Coffer's LIST framer and the JS read path its 'data'
//                      listener forces (node:http alone reads natively)
//   runtime            event loop, microtasks, malloc, everything else
//
// Unlike a V8 .cpuprofile (bench:kv-profile), which samples wall time, this
// counts CPU only. Needs `perf` (linux-perf) and permission to profile the
// child (kernel.perf_event_paranoid ≤ 1 or root). Env: PERF_SECONDS (6).
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedKeys, seedTokens, startFlaggedDevServer } from './kv-fixture';
import { machine, load } from './interleave';

const SECONDS = Number(process.env.PERF_SECONDS ?? 6);
const CONNECTIONS = 32;
const EDGE_FUNCTIONS = new Set(['onData', 'feed', 'afterHead', 'headComplete', 'leaveHttp', 'leftHttp', 'requestComplete', 'requestDone', 'requestStarted', 'schedule', 'rewriteListLine', 'startsWithList', 'namedAt', 'valueAt', 'framingOf', 'chunkSize', 'isConnect']);
const BUCKETS = ['kernel: TCP send', 'kernel: other', 'other threads', 'GC', 'Coffer handling', 'node:http parser', 'node:http response', 'edge', 'runtime'] as const;
type Bucket = (typeof BUCKETS)[number];

/** "JS:*feed file:///…/main-X.mjs:6570:7" → { bundle: true, name: "feed", url: "file:///…" } */
function jsFrame(sym: string): { bundle: boolean; name: string; url: string } | null {
  const m = /^JS:[*^~]?(\S*) (\S+)/.exec(sym);
  return m ? { bundle: /\/main-[^/]+\.mjs:/.test(m[2]), name: m[1], url: m[2] } : null;
}

const NODE_OWNERS: [RegExp, Bucket][] = [
  [/^node:(_http_outgoing|_http_server|internal\/streams\/writable)/, 'node:http response'],
  [/^node:(_http_incoming|_http_common|internal\/streams\/(readable|end-of-stream))/, 'node:http parser'],
  [/^node:internal\/stream_base_commons/, 'edge'], // onStreamRead: a read delivered to JS
];

/**
 * One sample's bucket; `stack` is leaf first, `mainThread` whether the sample
 * is the event loop's thread. A native leaf (an inline cache, malloc, the JSON
 * serializer) counts for whoever's JS called it: the innermost JS frame.
 */
export function bucketOf(stack: { kernel: boolean; sym: string }[], mainThread: boolean): Bucket {
  if (stack.some((f) => f.sym === 'do_writev' || f.sym === '__GI___writev')) return 'kernel: TCP send';
  if (stack[0]?.kernel) return 'kernel: other';
  if (!mainThread) return 'other threads';
  if (stack.some((f) => /Scavenge|MinorGC|MarkCompact|ConcurrentMarking|GCTracer|Heap::/.test(f.sym))) return 'GC';
  const innerAt = stack.findIndex((f) => jsFrame(f.sym) !== null);
  const leaves = innerAt < 0 ? stack : stack.slice(0, innerAt);
  // llhttp runs the request's callbacks (and Coffer's handler up to its first await) inside itself: only its own native work counts here.
  if (leaves.some((f) => /llhttp|Parser::Execute/.test(f.sym))) return 'node:http parser';
  const inner = innerAt < 0 ? null : jsFrame(stack[innerAt].sym)!;
  // A read handed to JS: the buffer per read and the callback node:http's native consume would not make.
  if (!inner) return leaves.some((f) => /CallJSOnreadMethod|LibuvStreamWrap::ReadStart|NewJSArrayBuffer|^read$/.test(f.sym)) ? 'edge' : 'runtime';
  if (inner.bundle) return EDGE_FUNCTIONS.has(inner.name) ? 'edge' : 'Coffer handling';
  return NODE_OWNERS.find(([re]) => re.test(inner.url))?.[1] ?? 'runtime';
}

const work = mkdtempSync(join(tmpdir(), 'coffer-perf-'));
// --perf-basic-prof also writes V8's isolate log: into the work dir, not the checkout.
const { server, proc } = await startFlaggedDevServer(['--perf-basic-prof', '--interpreted-frames-native-stack', '--no-logfile-per-isolate', `--logfile=${join(work, 'v8.log')}`], 'root-perf');
try {
  const [token] = await seedTokens(server, 1);
  await seedKeys(server, 1);
  const url = `${server.addr}/v1/secret/data/k0`;
  await autocannon({ url, connections: CONNECTIONS, duration: 4, headers: { 'X-Vault-Token': token } }); // JIT warm-up
  const data = join(work, 'perf.data');
  const perf = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '4000', '-g', '-p', String(proc.pid), '-o', data], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, 300));
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { 'X-Vault-Token': token } });
  perf.kill('SIGINT');
  await new Promise((r) => perf.once('exit', r));
  const script = spawnSync('perf', ['script', '-i', data, '-F', 'tid,ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
  const counts = new Map<Bucket, number>(BUCKETS.map((b) => [b, 0]));
  let samples = 0;
  const shown = new Map<string, number>(); // PERF_SHOW=<bucket>: that bucket's innermost JS frames (or leaves)
  for (const block of script.split('\n\n')) {
    const tid = Number(/^\s*(\d+)/.exec(block)?.[1]);
    const stack = block
      .split('\n')
      .slice(1) // the tid line
      .map((l) => /^\s*([0-9a-f]+)\s+(.*)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => ({ kernel: m[1].startsWith('ffffffff'), sym: m[2].trim() }));
    if (!stack.length) continue;
    samples++;
    const b = bucketOf(stack, tid === proc.pid);
    counts.set(b, counts.get(b)! + 1);
    if (process.env.PERF_SHOW === b) shown.set(stack.find((f) => f.sym.startsWith('JS:'))?.sym ?? stack[0].sym, (shown.get(stack.find((f) => f.sym.startsWith('JS:'))?.sym ?? stack[0].sym) ?? 0) + 1);
  }
  const cpuSeconds = samples / 4000;
  const requests = result.requests.total;
  console.log(`coffer KV v2 read, one token, one key: ${Math.round(result.requests.average)} req/s, ${requests} requests, ${cpuSeconds.toFixed(2)} CPU s sampled — ${machine()}, load ${load()}`);
  for (const b of BUCKETS) {
    const n = counts.get(b)!;
    console.log(`  ${b.padEnd(18)} ${((100 * n) / samples).toFixed(1).padStart(5)} %  ${((n / 4000 / requests) * 1e6).toFixed(1).padStart(6)} µs/request`);
  }
  for (const [sym, n] of [...shown].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${String(n).padStart(5)}  ${sym.slice(0, 110)}`);
  console.log(`  ${'total'.padEnd(18)} 100.0 %  ${((cpuSeconds / requests) * 1e6).toFixed(1).padStart(6)} µs/request (perf data: ${data})`);
} finally {
  proc.kill('SIGTERM');
}
