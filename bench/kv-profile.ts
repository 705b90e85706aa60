// `npm run bench:kv-profile`: a CPU profile of one dev server under the read
// load of bench:kv (PROFILE_MODE=many: 1,000 tokens × 10,000 keys; one: one
// token, one key), then its top self-time functions over the load phase only.
// Env: PROFILE_SECONDS (10), PROFILE_MODE (many), PROFILE_DIR (a temp dir; the
// .cpuprofile stays there for Chrome DevTools).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { topSelf } from './cpuprofile-top';
import { rotating, seedKeys, seedTokens, startFlaggedDevServer } from './kv-fixture';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10);
const MODE = process.env.PROFILE_MODE ?? 'many';
const dir = process.env.PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'coffer-profile-'));

// --cpu-prof is refused in NODE_OPTIONS: the server runs under `node --cpu-prof` itself (bin/coffer does the same, exec'd).
const { server, proc, exited } = await startFlaggedDevServer(['--cpu-prof', `--cpu-prof-dir=${dir}`], 'root-profile');

const tokens = await seedTokens(server, MODE === 'many' ? undefined : 1);
await seedKeys(server, MODE === 'many' ? undefined : 1);
const opts = MODE === 'many' ? rotating(tokens) : { headers: { 'X-Vault-Token': tokens[0] } };
const result = await autocannon({ url: `${server.addr}/v1/secret/data/k0`, connections: 32, duration: SECONDS, ...opts });
proc.kill('SIGTERM');
await exited;
console.log(`${MODE}: ${result.requests.average.toFixed(0)} req/s under the profiler (${result.non2xx} non-2xx)`);
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile in ${dir}: did the server exit cleanly?`);
console.log(`profile: ${join(dir, file)}; top self time over the last ${SECONDS} s:`);
for (const r of topSelf(JSON.parse(readFileSync(join(dir, file), 'utf8')), SECONDS, 30)) {
  console.log(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
}
