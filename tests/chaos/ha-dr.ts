import { ChaosNode } from './chaos-node';
import type { HaDrSample } from './ha-history';
import type { HaWorld } from './ha-world';
import { call, must, sleep, until } from './http';

// The DR secondary of an HA chaos run: one single-node cluster (a real
// `coffer server`, storage "raft" without peers) that follows the HA cluster
// as DR secondary. The HA cluster's replication runs on its active, so every
// failover there is a reconnect here; the secondary must resume streaming
// from the new active (issue 9 item 5) and end with the same merkle root.
// Its status is sampled all through the run, with the primary it names
// resolved to an HA node.
export const DR_NAME = 'dr';
/** Set-up calls on a loaded 2-core box can take seconds. */
const SETUP_TIMEOUT_MS = 60_000;
const STREAM_WAIT_MS = 120_000;
const SAMPLE_EVERY_MS = 200;
const STATUS_TIMEOUT_MS = 3_000;
export const MERKLE_SYNC_LINE = '"msg":"merkle sync complete"';

export class HaDrSecondary {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  /** Merkle syncs the secondary had run when set-up ended (its first bootstrap may be one). */
  syncsAtStart = 0;

  private constructor(readonly node: ChaosNode) {}

  /** The secondary's process alone (started beside the HA cluster to save set-up time). */
  static spawn(): Promise<ChaosNode> {
    return ChaosNode.start(DR_NAME, ['-log-level=info']);
  }

  /** Make `node` (default: a fresh one) the HA cluster's DR secondary and wait until it streams. */
  static async start(w: HaWorld, spawned?: ChaosNode): Promise<HaDrSecondary> {
    const node = spawned ?? (await HaDrSecondary.spawn());
    const s = new HaDrSecondary(node);
    try {
      const init = await must(node.addr, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 }, timeoutMs: SETUP_TIMEOUT_MS });
      await node.unseal(init.body.keys_base64[0]);
      // A fresh id per attempt: an attempt whose answer was lost may have made its token.
      let attempt = 0;
      const t = await w.onActive('a DR activation token', (a) =>
        must(w.addr(a), 'POST', 'sys/replication/dr/primary/secondary-token', { token: w.rootToken, body: { id: `chaos-dr-${++attempt}` }, timeoutMs: SETUP_TIMEOUT_MS }),
      );
      await must(node.addr, 'POST', 'sys/replication/dr/secondary/enable', { token: init.body.root_token, body: { token: t.body.wrap_info.token }, timeoutMs: SETUP_TIMEOUT_MS });
      await until('the DR secondary to stream', async () => (await s.status())?.state === 'stream-wals', STREAM_WAIT_MS, 200);
      s.syncsAtStart = s.merkleSyncs();
    } catch (err) {
      await node.destroy();
      throw new Error(`DR secondary set-up failed: ${(err as Error).message}\n${node.output().slice(-2000)}`, { cause: err });
    }
    return s;
  }

  async status(): Promise<Record<string, any> | null> {
    try {
      const r = await call(this.node.addr, 'GET', 'sys/replication/dr/status', { timeoutMs: STATUS_TIMEOUT_MS });
      return r.status === 200 ? r.body.data : null;
    } catch {
      return null;
    }
  }

  /** Streaming with a live link, and its last remote WAL (-1 when not). */
  async streamingAt(): Promise<number> {
    const s = await this.status();
    return s?.state === 'stream-wals' && s.connection_state === 'ready' ? Number(s.last_remote_wal ?? 0) : -1;
  }

  merkleSyncs(): number {
    return this.node.output().split('\n').filter((l) => l.includes(MERKLE_SYNC_LINE)).length;
  }

  /** Sample the status until stop(), naming the HA node its primary_cluster_addr points at. */
  sample(w: HaWorld, into: HaDrSample[], clock: () => number): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const sentAt = clock();
        const s = await this.status();
        if (s) {
          into.push({
            sentAt,
            receivedAt: clock(),
            state: String(s.state ?? ''),
            ready: s.connection_state === 'ready',
            peer: w.nameOfClusterAddr(String(s.primary_cluster_addr ?? '')),
            lastRemoteWal: Number(s.last_remote_wal ?? 0),
          });
        }
        await sleep(SAMPLE_EVERY_MS);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  async root(): Promise<string> {
    return String((await this.status())?.merkle_root ?? '');
  }

  async destroy(): Promise<void> {
    await this.stop();
    await this.node.destroy();
  }
}
