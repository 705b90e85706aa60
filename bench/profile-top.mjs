// `node bench/profile-top.mjs <file.cpuprofile> [n] [skip seconds]`: the n
// (default 25) functions with the most self time in a V8 CPU profile (node
// --cpu-prof), self time summed per source file, and the functions with the
// most total (self + callees) time. Samples of the first `skip` seconds
// (start-up, seeding) are left out. Used with bench/kv-writes-probe.ts
// PROFILE_DIR=… to see where a durable write's time goes.
import { readFileSync } from 'node:fs';

const [file, n = '25', skip = '0'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const c of node.children ?? []) parentOf.set(c, node.id);
const selfUs = new Map();
let clock = 0;
for (let i = 0; i < profile.samples.length; i++) {
  clock += profile.timeDeltas[i] ?? 0;
  if (clock < Number(skip) * 1e6) continue;
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const label = (id) => {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where = url ? url.replace(/^.*\/(node_modules\/[^/]+|server|\.cache)\//, '$1/') : '';
  return `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
};
const totalUs = new Map();
for (const [id, us] of selfUs) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) seen.add(label(at));
  for (const l of seen) totalUs.set(l, (totalUs.get(l) ?? 0) + us);
}
const fns = new Map();
const files = new Map();
for (const [id, us] of selfUs) {
  const fn = label(id);
  fns.set(fn, (fns.get(fn) ?? 0) + us);
  const { functionName, url } = byId.get(id).callFrame;
  const f = url ? url.replace(/^.*\/(node_modules\/[^/]+|server|\.cache)\//, '$1/') : functionName;
  files.set(f, (files.get(f) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`total sampled ${(total / 1e6).toFixed(2)} s`);
console.log('\nself time by function');
for (const [fn, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${pct(us)}  ${fn}`);
console.log('\nself time by file');
for (const [f, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(us)}  ${f}`);
console.log('\ntotal (self + callees) time by function');
for (const [fn, us] of [...totalUs].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${pct(us)}  ${fn}`);
