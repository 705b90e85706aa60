// `npm run bench:kv-memory`: the resident memory of a dev server holding
// 100,000 KV v2 secrets of 200 B, after writing them and after reading each
// once (VmRSS from /proc/<pid>/status; aim ≤ 250 MB after the read pass).
// Env: MEMORY_SECRETS (100000), MEMORY_CONCURRENCY (32).
import { readFileSync } from 'node:fs';
import { api, startDevServer } from '../tests/support/cluster';
import { load, machine } from './interleave';
import { must, pool } from './kv-fixture';

const SECRETS = Number(process.env.MEMORY_SECRETS ?? 100_000);
const CONCURRENCY = Number(process.env.MEMORY_CONCURRENCY ?? 32);
const VALUE_BYTES = 200;
const AIM_MB = 250;

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const server = await startDevServer({ args: ['-log-level=error'], healthTimeoutMs: 120_000 });
const pid = server.proc.pid!;
const show = (when: string) => {
  const m = memoryOf(pid);
  console.log(`${when.padEnd(34)} RSS ${m.rss.toFixed(0).padStart(4)} MB  (peak ${m.peak.toFixed(0)} MB, load ${load()})`);
  return m.rss;
};
try {
  console.log(`coffer bench:kv-memory — ${SECRETS} KV v2 secrets of ${VALUE_BYTES} B, ${machine()}`);
  const value = 'v'.repeat(VALUE_BYTES - 20);
  show('idle, after start');
  let started = Date.now();
  await pool(SECRETS, (i) => must(api(server.addr, 'POST', `secret/data/m/${i}`, { token: server.rootToken, body: { data: { n: String(i).padStart(8, '0'), value } } })), CONCURRENCY);
  console.log(`wrote ${SECRETS} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  show('after writes');
  started = Date.now();
  await pool(SECRETS, (i) => must(api(server.addr, 'GET', `secret/data/m/${i}`, { token: server.rootToken })), CONCURRENCY);
  console.log(`read ${SECRETS} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const rss = show('after a full read pass');
  console.log(`aim ≤ ${AIM_MB} MB after the read pass: ${rss <= AIM_MB ? 'met' : 'not met'}`);
} finally {
  await server.stop();
}
