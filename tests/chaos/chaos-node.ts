import { rmSync } from 'node:fs';
import { startConfiguredServer, type ConfiguredServer } from '../support/cluster';
import { quietPort } from '../support/ports';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import type { Mode } from './history';
import { call, until } from './http';

// One node of a chaos run: a real `coffer server -config` process that the
// nemesis kills, restarts, freezes and thaws, and, in front of its cluster
// port, one TCP proxy per replication mode. Whenever this node is a primary
// it advertises the proxy's address (primary_cluster_addr), so every
// secondary dials it THROUGH the proxy and the nemesis can cut, stall or slow
// those links while both processes run. Proxies and port survive restarts.
export type NodeRun = 'up' | 'down' | 'frozen';
/** A loaded 2-core box (other test runs beside this one) can take a minute to start a server. */
const START_TIMEOUT_MS = 120_000;

export class ChaosNode {
  run: NodeRun = 'up';
  /** Output of this node's earlier processes (each restart starts a new one). */
  private readonly pastOutput: string[] = [];

  private constructor(
    readonly name: string,
    public server: ConfiguredServer,
    readonly proxies: Record<Mode, TcpProxy>,
  ) {}

  static async start(name: string, args: string[]): Promise<ChaosNode> {
    // Every port below the ephemeral range: nothing else grabs them before the server or proxy binds.
    const port = await quietPort(true);
    const dr = await startTcpProxy({ port: port + 1 }, await quietPort());
    const performance = await startTcpProxy({ port: port + 1 }, await quietPort());
    const server = await startConfiguredServer({ name, port, args, healthTimeoutMs: START_TIMEOUT_MS });
    return new ChaosNode(name, server, { dr, performance });
  }

  get addr(): string {
    return this.server.addr;
  }

  get pid(): number | undefined {
    return this.server.proc.pid;
  }

  /** The address a secondary dials for this node as primary of `mode`. */
  proxyAddr(mode: Mode): string {
    return `https://${this.proxies[mode].address}`;
  }

  /** Every address a secondary's status may name for this node (proxy or direct cluster port). */
  clusterAddrs(): string[] {
    return [this.proxyAddr('dr'), this.proxyAddr('performance'), `https://127.0.0.1:${this.server.port + 1}`];
  }

  output(): string {
    return [...this.pastOutput, this.server.output()].join(`\n----- ${this.name} restarted -----\n`);
  }

  async kill(): Promise<void> {
    await this.server.kill(); // SIGKILL also ends a stopped process
    this.run = 'down';
  }

  freeze(): void {
    if (this.run !== 'up') return;
    this.server.proc.kill('SIGSTOP');
    this.run = 'frozen';
  }

  thaw(): void {
    if (this.run !== 'frozen') return;
    this.server.proc.kill('SIGCONT');
    this.run = 'up';
  }

  /** Start the same node again (data dir and port kept) and unseal it. */
  async restart(unsealKey: string): Promise<void> {
    if (this.run !== 'down') await this.kill();
    this.pastOutput.push(this.server.output());
    this.server = await this.server.restart();
    this.run = 'up';
    await this.unseal(unsealKey);
  }

  async unseal(key: string): Promise<void> {
    await until(
      `${this.name} to unseal`,
      async () => {
        const r = await call(this.addr, 'PUT', 'sys/unseal', { body: { key } });
        return r.status === 200 && r.body.sealed === false;
      },
      30_000,
      200,
    );
  }

  /** Thaw, take the proxies back to plain forwarding. */
  heal(): void {
    this.thaw();
    for (const p of Object.values(this.proxies)) {
      p.resume();
      p.setLatency(0);
    }
  }

  async destroy(keepData = false): Promise<void> {
    if (this.run === 'frozen') this.thaw();
    await this.server.kill().catch(() => {});
    await Promise.all(Object.values(this.proxies).map((p) => p.close().catch(() => {})));
    if (!keepData) rmSync(this.server.dataDir, { recursive: true, force: true });
  }
}
