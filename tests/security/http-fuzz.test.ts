import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { fuzzRequest, type FuzzRequest } from '../support/http-fuzz-arbitraries';

// The HTTP layer under fast-check: generated paths, methods, headers and
// bodies against a real `coffer server -dev`. Every case must get a non-5xx
// answer, every error must be Vault's {"errors":[...]} in JSON, and the server
// must keep answering sys/health throughout (a second client polls it).
//
// `npm test` runs FUZZ_RUNS_DEFAULT cases; `npm run fuzz` runs 100,000
// (FUZZ_RUNS). FUZZ_SEED replays a run. Health latency is measured and printed
// every time; its 100 ms bound is asserted only in fuzz mode (FUZZ_RUNS set),
// which is run on purpose on a quiet machine. Under `npm test` other suites
// share a loaded 2-core box, where a GC pause or a neighbour's burst can make
// any single poll slow: there the assertion is that health keeps answering
// (every poll succeeds, none slower than HEALTH_STALL_MS), never a timing.
const FUZZ_RUNS_DEFAULT = 5_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? FUZZ_RUNS_DEFAULT);
const FUZZ_MODE = process.env.FUZZ_RUNS !== undefined;
const HEALTH_BOUND_MS = 100;
const HEALTH_STALL_MS = 5_000;
const HEALTH_EVERY_MS = 50;

// The fuzz token may do almost anything (sudo included) except what would end
// the run for everyone: seal, step down, change replication, revoke tokens,
// rewrite its own policy, unmount secret/.
const FUZZ_POLICY = `
path "*" { capabilities = ["create", "read", "update", "delete", "list", "patch", "sudo"] }
path "sys/seal" { capabilities = ["deny"] }
path "sys/step-down" { capabilities = ["deny"] }
path "sys/replication/*" { capabilities = ["deny"] }
path "sys/policy/*" { capabilities = ["read", "list"] }
path "sys/policies/*" { capabilities = ["read", "list"] }
path "auth/token/revoke*" { capabilities = ["deny"] }
path "sys/leases/revoke*" { capabilities = ["deny"] }
path "sys/mounts/secret" { capabilities = ["read"] }
path "sys/mounts/kv1" { capabilities = ["read"] }
path "sys/auth/token" { capabilities = ["read"] }
path "sys/auth/userpass" { capabilities = ["read"] }
`;

let server: DevServer;
let token: string;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const healthAgent = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  server = await startDevServer();
  const root = server.rootToken;
  await api(server.addr, 'PUT', 'sys/policies/acl/fuzz', { token: root, body: { policy: FUZZ_POLICY } });
  await api(server.addr, 'POST', 'sys/mounts/kv1', { token: root, body: { type: 'kv' } });
  await api(server.addr, 'POST', 'sys/auth/userpass', { token: root, body: { type: 'userpass' } });
  await api(server.addr, 'POST', 'auth/userpass/users/alice', { token: root, body: { password: 'pw', policies: 'default' } });
  const t = await api(server.addr, 'POST', 'auth/token/create', { token: root, body: { policies: ['fuzz'], no_default_policy: true, ttl: '24h' } });
  token = t.body.auth.client_token;
}, 60_000);
afterAll(async () => {
  agent.destroy();
  healthAgent.destroy();
  await server?.stop();
});

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function send(port: number, r: FuzzRequest, via = agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.body) headers['Content-Length'] = String(r.body.length);
    const req = request({ host: '127.0.0.1', port, method: r.method, path: r.target, headers, agent: via }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

/** sys/health lets the caller pick its status codes (?activecode=500); those are not the server's 5xx. */
const chosenStatus = (r: FuzzRequest) => /\/sys\/health/.test(r.target) && /code=/.test(r.target);

/** sys/metrics answers in the format asked for; Vault refuses an unknown one in text/plain (metricsutil ResponseForFormat). */
const rawAnswer = (r: FuzzRequest, a: Answer) => /^\/v1\/+sys\/metrics/.test(r.target) && a.contentType.startsWith('text/plain');

function checkAnswer(r: FuzzRequest, a: Answer): void {
  const what = `${r.method} ${r.target.slice(0, 200)} → ${a.status} ${a.body.slice(0, 300)}`;
  if (!chosenStatus(r)) expect(a.status, what).toBeLessThan(500);
  expect(a.status, what).toBeGreaterThanOrEqual(200);
  if (a.status >= 400 && r.method !== 'HEAD' && !rawAnswer(r, a)) {
    expect(a.contentType, what).toBe('application/json');
    const parsed = JSON.parse(a.body) as { errors?: unknown };
    expect(Array.isArray(parsed.errors), what).toBe(true);
    for (const e of parsed.errors as unknown[]) expect(typeof e, what).toBe('string');
  }
}

describe('HTTP fuzz', () => {
  it(`${RUNS} generated requests: no 5xx, Vault-shaped errors, health keeps answering`, async () => {
    const latencies: number[] = [];
    const failures: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const t0 = performance.now();
        try {
          const a = await send(server.port, { method: 'GET', target: '/v1/sys/health', headers: {} }, healthAgent);
          if (a.status !== 200) failures.push(`health ${a.status}`);
        } catch (err) {
          failures.push(`health: ${(err as Error).message}`);
        }
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, HEALTH_EVERY_MS));
      }
    })();

    const statuses = new Map<number, number>();
    let cases = 0;
    let fiveHundreds = 0;
    const started = Date.now();
    try {
      await fc.assert(
        fc.asyncProperty(fuzzRequest(token), async (r) => {
          cases++;
          const a = await send(server.port, r);
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          if (a.status >= 500 && !chosenStatus(r)) fiveHundreds++;
          checkAnswer(r, a);
        }),
        { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, endOnFailure: !FUZZ_MODE },
      );
    } finally {
      polling = false;
      await poller;
      const sorted = [...latencies].sort((x, y) => x - y);
      const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      console.log(
        `[http-fuzz] cases=${cases} runs=${RUNS} 5xx=${fiveHundreds} seconds=${((Date.now() - started) / 1000).toFixed(1)} ` +
          `health polls=${sorted.length} p50=${pct(0.5).toFixed(1)}ms p99=${pct(0.99).toFixed(1)}ms max=${(sorted.at(-1) ?? 0).toFixed(1)}ms ` +
          `statuses=${JSON.stringify(Object.fromEntries([...statuses].sort(([x], [y]) => x - y)))}`,
      );
    }
    expect(fiveHundreds).toBe(0);
    expect(failures).toEqual([]);
    expect(latencies.length).toBeGreaterThan(0);
    const max = Math.max(...latencies);
    expect(max, 'health stalled').toBeLessThan(HEALTH_STALL_MS);
    if (FUZZ_MODE) expect(max, `health latency in fuzz mode (bound ${HEALTH_BOUND_MS} ms)`).toBeLessThan(HEALTH_BOUND_MS);
    expect((await api(server.addr, 'GET', 'sys/health')).status).toBe(200);
    expect(server.output(), 'the server logged an internal error').not.toMatch(/"msg":"internal error"/);
  }, Math.max(120_000, RUNS * 30));
});
