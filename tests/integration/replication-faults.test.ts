import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';
import { mapLimit } from '../support/map-limit';
import { converged, enablePrimary, enableSecondary, replStatus, secondaryToken, waitFor } from '../support/replication';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// Faults against real `coffer server -config` processes over real TLS:
// kill -9 of a secondary mid-stream, restarts of the primary, cut TCP links,
// and a secondary left down past log retention. Each scenario ends with equal
// merkle roots and every acknowledged write readable on the secondary.
//
// Performance replication throughout, so the secondary can be read: its
// tokens are its own, so a userpass user (replicated auth config and policy)
// logs in on it. A secondary adopts the primary's keyring, so after a restart
// it is unsealed with the PRIMARY's unseal key.
const MODE = 'performance';
const USER = { name: 'faults', password: 'fault-tolerant-pw' };
const READ_ALL = `path "*" { capabilities = ["create", "read", "update", "delete", "list"] }`;
/**
 * Bounds only how long a broken build takes to fail: at load 20-40 (a full
 * run beside other suites) scenarios took 35-75 s and d passed 120 s.
 */
const SCENARIO_TIMEOUT_MS = 300_000;
const CONVERGE_DEADLINE_MS = 90_000;

// ---- process bookkeeping: every server and proxy is stopped in afterAll ----

const servers = new Set<ConfiguredServer>();
const dataDirs = new Set<string>();
const proxies = new Set<TcpProxy>();
const track = (s: ConfiguredServer) => (servers.add(s), dataDirs.add(s.dataDir), s);

afterAll(async () => {
  for (const p of proxies) await p.close().catch(() => {});
  await Promise.all([...servers].map((s) => s.kill().catch(() => {})));
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
}, 30_000);

// ---- cluster setup ----

interface Node {
  name: string;
  server: ConfiguredServer;
  /** Primary: its root token. Secondary: a userpass token made on the secondary. */
  token: string;
}
interface Primary extends Node {
  unsealKey: string;
}

const args = ['-log-level=info'];

async function unseal(s: ConfiguredServer, key: string): Promise<void> {
  const r = await api(s.addr, 'PUT', 'sys/unseal', { body: { key } });
  if (r.status !== 200 || r.body.sealed !== false) throw new Error(`unseal of ${s.addr}: ${r.status} ${JSON.stringify(r.body)}`);
}

async function initNode(s: ConfiguredServer): Promise<{ key: string; root: string }> {
  const init = await api(s.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  if (init.status !== 200) throw new Error(`init: ${init.status} ${JSON.stringify(init.body)}`);
  await unseal(s, init.body.keys_base64[0]);
  return { key: init.body.keys_base64[0], root: init.body.root_token };
}

async function ok(p: Promise<{ status: number; body: any }>, what: string) {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

async function startPrimary(name: string, opts: { extraArgs?: string[]; clusterAddr?: (s: ConfiguredServer) => Promise<string> } = {}): Promise<Primary> {
  const server = track(await startConfiguredServer({ name, args: [...args, ...(opts.extraArgs ?? [])] }));
  const { key, root } = await initNode(server);
  await ok(api(server.addr, 'POST', 'sys/mounts/secret', { token: root, body: { type: 'kv', options: { version: '2' } } }), 'mount secret/');
  await ok(api(server.addr, 'PUT', 'sys/policies/acl/faults', { token: root, body: { policy: READ_ALL } }), 'policy');
  await ok(api(server.addr, 'POST', 'sys/auth/userpass', { token: root, body: { type: 'userpass' } }), 'enable userpass');
  await ok(api(server.addr, 'POST', `auth/userpass/users/${USER.name}`, { token: root, body: { password: USER.password, token_policies: 'faults' } }), 'user');
  const body = opts.clusterAddr ? { primary_cluster_addr: await opts.clusterAddr(server) } : {};
  await enablePrimary(server.addr, root, MODE, body);
  return { name, server, token: root, unsealKey: key };
}

async function login(addr: string): Promise<string> {
  const r = await ok(api(addr, 'POST', `auth/userpass/login/${USER.name}`, { body: { password: USER.password } }), `userpass login at ${addr}`);
  return r.body.auth.client_token;
}

async function startSecondary(primary: Primary, name: string): Promise<Node> {
  const server = track(await startConfiguredServer({ name, args }));
  const { root } = await initNode(server);
  const activation = await secondaryToken(primary.server.addr, primary.token, MODE, name);
  await enableSecondary(server.addr, root, MODE, activation);
  await waitFor(`${name} to stream WALs`, async () => (await replStatus(server.addr, MODE)).state === 'stream-wals', 30_000);
  await converged(primary.server.addr, server.addr, MODE);
  return { name, server, token: await login(server.addr) };
}

/** Restart a stopped/killed node on the same data dir and port, and unseal it with the given key. */
async function restart(node: Node, unsealKey: string): Promise<void> {
  node.server = track(await node.server.restart());
  await unseal(node.server, unsealKey);
}

// ---- writes and checks ----

const valueOf = (prefix: string, i: number, gen = 1) => `${prefix}-${i}-g${gen}`;

interface WriteResult {
  acked: number[];
  failed: number;
}

/**
 * KV v2 writes secret/data/<prefix>/<i>, `concurrency` in flight. A write
 * counts as acknowledged only on a 2xx. `onAck(n)` runs after the n-th ack
 * (fire-and-forget faults hook in there). With `until`, keeps writing past
 * `count` until it returns true (capped at `max`).
 */
async function writeKeys(
  addr: string,
  token: string,
  prefix: string,
  opts: { count: number; concurrency?: number; start?: number; gen?: number; onAck?: (n: number) => void; until?: () => boolean; max?: number },
): Promise<WriteResult> {
  const start = opts.start ?? 0;
  const gen = opts.gen ?? 1;
  const acked: number[] = [];
  let failed = 0;
  let next = start;
  const more = () => next - start < opts.count || (opts.until !== undefined && !opts.until() && next - start < (opts.max ?? opts.count * 10));
  const worker = async () => {
    while (more()) {
      const i = next++;
      try {
        const r = await api(addr, 'POST', `secret/data/${prefix}/${i}`, { token, body: { data: { v: valueOf(prefix, i, gen) } } });
        if (r.status === 200) {
          acked.push(i);
          opts.onAck?.(acked.length);
        } else failed++;
      } catch {
        failed++; // connection refused/reset while the server is down: not acknowledged
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  return { acked: acked.sort((a, b) => a - b), failed };
}

/** Status of both sides and the replication-related tail of each process's output, for failure messages. */
async function evidence(...nodes: Node[]): Promise<string> {
  const parts: string[] = [];
  for (const n of nodes) {
    const st = await replStatus(n.server.addr, MODE).catch((e) => ({ error: (e as Error).message }));
    const lines = n.server
      .output()
      .split('\n')
      .filter((l) => /replication|secondary|primary|merkle|guard|"level":(40|50|60)/.test(l))
      .slice(-25);
    parts.push(`--- ${n.name} (${n.server.addr}) status:\n${JSON.stringify(st, null, 1)}\n--- ${n.name} log tail:\n${lines.join('\n')}`);
  }
  return parts.join('\n');
}

async function convergedWithEvidence(p: Node, s: Node, timeoutMs = CONVERGE_DEADLINE_MS): Promise<string> {
  try {
    return await converged(p.server.addr, s.server.addr, MODE, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await evidence(p, s)}`);
  }
}

/** Every acknowledged key is listed and reads back with its value on `node`. */
async function expectAllPresent(node: Node, prefix: string, acked: number[], others: Node[] = [], gen = 1): Promise<void> {
  const list = await api(node.server.addr, 'LIST', `secret/metadata/${prefix}`, { token: node.token });
  const listed = new Set<string>(list.status === 200 ? list.body.data.keys : []);
  const missing = acked.filter((i) => !listed.has(String(i)));
  const wrong: string[] = [];
  await mapLimit(acked, 16, async (i) => {
    if (missing.includes(i)) return;
    const r = await api(node.server.addr, 'GET', `secret/data/${prefix}/${i}`, { token: node.token });
    const v = r.status === 200 ? r.body.data.data.v : `HTTP ${r.status}`;
    if (v !== valueOf(prefix, i, gen)) wrong.push(`${i}=${v}`);
  });
  if (missing.length || wrong.length) {
    throw new Error(
      `${node.name}: ${missing.length} of ${acked.length} acknowledged ${prefix}/* writes missing (first: ${missing.slice(0, 20).join(',')}), ` +
        `${wrong.length} with a wrong value (first: ${wrong.slice(0, 10).join(',')})\n${await evidence(node, ...others)}`,
    );
  }
}

/** A counter from the primary's `GET sys/metrics` (JSON), e.g. `vault.logshipper.streamWALs.missing_guard`. */
async function counter(p: Primary, name: string): Promise<number> {
  const r = await ok(api(p.server.addr, 'GET', 'sys/metrics', { token: p.token }), 'sys/metrics');
  const c = (r.body.Counters as { Name: string; Count: number }[]).find((x) => x.Name === name);
  return c?.Count ?? 0;
}
const MISSING_GUARD = 'vault.logshipper.streamWALs.missing_guard';
const GUARD_FOUND = 'vault.logshipper.streamWALs.guard_found';

/** Polls a secondary's status in the background and records every state and connection_state seen. */
function observe(node: Node, everyMs = 20) {
  const states = new Set<string>();
  const connections = new Set<string>();
  let running = true;
  const done = (async () => {
    while (running) {
      try {
        const s = await replStatus(node.server.addr, MODE);
        states.add(s.state);
        if (s.connection_state) connections.add(s.connection_state);
      } catch {
        /* down or restarting */
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    states,
    connections,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

// ---- scenarios ----

describe.sequential('replication faults', () => {
  it('a. kill -9 of the secondary during a 2,000-write stream: it restarts, catches up, nothing acknowledged is lost', async () => {
    const primary = await startPrimary('fa-primary');
    const secondary = await startSecondary(primary, 'fa-secondary');
    const [missesBefore, foundBefore] = [await counter(primary, MISSING_GUARD), await counter(primary, GUARD_FOUND)];
    let killed: Promise<void> | null = null;
    let restarted: Promise<void> | null = null;
    const result = await writeKeys(primary.server.addr, primary.token, 'a', {
      count: 2_000,
      concurrency: 16,
      onAck: (n) => {
        if (n === 500) killed = secondary.server.kill();
        // Bring it back while the stream is (usually) still running.
        if (n === 1_200) restarted = killed!.then(() => restart(secondary, primary.unsealKey));
      },
    });
    expect(result.acked).toHaveLength(2_000);
    expect(killed).not.toBeNull();
    await restarted;
    secondary.token = await login(secondary.server.addr);
    await convergedWithEvidence(primary, secondary);
    const [p, s] = await Promise.all([replStatus(primary.server.addr, MODE), replStatus(secondary.server.addr, MODE)]);
    expect(s.last_remote_wal).toBe(p.last_wal);
    // Its position survived kill -9 with the records it covers, so the primary
    // resumed the log stream from there (guard found) rather than a merkle sync.
    expect(await counter(primary, GUARD_FOUND)).toBeGreaterThan(foundBefore);
    expect(await counter(primary, MISSING_GUARD)).toBe(missesBefore);
    await expectAllPresent(secondary, 'a', result.acked, [primary]);
  }, SCENARIO_TIMEOUT_MS);

  it('b. restart of the primary (SIGTERM, then kill -9) with writes in flight: the secondary reconnects and converges', async () => {
    const primary = await startPrimary('fb-primary');
    const secondary = await startSecondary(primary, 'fb-secondary');
    const acked: Record<string, number[]> = {};

    acked.b1 = (await writeKeys(primary.server.addr, primary.token, 'b1', { count: 300 })).acked;
    expect(acked.b1).toHaveLength(300);
    await convergedWithEvidence(primary, secondary);

    for (const [how, during, after] of [
      ['stop', 'b2', 'b3'],
      ['kill', 'b4', 'b5'],
    ] as const) {
      let down: Promise<void> | null = null;
      const w = await writeKeys(primary.server.addr, primary.token, during, {
        count: 400,
        concurrency: 8,
        onAck: (n) => {
          if (n === 150) down = how === 'stop' ? primary.server.stop() : primary.server.kill();
        },
      });
      await down;
      acked[during] = w.acked;
      expect(w.acked.length).toBeGreaterThanOrEqual(150);
      await restart(primary, primary.unsealKey);
      acked[after] = (await writeKeys(primary.server.addr, primary.token, after, { count: 300 })).acked;
      expect(acked[after]).toHaveLength(300);
      await convergedWithEvidence(primary, secondary);
    }

    secondary.token = await login(secondary.server.addr);
    for (const [prefix, keys] of Object.entries(acked)) {
      await expectAllPresent(primary, prefix, keys, [secondary]); // the primary itself kept every ack across kill -9
      await expectAllPresent(secondary, prefix, keys, [primary]);
    }
  }, SCENARIO_TIMEOUT_MS);

  it('c. cut TCP connections mid-stream (and a stalled link): the secondary reconnects and converges', async () => {
    let proxy: TcpProxy | null = null;
    const primary = await startPrimary('fc-primary', {
      clusterAddr: async (s) => {
        proxy = await startTcpProxy({ port: s.port + 1 });
        proxies.add(proxy);
        return `https://127.0.0.1:${proxy.port}`;
      },
    });
    const px = proxy! as TcpProxy;
    const secondary = await startSecondary(primary, 'fc-secondary');
    expect((await replStatus(secondary.server.addr, MODE)).primary_cluster_addr).toBe(`https://127.0.0.1:${px.port}`);
    expect(px.live()).toBeGreaterThan(0); // replication really runs through the proxy
    const seen = observe(secondary);

    const CUTS = 4;
    let cuts = 0;
    let cutsWithTraffic = 0;
    const cutter = (async () => {
      for (let k = 0; k < CUTS; k++) {
        await waitFor('the secondary to be streaming through the proxy', async () => px.live() > 0 && (await replStatus(secondary.server.addr, MODE)).state === 'stream-wals', 20_000, 25);
        await new Promise((r) => setTimeout(r, 150)); // let some records flow on this connection
        if (px.cutAll() > 0) cutsWithTraffic++;
        cuts++;
      }
    })();
    const w = await writeKeys(primary.server.addr, primary.token, 'c', { count: 1_000, concurrency: 16, until: () => cuts >= CUTS, max: 20_000 });
    await cutter;
    expect(cutsWithTraffic).toBe(CUTS);

    // A stall: the link stops moving bytes (no RST) while writes continue, then recovers.
    await waitFor('the link to come back after the cuts', async () => px.live() > 0, 20_000, 25);
    px.pause();
    const stalled = await writeKeys(primary.server.addr, primary.token, 'c', { count: 300, start: 100_000 });
    await new Promise((r) => setTimeout(r, 500));
    px.resume();

    await convergedWithEvidence(primary, secondary);
    await seen.stop();
    const final = await replStatus(secondary.server.addr, MODE);
    expect(final.connection_state).toBe('ready');
    // The secondary noticed the cuts: its connection left `ready` at some point.
    expect([...seen.connections].filter((c) => c !== 'ready'), `connection states seen: ${[...seen.connections]}`).not.toEqual([]);
    expect(px.accepted).toBeGreaterThanOrEqual(CUTS + 1);

    secondary.token = await login(secondary.server.addr);
    await expectAllPresent(secondary, 'c', [...w.acked, ...stalled.acked].sort((a, b) => a - b), [primary]);
  }, SCENARIO_TIMEOUT_MS);

  it('d. a secondary left down past log retention merkle-syncs: new writes arrive, deletes and overwrites apply', async () => {
    const primary = await startPrimary('fd-primary', { extraArgs: ['-log-retention=200'] });
    const secondary = await startSecondary(primary, 'fd-secondary');
    const first = await writeKeys(primary.server.addr, primary.token, 'd1', { count: 300 });
    expect(first.acked).toHaveLength(300);
    await convergedWithEvidence(primary, secondary);
    const position = (await replStatus(secondary.server.addr, MODE)).last_remote_wal as number;

    await secondary.server.stop();
    const guardMissesBefore = await counter(primary, MISSING_GUARD);
    const second = await writeKeys(primary.server.addr, primary.token, 'd2', { count: 1_200 });
    expect(second.acked).toHaveLength(1_200);
    const deleted = first.acked.filter((i) => i % 3 === 0); // 100 keys, every version and the metadata
    await mapLimit(deleted, 8, async (i) => void (await ok(api(primary.server.addr, 'DELETE', `secret/metadata/d1/${i}`, { token: primary.token }), `delete d1/${i}`)));
    const rewritten = first.acked.filter((i) => i % 3 === 1);
    const re = { acked: [] as number[] };
    await mapLimit(rewritten, 8, async (i) => {
      const r = await api(primary.server.addr, 'POST', `secret/data/d1/${i}`, { token: primary.token, body: { data: { v: valueOf('d1', i, 2) } } });
      if (r.status === 200) re.acked.push(i);
    });
    expect(re.acked).toHaveLength(rewritten.length);
    // The secondary's position is gone from the primary's log.
    const p0 = await replStatus(primary.server.addr, MODE);
    expect(p0.last_wal - position).toBeGreaterThan(200);

    await restart(secondary, primary.unsealKey);
    await convergedWithEvidence(primary, secondary);

    const guardMissesAfter = await counter(primary, MISSING_GUARD);
    expect(guardMissesAfter, 'the primary counted a missing guard for the returning secondary').toBeGreaterThan(guardMissesBefore);
    expect(secondary.server.output()).toMatch(/merkle sync complete/);

    secondary.token = await login(secondary.server.addr);
    await expectAllPresent(secondary, 'd2', second.acked, [primary]);
    await expectAllPresent(secondary, 'd1', re.acked, [primary], 2);
    const untouched = first.acked.filter((i) => i % 3 === 2);
    await expectAllPresent(secondary, 'd1', untouched, [primary]);
    const list = await api(secondary.server.addr, 'LIST', 'secret/metadata/d1', { token: secondary.token });
    const listed = new Set<string>(list.body.data.keys);
    const stillThere = deleted.filter((i) => listed.has(String(i)));
    expect(stillThere, `deleted keys still listed on the secondary\n${stillThere.length ? await evidence(primary, secondary) : ''}`).toEqual([]);
    expect(listed.size).toBe(200);
    const gone = await api(secondary.server.addr, 'GET', `secret/data/d1/${deleted[0]}`, { token: secondary.token });
    expect(gone.status).toBe(404);
  }, SCENARIO_TIMEOUT_MS);

  // Nothing is written after the restart here, so there are no records to
  // ship: the secondary must still come back to stream-wals and say so. Both
  // cases start from the same idle, caught-up pair (one set-up, not two).
  let idle: { primary: Primary; secondary: Node } | null = null;
  for (const side of ['secondary', 'primary'] as const) {
    it(`e. restart of the ${side} while idle and caught up: the secondary streams again and reports it`, async () => {
      if (!idle) {
        const p = await startPrimary('fe-p');
        idle = { primary: p, secondary: await startSecondary(p, 'fe-s') };
      }
      const { primary, secondary } = idle;
      const w = await writeKeys(primary.server.addr, primary.token, `e-${side}`, { count: 50 });
      await convergedWithEvidence(primary, secondary);

      if (side === 'secondary') {
        await secondary.server.kill();
        await restart(secondary, primary.unsealKey);
      } else {
        await primary.server.stop();
        await restart(primary, primary.unsealKey);
      }
      await convergedWithEvidence(primary, secondary, 15_000);
      expect(await replStatus(secondary.server.addr, MODE)).toMatchObject({ state: 'stream-wals', connection_state: 'ready' });
      secondary.token = await login(secondary.server.addr);
      await expectAllPresent(secondary, `e-${side}`, w.acked, [primary]);
    }, SCENARIO_TIMEOUT_MS);
  }
});
