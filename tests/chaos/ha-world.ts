import { startHaCluster, type HaCluster, type HaNode } from '../ha/ha-cluster';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import type { NodeName } from './history';
import { call, must, until } from './http';

// The HA world of a chaos run: three real `coffer server` nodes on storage
// "etcd" over a real 3-member etcd (tests/ha/ha-cluster.ts), each node talking
// to etcd through a TCP proxy of its own, so the nemesis can cut one node off
// from the etcd quorum while its API stays reachable (as ha-fencing.test.ts).
// The nemesis's moves on a node: kill -9 and restart on its data, SIGSTOP and
// SIGCONT, proxy paused and resumed, sys/step-down. The cluster is a DR
// primary from the start, so every node reports the cluster's merkle root.
export type HaRun = 'up' | 'down' | 'frozen';
/** Set-up calls on a loaded 2-core box can take seconds; faults have not started, so waiting costs nothing. */
const SETUP_TIMEOUT_MS = 60_000;
const LEADER_TIMEOUT_MS = 3_000;
const STEP_DOWN_TIMEOUT_MS = 30_000;

export class HaWorld {
  readonly run = new Map<NodeName, HaRun>();
  /** Nodes whose etcd proxy is paused now. */
  readonly cutOff = new Set<NodeName>();
  /** The node last seen saying it is active (the monitor keeps it fresh; clients aim one writer at it). */
  lastActive: NodeName = '';
  private readonly pastOutput = new Map<NodeName, string[]>();

  private constructor(
    readonly cluster: HaCluster,
    private readonly etcdProxies: TcpProxy[],
  ) {
    for (const n of cluster.nodes) this.run.set(n.name, 'up');
  }

  static async start(): Promise<HaWorld> {
    const proxies: TcpProxy[] = [];
    let cluster: HaCluster;
    try {
      cluster = await startHaCluster(3, {
        etcdAddress: async (i, etcd) => {
          proxies[i] = await startTcpProxy({ port: Number(new URL(etcd.members[i].clientUrl).port) });
          return `http://${proxies[i].address}`;
        },
      });
    } catch (err) {
      await Promise.all(proxies.map((p) => p.close()));
      throw err;
    }
    const w = new HaWorld(cluster, proxies);
    try {
      const t = { token: cluster.rootToken, timeoutMs: SETUP_TIMEOUT_MS };
      // A loaded box loses a lease now and then (the active steps down, the write answers 503): each step is retried on whoever is active, once checked undone.
      await w.onActive('mount secret/', async (a) => {
        if ((await call(w.addr(a), 'GET', 'sys/mounts', t)).body?.data?.['secret/']) return;
        await must(w.addr(a), 'POST', 'sys/mounts/secret', { ...t, body: { type: 'kv', options: { version: '2' } } });
      });
      await w.onActive('enable DR primary', async (a) => {
        if ((await call(w.addr(a), 'GET', 'sys/replication/dr/status', t)).body?.data?.mode === 'primary') return;
        await must(w.addr(a), 'POST', 'sys/replication/dr/primary/enable', { ...t, body: {} });
      });
    } catch (err) {
      await w.destroy();
      throw new Error(`HA world set-up failed: ${(err as Error).message}`, { cause: err });
    }
    return w;
  }

  /** Run `step` on the agreed active, again on the next one if it fails, until it succeeds or the set-up time is over. */
  async onActive<T>(what: string, step: (active: NodeName) => Promise<T>): Promise<T> {
    let out: T | undefined;
    await until(
      what,
      async () => {
        const a = await this.agreedActive();
        if (!a) return false;
        out = await step(a);
        return true;
      },
      SETUP_TIMEOUT_MS,
      200,
    );
    return out as T;
  }

  get names(): NodeName[] {
    return this.cluster.nodes.map((n) => n.name);
  }

  get rootToken(): string {
    return this.cluster.rootToken;
  }

  node(name: NodeName): HaNode {
    const n = this.cluster.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no HA node ${name}`);
    return n;
  }

  addr(name: NodeName): string {
    return this.node(name).addr;
  }

  nameOfAddr(addr: string): NodeName {
    return this.cluster.nodes.find((n) => n.addr === addr)?.name ?? '';
  }

  /** The HA node whose cluster port `addr` names ('' if none). */
  nameOfClusterAddr(addr: string): NodeName {
    return this.cluster.nodes.find((n) => addr === `https://127.0.0.1:${n.port + 1}`)?.name ?? '';
  }

  up(): NodeName[] {
    return this.names.filter((n) => this.run.get(n) === 'up');
  }

  /** A node's sys/leader, or null when it does not answer 200 in time. */
  async leader(name: NodeName): Promise<Record<string, any> | null> {
    try {
      const r = await call(this.addr(name), 'GET', 'sys/leader', { timeoutMs: LEADER_TIMEOUT_MS });
      return r.status === 200 ? r.body : null;
    } catch {
      return null;
    }
  }

  /** The active every running node names (the active itself saying is_self), or null while they disagree or one is silent. */
  async agreedActive(): Promise<NodeName | null> {
    const up = this.up();
    const views = await Promise.all(up.map((n) => this.leader(n)));
    if (!up.length || views.some((v) => !v)) return null;
    const named = views.map((v, i) => (v!.is_self ? up[i] : this.nameOfAddr(v!.leader_address)));
    const who = named[0];
    if (!who || named.some((x) => x !== who)) return null;
    const i = up.indexOf(who);
    return i >= 0 && views[i]!.is_self ? who : null;
  }

  /** The node is unsealed and answers as active or standby (sys/health 200, 429 or 473). */
  async serving(name: NodeName): Promise<boolean> {
    if (this.run.get(name) !== 'up') return false;
    try {
      return [200, 429, 473].includes((await call(this.addr(name), 'GET', 'sys/health', { timeoutMs: LEADER_TIMEOUT_MS })).status);
    } catch {
      return false;
    }
  }

  // ---- the nemesis's moves ----

  async kill(name: NodeName): Promise<void> {
    if (this.run.get(name) === 'frozen') this.thaw(name);
    await this.node(name).kill();
    this.run.set(name, 'down');
  }

  /** Start the node again on its data dir and port, and unseal it with the cluster's keys. */
  async restart(name: NodeName): Promise<void> {
    const i = this.names.indexOf(name);
    if (this.run.get(name) !== 'down') await this.kill(name);
    this.pastOutput.set(name, [...(this.pastOutput.get(name) ?? []), this.node(name).output()]);
    const fresh = await this.cluster.restart(i);
    await this.cluster.unseal(fresh);
    this.run.set(name, 'up');
  }

  freeze(name: NodeName): void {
    if (this.run.get(name) !== 'up') return;
    this.node(name).proc.kill('SIGSTOP');
    this.run.set(name, 'frozen');
  }

  thaw(name: NodeName): void {
    if (this.run.get(name) !== 'frozen') return;
    this.node(name).proc.kill('SIGCONT');
    this.run.set(name, 'up');
  }

  /** Cut the node off from every etcd member: its proxy holds every byte (a partition that drops nothing). */
  cut(name: NodeName): void {
    this.etcdProxies[this.names.indexOf(name)].pause();
    this.cutOff.add(name);
  }

  reconnect(name: NodeName): void {
    this.etcdProxies[this.names.indexOf(name)].resume();
    this.cutOff.delete(name);
  }

  /** PUT sys/step-down sent to `via` (a standby forwards it to the active). */
  async stepDown(via: NodeName): Promise<void> {
    await must(this.addr(via), 'PUT', 'sys/step-down', { token: this.rootToken, timeoutMs: STEP_DOWN_TIMEOUT_MS });
  }

  /** Every node running, thawed and connected to etcd. */
  async heal(): Promise<void> {
    for (const n of this.names) {
      this.thaw(n);
      if (this.cutOff.has(n)) this.reconnect(n);
    }
    await Promise.all(this.names.filter((n) => this.run.get(n) === 'down').map((n) => this.restart(n)));
  }

  /** Each node's DR merkle root and applied HA log seq ('' / -1 when it does not answer). */
  async roots(): Promise<{ node: NodeName; root: string; applied: number }[]> {
    return Promise.all(
      this.names.map(async (node) => {
        const [st, l] = await Promise.all([call(this.addr(node), 'GET', 'sys/replication/dr/status', { timeoutMs: LEADER_TIMEOUT_MS }).catch(() => null), this.leader(node)]);
        return { node, root: String(st?.body?.data?.merkle_root ?? ''), applied: Number(l?.raft_applied_index ?? -1) };
      }),
    );
  }

  output(name: NodeName): string {
    return [...(this.pastOutput.get(name) ?? []), this.node(name).output()].join(`\n----- ${name} restarted -----\n`);
  }

  async destroy(): Promise<void> {
    for (const n of this.names) this.thaw(n);
    for (const p of this.etcdProxies) p.resume();
    await this.cluster.stop();
    await Promise.all(this.etcdProxies.map((p) => p.close().catch(() => {})));
  }
}
