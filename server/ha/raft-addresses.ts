import type { RaftClusterConfig } from '../config-raft';

// Where a node's supervised etcd member listens and what it advertises. The
// peer port carries member-to-member raft traffic (mutual TLS under the
// cluster's CA) and must be reachable by the other nodes; the client port is
// Coffer's own way into its member and stays on loopback, also under TLS: the
// member serves only clients presenting a certificate from the cluster's CA
// (etcd-member.ts clientCertAuth), which only the nodes hold.
// Defaults sit beside the cluster port: peers on cluster port + 1, the client
// on cluster port + 2, as Vault's 8200/8201 become 8202/8203 here.

export const PEER_PORT_OFFSET = 1;
export const CLIENT_PORT_OFFSET = 2;

export interface MemberAddresses {
  /** https://<cluster_addr host>:<peer port>: what the other members dial. */
  peerUrl: string;
  /** https://<listener cluster_address host>:<peer port>: what etcd binds (an IP). */
  listenPeerUrl: string;
  /** https://127.0.0.1:<client port>. */
  clientUrl: string;
  /** Host names for the peer certificate's SANs. */
  peerHosts: string[];
}

function hostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
}

/** `clusterAddr` is the advertised URL (https://node-a:8201), `listenClusterAddress` the listener's host:port. */
export function memberAddresses(clusterAddr: string, listenClusterAddress: string, cfg?: RaftClusterConfig): MemberAddresses {
  const advertised = new URL(clusterAddr);
  const advertisedHost = advertised.hostname;
  const listen = hostPort(listenClusterAddress);
  const peer = cfg?.etcdPeerAddress ? hostPort(cfg.etcdPeerAddress) : { host: listen.host, port: listen.port + PEER_PORT_OFFSET };
  const client = cfg?.etcdClientAddress ? hostPort(cfg.etcdClientAddress) : { host: '127.0.0.1', port: listen.port + CLIENT_PORT_OFFSET };
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  return {
    peerUrl: `https://${bracket(advertisedHost)}:${peer.port}`,
    listenPeerUrl: `https://${bracket(peer.host)}:${peer.port}`,
    clientUrl: `https://${bracket(client.host)}:${client.port}`,
    peerHosts: [...new Set([advertisedHost.replace(/^\[|\]$/g, ''), '127.0.0.1'])],
  };
}
