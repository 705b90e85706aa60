import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../server/log';
import { EtcdClient, type Member } from '../../server/ha/etcd-client';
import { EtcdError } from '../../server/ha/etcd-error';
import { EtcdMember } from '../../server/ha/etcd-member';
import { createEtcdCa, issuePeerCert } from '../../server/ha/etcd-peer-tls';
import type { CaMaterial } from '../../server/replication/ca';
import { quietPort } from '../support/ports';

// Test support: real etcd members on free loopback ports, peer traffic under
// a fresh CA, each member's data in its own temp storage path.

export interface TestEtcd {
  ca: CaMaterial;
  members: EtcdMember[];
  names: string[];
  /** A client that talks only to member i (what that Coffer node would use). */
  client(i: number): EtcdClient;
  /** A client over every member. */
  all(): EtcdClient;
  /** Adds a member through `member add` and starts it with --initial-cluster-state existing. */
  addMember(name: string, opts?: { ca?: CaMaterial; startTimeoutMs?: number }): Promise<EtcdMember>;
  stop(): Promise<void>;
}

export const logger = createLogger({ level: process.env.COFFER_TEST_LOG ?? 'silent' });

export async function startEtcd(size: number, prefix = 'n'): Promise<TestEtcd> {
  const root = mkdtempSync(join(tmpdir(), 'coffer-etcd-'));
  const ca = createEtcdCa('test');
  const names = Array.from({ length: size }, (_, i) => `${prefix}${i + 1}`);
  const ports = await Promise.all(names.map(async () => ({ client: await quietPort(), peer: await quietPort() })));
  const peerUrls: Record<string, string> = Object.fromEntries(names.map((n, i) => [n, `https://127.0.0.1:${ports[i].peer}`]));
  const clients: EtcdClient[] = [];
  const members: EtcdMember[] = [];
  const make = (name: string, client: number, peer: number, cluster: Record<string, string>, state: 'new' | 'existing', memberCa: CaMaterial, startTimeoutMs?: number) => {
    const leaf = issuePeerCert(memberCa, name, ['127.0.0.1']);
    const m = new EtcdMember({
      name,
      storagePath: join(root, name),
      clientUrl: `http://127.0.0.1:${client}`,
      peerUrl: `https://127.0.0.1:${peer}`,
      initialCluster: cluster,
      clusterState: state,
      peerTls: { caCertPem: memberCa.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem },
      logger,
      pathEnv: process.env.PATH ?? '',
      startTimeoutMs,
    });
    members.push(m);
    return m;
  };
  const initial = names.map((n, i) => make(n, ports[i].client, ports[i].peer, peerUrls, 'new', ca));
  const track = (c: EtcdClient) => (clients.push(c), c);
  const env: TestEtcd = {
    ca,
    members,
    names,
    client: (i) => track(new EtcdClient({ endpoints: [members[i].clientUrl], timeoutMs: 5_000 })),
    all: () => track(new EtcdClient({ endpoints: members.map((m) => m.clientUrl), timeoutMs: 5_000 })),
    async addMember(name, opts = {}) {
      const client = await quietPort();
      const peer = await quietPort();
      const c = env.all();
      // etcd refuses `member add` (strict reconfig check: "unhealthy cluster")
      // until every member has been connected for 5 s; retry until it accepts.
      const deadline = Date.now() + 60_000;
      let list: Member[] | undefined;
      while (!list) {
        try {
          list = (await c.memberAdd([`https://127.0.0.1:${peer}`])).members;
        } catch (err) {
          if (Date.now() > deadline || !(err instanceof EtcdError && /unhealthy cluster/.test(err.message))) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      const cluster = Object.fromEntries(list.map((m) => [m.name || name, m.peerUrls[0]]));
      const m = make(name, client, peer, cluster, 'existing', opts.ca ?? ca, opts.startTimeoutMs);
      await m.start();
      return m;
    },
    async stop() {
      for (const c of clients) c.close();
      await Promise.all(members.map((m) => m.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(initial.map((m) => m.start()));
  } catch (err) {
    await env.stop();
    throw err;
  }
  return env;
}
