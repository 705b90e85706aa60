// The multi-node parts of `storage "raft" { … }` for server/config.ts: Vault's
// `retry_join` stanzas (vault physical/raft/raft.go LeaderJoinInfo) and the two
// addresses of the etcd member Coffer supervises for integrated storage.
//
//   retry_join {
//     leader_api_addr         = "https://node-b.example.com:8200"
//     leader_ca_cert_file     = "/etc/coffer/ca.pem"
//     leader_client_cert_file = "/etc/coffer/client.pem"
//     leader_client_key_file  = "/etc/coffer/client-key.pem"
//   }
//
// `auto_join` discovers cloud instances by tag (go-discover); Coffer has no
// cloud provider to ask, so it is a start-up error rather than a node that
// silently never joins.
import { plainBlocks, type HclObject } from './hcl';
import { parseHostPort, parseUrl } from './config-values';

type ErrFn = (msg: string) => Error;

export interface RetryJoinConfig {
  leaderApiAddr: string;
  /** PEM text, or a file read at join time (as Vault does). */
  leaderCaCert?: string;
  leaderCaCertFile?: string;
  leaderClientCert?: string;
  leaderClientCertFile?: string;
  leaderClientKey?: string;
  leaderClientKeyFile?: string;
  leaderTlsServerName?: string;
}

export interface RaftClusterConfig {
  retryJoin: RetryJoinConfig[];
  /** host:port this node's etcd member serves its peers on (default: the cluster address's host, cluster port + 1). */
  etcdPeerAddress?: string;
  /** host:port of the member's client URL, loopback only (default: 127.0.0.1, cluster port + 2). */
  etcdClientAddress?: string;
}

export const RAFT_CLUSTER_KEYS = ['retry_join', 'etcd_peer_address', 'etcd_client_address'];

const RETRY_JOIN_KEYS: Record<string, keyof RetryJoinConfig | null> = {
  leader_api_addr: 'leaderApiAddr',
  leader_ca_cert: 'leaderCaCert',
  leader_ca_cert_file: 'leaderCaCertFile',
  leader_client_cert: 'leaderClientCert',
  leader_client_cert_file: 'leaderClientCertFile',
  leader_client_key: 'leaderClientKey',
  leader_client_key_file: 'leaderClientKeyFile',
  leader_tls_servername: 'leaderTlsServerName',
  auto_join: null,
  auto_join_scheme: null,
  auto_join_port: null,
};

/** The stanza's cluster settings, or undefined when it has none (a lone node). */
export function parseRaftCluster(body: HclObject, where: string, err: ErrFn): RaftClusterConfig | undefined {
  const retryJoin = body.retry_join === undefined ? [] : parseRetryJoins(body.retry_join, where, err);
  const out: RaftClusterConfig = { retryJoin };
  for (const [key, field] of [['etcd_peer_address', 'etcdPeerAddress'], ['etcd_client_address', 'etcdClientAddress']] as const) {
    const v = body[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !parseHostPort(v.trim())) throw err(`${where}: ${key} must be host:port, got ${JSON.stringify(v)}`);
    out[field] = v.trim();
  }
  if (out.etcdClientAddress && !isLoopback(parseHostPort(out.etcdClientAddress)!.hostPart)) {
    // The member's client port has no authentication: only this host may reach it.
    throw err(`${where}: etcd_client_address must be a loopback address (127.0.0.1 or [::1]), got ${JSON.stringify(out.etcdClientAddress)}`);
  }
  return retryJoin.length || out.etcdPeerAddress || out.etcdClientAddress ? out : undefined;
}

function parseRetryJoins(value: unknown, where: string, err: ErrFn): RetryJoinConfig[] {
  const blocks = plainBlocks(value);
  if (!blocks) throw err(`${where}: retry_join must be a block: retry_join { leader_api_addr = "https://node-b:8200" }`);
  return blocks.map((body, i) => {
    const at = `${where}: retry_join #${i + 1}`;
    if (body.auto_join !== undefined) {
      throw err(`${at}: auto_join (${JSON.stringify(body.auto_join)}) is not available here: Coffer cannot discover cloud instances by tag; list each node with leader_api_addr instead`);
    }
    const entry: Partial<RetryJoinConfig> = {};
    for (const [key, v] of Object.entries(body)) {
      const field = RETRY_JOIN_KEYS[key];
      if (field === undefined) throw err(`${at}: unknown key "${key}"`);
      if (field === null) throw err(`${at}: ${key} is only used with auto_join, which is not available here`);
      if (typeof v !== 'string' || v.trim() === '') throw err(`${at}: ${key} must be a non-empty string`);
      entry[field] = v.trim();
    }
    if (!entry.leaderApiAddr) throw err(`${at}: leader_api_addr is required`);
    if (!parseUrl(entry.leaderApiAddr)) throw err(`${at}: leader_api_addr = ${JSON.stringify(entry.leaderApiAddr)} is not an http(s) URL`);
    return entry as RetryJoinConfig;
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
