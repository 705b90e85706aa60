import { ChaosNode } from './chaos-node';
import type { Mode, NodeName } from './history';
import { call, must, until } from './http';

// The clusters of a chaos run and the operator's moves on them. Topology
// (seed 002): one primary that is DR primary and performance primary at once,
// one performance secondary, one or two DR secondaries. The driver knows who
// plays which role now; a DR failover rotates the roles. Every move goes
// through Vault's API, as an operator would make it.
const USER = { name: 'chaos', password: 'chaos-monkey-pw' };
const ALL = `path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }`;
const DR_OPS = `path "sys/replication/dr/secondary/*" { capabilities = ["update"] }`;
const SERVER_ARGS = ['-log-level=info'];
const STREAM_TIMEOUT_MS = 60_000;

export interface DriverOptions {
  drSecondaries: 1 | 2;
}

/** Set-up calls (init, enable, activation tokens) on a loaded 2-core box can take seconds; the faults have not started, so waiting costs nothing. */
const SETUP_TIMEOUT_MS = 60_000;
const setupMust: typeof must = (addr, method, path, opts = {}) => must(addr, method, path, { timeoutMs: SETUP_TIMEOUT_MS, ...opts });

export class ClusterDriver {
  readonly nodes = new Map<NodeName, ChaosNode>();
  primary: NodeName = '';
  /** The performance secondary, and the primary it follows; null once it could not follow a failover. */
  perfSecondary: NodeName | null = null;
  perfPrimary: NodeName = '';
  drSecondaries: NodeName[] = [];
  rootToken = '';
  unsealKey = '';
  /** A batch DR operation token made on the primary before any failure (replicates to the DR secondaries). */
  drOpToken = '';
  /** A userpass token made on the performance secondary (its tokens are its own). */
  perfToken = '';
  /** Activation-token ids → the node they were issued for (primaries list secondaries by id). */
  private readonly idToNode = new Map<string, NodeName>();
  private tokensIssued = 0;

  node(name: NodeName): ChaosNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Which node a status means by a cluster address or a secondary id ('' if none). */
  nodeOfAddr(addr: string): NodeName {
    for (const n of this.nodes.values()) if (n.clusterAddrs().includes(addr)) return n.name;
    return '';
  }
  nodeOfId(id: string): NodeName {
    return this.idToNode.get(id) ?? '';
  }

  static async start(opts: DriverOptions): Promise<ClusterDriver> {
    const d = new ClusterDriver();
    const names = ['n1', 'n2', 'n3', ...(opts.drSecondaries === 2 ? ['n4'] : [])];
    const started = await Promise.allSettled(names.map((n) => ChaosNode.start(n, SERVER_ARGS)));
    for (const s of started) if (s.status === 'fulfilled') d.nodes.set(s.value.name, s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await d.destroy();
      throw (failed as PromiseRejectedResult).reason;
    }
    try {
      await d.setUp(names);
    } catch (err) {
      // The servers' own error lines say why a set-up call failed (a 500 says nothing).
      const why = [...d.nodes.values()].flatMap((n) => n.output().split('\n').filter((l) => /"level":(50|60)/.test(l)).slice(-3).map((l) => `${n.name}: ${l}`));
      await d.destroy();
      throw new Error(`cluster set-up failed: ${(err as Error).message}${why.length ? `\n${why.join('\n')}` : ''}`, { cause: err });
    }
    return d;
  }

  private async setUp([p, s, ...drs]: NodeName[]): Promise<void> {
    const P = this.node(p);
    const init = await setupMust(P.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    this.rootToken = init.body.root_token;
    this.unsealKey = init.body.keys_base64[0];
    await P.unseal(this.unsealKey);
    const t = { token: this.rootToken };
    await setupMust(P.addr, 'POST', 'sys/mounts/secret', { ...t, body: { type: 'kv', options: { version: '2' } } });
    await setupMust(P.addr, 'PUT', 'sys/policies/acl/chaos', { ...t, body: { policy: ALL } });
    await setupMust(P.addr, 'POST', 'sys/auth/userpass', { ...t, body: { type: 'userpass' } });
    await setupMust(P.addr, 'POST', `auth/userpass/users/${USER.name}`, { ...t, body: { password: USER.password, token_policies: 'chaos' } });
    await setupMust(P.addr, 'PUT', 'sys/policies/acl/dr-ops', { ...t, body: { policy: DR_OPS } });
    await setupMust(P.addr, 'POST', 'auth/token/roles/dr-ops', { ...t, body: { token_type: 'batch', orphan: true, renewable: false, allowed_policies: 'dr-ops' } });
    this.drOpToken = (await setupMust(P.addr, 'POST', 'auth/token/create/dr-ops', { ...t, body: { ttl: '24h', policies: ['dr-ops'] } })).body.auth.client_token;
    for (const m of ['dr', 'performance'] as Mode[]) await setupMust(P.addr, 'POST', `sys/replication/${m}/primary/enable`, { ...t, body: { primary_cluster_addr: P.proxyAddr(m) } });
    this.primary = this.perfPrimary = p;
    await Promise.all([this.join(s, 'performance'), ...drs.map((n) => this.join(n, 'dr'))]);
    this.perfSecondary = s;
    this.drSecondaries = drs;
    this.perfToken = (await setupMust(this.node(s).addr, 'POST', `auth/userpass/login/${USER.name}`, { body: { password: USER.password } })).body.auth.client_token;
  }

  /** Initialise a fresh node, make it a secondary of the primary, and wait until it streams. */
  private async join(name: NodeName, m: Mode): Promise<void> {
    const n = this.node(name);
    const init = await setupMust(n.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    await n.unseal(init.body.keys_base64[0]);
    const activation = await this.activationToken(this.primary, m, name);
    await setupMust(n.addr, 'POST', `sys/replication/${m}/secondary/enable`, { token: init.body.root_token, body: { token: activation } });
    await until(`${name} to stream ${m} WALs`, async () => (await this.status(name, m)).state === 'stream-wals', STREAM_TIMEOUT_MS, 200);
  }

  /** A fresh activation token on `primary` for `secondary` (ids are never reused). */
  private async activationToken(primary: NodeName, m: Mode, secondary: NodeName): Promise<string> {
    const id = `${secondary}-${m === 'dr' ? 'dr' : 'perf'}-${++this.tokensIssued}`;
    const r = await setupMust(this.node(primary).addr, 'POST', `sys/replication/${m}/primary/secondary-token`, { token: this.rootToken, body: { id } });
    this.idToNode.set(id, secondary);
    return r.body.wrap_info.token;
  }

  async status(name: NodeName, m: Mode, timeoutMs = 3_000): Promise<Record<string, any>> {
    const r = await call(this.node(name).addr, 'GET', `sys/replication/${m}/status`, { timeoutMs });
    if (r.status !== 200) throw new Error(`${name} ${m} status: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data;
  }

  /**
   * The secondaries of `primary` whose `mode` link runs through its proxy now (a secondary re-pointed with
   * an activation token dials the address the token names, which may be the primary's own cluster port).
   */
  async followersThroughProxy(primary: NodeName, m: Mode): Promise<NodeName[]> {
    const candidates = m === 'dr' ? this.drSecondaries : this.perfSecondary ? [this.perfSecondary] : [];
    const via = await Promise.all(candidates.map(async (n) => ((await this.status(n, m).catch(() => ({}))) as Record<string, unknown>).primary_cluster_addr));
    return candidates.filter((_, i) => via[i] === this.node(primary).proxyAddr(m));
  }

  // ---- the operator's moves ----

  /** POST sys/replication/recover (the DR-secondary variant on a DR secondary). */
  async recover(name: NodeName): Promise<void> {
    const path = this.drSecondaries.includes(name) ? 'sys/replication/dr/secondary/recover' : 'sys/replication/recover';
    const token = this.drSecondaries.includes(name) ? undefined : name === this.perfSecondary ? this.perfToken : this.rootToken;
    await must(this.node(name).addr, 'POST', path, { token, body: this.drSecondaries.includes(name) ? { dr_operation_token: this.drOpToken } : {} });
  }

  /** Promote a DR secondary with the batch DR operation token; it advertises its own proxy. Returns its new epoch. */
  async promote(name: NodeName): Promise<number> {
    const n = this.node(name);
    await must(n.addr, 'POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: this.drOpToken, primary_cluster_addr: n.proxyAddr('dr') }, timeoutMs: 30_000 });
    const st = await until(`${name} to report DR primary`, async () => {
      const s = await this.status(name, 'dr');
      return s.mode === 'primary' ? s : null;
    }, 30_000);
    this.drSecondaries = this.drSecondaries.filter((x) => x !== name);
    this.primary = name;
    return st.epoch as number;
  }

  /** Demote a (former) DR primary: it keeps its data and follows no one. */
  async demote(name: NodeName): Promise<void> {
    await must(this.node(name).addr, 'POST', 'sys/replication/dr/primary/demote', { token: this.rootToken, timeoutMs: 30_000 });
  }

  /** Re-point a DR secondary (or a demoted primary) at the current primary with a fresh activation token. */
  async followDr(name: NodeName): Promise<void> {
    const activation = await this.activationToken(this.primary, 'dr', name);
    await must(this.node(name).addr, 'POST', 'sys/replication/dr/secondary/update-primary', { body: { dr_operation_token: this.drOpToken, token: activation }, timeoutMs: 30_000 });
    if (!this.drSecondaries.includes(name)) this.drSecondaries.push(name);
  }

  /**
   * Re-point the performance secondary at the current primary (issue 8 item 9: the promoted DR secondary
   * is the performance primary), either with a new activation token or by address alone
   * (update_primary_addrs, here the new primary's proxy, so its links stay within the nemesis's reach).
   */
  async followPerf(by: 'token' | 'addrs'): Promise<void> {
    const s = this.perfSecondary;
    if (!s) return;
    const body = by === 'token' ? { token: await this.activationToken(this.primary, 'performance', s) } : { update_primary_addrs: [this.node(this.primary).proxyAddr('performance')] };
    await must(this.node(s).addr, 'POST', 'sys/replication/performance/secondary/update-primary', { token: this.perfToken, body, timeoutMs: 30_000 });
    this.perfPrimary = this.primary;
  }

  /** Every node running, thawed, unsealed, its proxies plain again. */
  async heal(): Promise<void> {
    for (const n of this.nodes.values()) n.heal();
    await Promise.all([...this.nodes.values()].filter((n) => n.run === 'down').map((n) => n.restart(this.unsealKey)));
    await Promise.all([...this.nodes.values()].map((n) => n.unseal(this.unsealKey)));
  }

  async destroy(keepData = false): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.destroy(keepData)));
  }
}
