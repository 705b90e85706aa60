import { issueServerCert, serverCertFits, type CaMaterial, type LeafMaterial } from './ca';
import type { ReplicationStore } from './state';
import { parseClusterAddr } from './transport';

/**
 * The cluster listener's certificate from `ca`, issued anew when there is none,
 * when it is from another CA (a DR secondary took over its primary's
 * performance set, CA included) or when it does not name this node's
 * cluster_addr host. persist: false on an HA standby, which may not write: its
 * certificate lives in memory.
 */
export function listenerCert(store: ReplicationStore, ca: CaMaterial, clusterAddr: string, persist: boolean): LeafMaterial {
  const cert = store.serverCert();
  if (cert && serverCertFits(ca, cert, parseClusterAddr(clusterAddr).host)) return cert;
  const fresh = serverCertFor(ca, clusterAddr);
  if (persist) store.saveCa(ca, fresh);
  return fresh;
}

/** A server certificate for the cluster listener, valid for the names secondaries dial. */
export function serverCertFor(ca: CaMaterial, clusterAddr: string): LeafMaterial {
  const { host } = parseClusterAddr(clusterAddr);
  return issueServerCert(ca, [...new Set([host, 'localhost', '127.0.0.1'])]);
}
