import { createHash, generateKeyPair, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { isIP } from 'node:net';
import forge from 'node-forge';

// The primary's internal replication CA. It signs the cluster listener's
// server certificate and one client certificate per secondary, so the cluster
// port accepts exactly the peers this primary activated. The CA key never
// leaves the primary: a secondary's bundle carries the CA *certificate* only.
//
// node-forge builds the X.509 structures but only with RSA keys (PLATFORM.md);
// keys come from node:crypto because forge's pure-JS keygen takes ~1 s.

export interface CaMaterial {
  certPem: string;
  keyPem: string;
}
export interface LeafMaterial {
  certPem: string;
  keyPem: string;
  /** Lower-case hex, as Node's getPeerCertificate().serialNumber lower-cased. */
  serial: string;
}

export const RSA_MODULUS_BITS = 2048;
export const CA_VALIDITY_YEARS = 10;
/**
 * Leaves live as long as the CA (capped at its expiry): a secondary cannot
 * renew its client certificate without a new activation, and access is cut by
 * revocation (the listener's authorize hook), not by expiry.
 */
export const LEAF_VALIDITY_YEARS = 10;
/** Backdate notBefore so a peer whose clock is slightly behind still accepts a fresh cert. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const SERIAL_BYTES = 16;

export function createReplicationCa(clusterId: string): CaMaterial {
  const { keyPem, privateKey, publicKey } = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, CA_VALIDITY_YEARS);
  const subject = [{ name: 'commonName', value: `rep-${clusterId}` }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** One SAN per host: an IP address or a DNS name. */
function subjectAltNames(hosts: string[]) {
  return { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) };
}

/** The cluster listener's certificate: one SAN per host (DNS name or IP), serverAuth. */
export function issueServerCert(ca: CaMaterial, hosts: string[]): LeafMaterial {
  if (hosts.length === 0) throw new Error('issueServerCert: at least one host is required');
  return issueLeaf(ca, hosts[0], [{ name: 'extKeyUsage', serverAuth: true }, subjectAltNames(hosts)]);
}

/**
 * A certificate that both accepts and dials (CN = `commonName`, one SAN per
 * host, serverAuth + clientAuth): etcd 3.4 uses its one --peer-cert-file for
 * both ends of member-to-member TLS (ha/etcd-peer-tls.ts).
 */
export function issuePeerCert(ca: CaMaterial, commonName: string, hosts: string[]): LeafMaterial {
  if (hosts.length === 0) throw new Error('issuePeerCert: at least one host is required');
  return issueLeaf(ca, commonName, [{ name: 'extKeyUsage', serverAuth: true, clientAuth: true }, subjectAltNames(hosts)]);
}

/**
 * issuePeerCert with the RSA key generated on libuv's thread pool: an HA
 * active issuing a joiner's certificate must not stall its event loop (and
 * its lease keepalives) for the second a 2048-bit keygen takes on a busy box.
 */
export async function issuePeerCertAsync(ca: CaMaterial, commonName: string, hosts: string[]): Promise<LeafMaterial> {
  if (hosts.length === 0) throw new Error('issuePeerCert: at least one host is required');
  const { privateKey: pem } = await promisify(generateKeyPair)('rsa', { modulusLength: RSA_MODULUS_BITS, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return issueLeaf(ca, commonName, [{ name: 'extKeyUsage', serverAuth: true, clientAuth: true }, subjectAltNames(hosts)], rsaKeyFromPem(pem));
}

/**
 * Does this listener certificate still fit: signed by `ca` and naming `host`?
 * A cluster that takes over a replication role (DR promotion) inherits the CA
 * but not the old primary's listener certificate, and a changed cluster_addr
 * needs its new host in the SANs: either way a fresh one is issued.
 */
export function serverCertFits(ca: CaMaterial, cert: LeafMaterial, host: string): boolean {
  try {
    const caX = new X509Certificate(ca.certPem);
    const x = new X509Certificate(cert.certPem);
    if (!x.checkIssued(caX) || !x.verify(caX.publicKey)) return false;
    return (isIP(host) ? x.checkIP(host) : x.checkHost(host)) !== undefined;
  } catch {
    return false;
  }
}

/** A secondary's client certificate: CN = secondary id, clientAuth. */
export function issueClientCert(ca: CaMaterial, secondaryId: string): LeafMaterial {
  if (!secondaryId) throw new Error('issueClientCert: secondary id is required');
  return issueLeaf(ca, secondaryId, [{ name: 'extKeyUsage', clientAuth: true }]);
}

/** sha256 of the certificate's DER, lower-case hex (no colons). */
export function certFingerprint(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

export function commonNameOf(certPem: string): string {
  const field = forge.pki.certificateFromPem(certPem).subject.getField('CN') as { value: string } | null;
  if (!field) throw new Error('certificate has no common name');
  return field.value;
}

function issueLeaf(ca: CaMaterial, commonName: string, extensions: object[], key = newRsaKey()): LeafMaterial {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { keyPem, publicKey } = key;
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  const serial = randomSerial();
  cert.serialNumber = serial;
  setValidity(cert, LEAF_VALIDITY_YEARS);
  if (cert.validity.notAfter > caCert.validity.notAfter) cert.validity.notAfter = caCert.validity.notAfter;
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ...extensions,
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, serial };
}

function newRsaKey() {
  const { privateKey: pem } = generateKeyPairSync('rsa', {
    modulusLength: RSA_MODULUS_BITS,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return rsaKeyFromPem(pem);
}

function rsaKeyFromPem(pem: string) {
  const privateKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  return { keyPem: pem, privateKey, publicKey };
}

/**
 * 128 random bits, first byte forced into 0x40–0x7f: positive (DER integers
 * are signed) and without a leading zero byte, so the hex here equals what
 * Node reports for the peer's certificate.
 */
function randomSerial(): string {
  const b = randomBytes(SERIAL_BYTES);
  b[0] = (b[0] & 0x3f) | 0x40;
  return b.toString('hex');
}

function setValidity(cert: forge.pki.Certificate, years: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - CLOCK_SKEW_MS);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  cert.validity.notAfter = notAfter;
}
