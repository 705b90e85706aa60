import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaMaterial, createReplicationCa, type LeafMaterial } from '../replication/ca';

/** A member's peer certificate (CN = member name, one SAN per host, serverAuth + clientAuth). */
export { issuePeerCert, issuePeerCertAsync } from '../replication/ca';

// Peer traffic between etcd members is mutual TLS under the cluster's own CA
// (the same CA kind replication uses, from replication/ca.ts). etcd 3.4 dials
// peers with its one --peer-cert-file, so that certificate carries both
// serverAuth and clientAuth (ca.ts issuePeerCert).

export interface PeerTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function createEtcdCa(clusterId: string): CaMaterial {
  return createReplicationCa(`etcd-${clusterId}`);
}

/** Writes the CA certificate and the member's pair where etcd reads them: files 0600 in a 0700 directory, as every file Coffer writes. */
export function writePeerTls(dir: string, caCertPem: string, leaf: LeafMaterial): PeerTlsFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { caFile: join(dir, 'peer-ca.crt'), certFile: join(dir, 'peer.crt'), keyFile: join(dir, 'peer.key') };
  writeFileSync(files.caFile, caCertPem, { mode: 0o600 });
  writeFileSync(files.certFile, leaf.certPem, { mode: 0o600 });
  writeFileSync(files.keyFile, leaf.keyPem, { mode: 0o600 });
  return files;
}
