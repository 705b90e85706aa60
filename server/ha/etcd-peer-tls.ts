import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';
import { type CaMaterial, createReplicationCa, type LeafMaterial, LEAF_VALIDITY_YEARS, RSA_MODULUS_BITS } from '../replication/ca';

// Peer traffic between etcd members is mutual TLS under the cluster's own CA
// (the same CA kind replication uses, from replication/ca.ts). etcd 3.4 dials
// peers with its one --peer-cert-file, so that certificate must carry both
// serverAuth and clientAuth; replication/ca.ts issues one or the other, hence
// the leaf issuer here (same structure and key source as its issueLeaf).

const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface PeerTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function createEtcdCa(clusterId: string): CaMaterial {
  return createReplicationCa(`etcd-${clusterId}`);
}

/** A member's peer certificate: CN = member name, one SAN per host, serverAuth + clientAuth. */
export function issuePeerCert(ca: CaMaterial, memberName: string, hosts: string[]): LeafMaterial {
  if (hosts.length === 0) throw new Error('issuePeerCert: at least one host is required');
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { privateKey: keyPem } = generateKeyPairSync('rsa', {
    modulusLength: RSA_MODULUS_BITS,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  const serialBytes = randomBytes(16);
  serialBytes[0] = (serialBytes[0] & 0x3f) | 0x40; // positive, no leading zero byte (see ca.ts)
  const serial = serialBytes.toString('hex');
  cert.serialNumber = serial;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - CLOCK_SKEW_MS);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + LEAF_VALIDITY_YEARS);
  cert.validity.notAfter = notAfter > caCert.validity.notAfter ? caCert.validity.notAfter : notAfter;
  cert.setSubject([{ name: 'commonName', value: memberName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, serial };
}

/** Writes the CA certificate and the member's pair where etcd reads them; the key is 0600. */
export function writePeerTls(dir: string, caCertPem: string, leaf: LeafMaterial): PeerTlsFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { caFile: join(dir, 'peer-ca.crt'), certFile: join(dir, 'peer.crt'), keyFile: join(dir, 'peer.key') };
  writeFileSync(files.caFile, caCertPem, { mode: 0o644 });
  writeFileSync(files.certFile, leaf.certPem, { mode: 0o644 });
  writeFileSync(files.keyFile, leaf.keyPem, { mode: 0o600 });
  return files;
}
