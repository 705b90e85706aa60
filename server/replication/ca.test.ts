import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { certFingerprint, commonNameOf, createReplicationCa, issueClientCert, issueServerCert, serverCertFits, type CaMaterial } from './ca';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const YEAR_MS = 365 * 24 * 3600 * 1000;

let ca: CaMaterial;
let caX509: X509Certificate;
beforeAll(() => {
  ca = createReplicationCa('c0ffee');
  caX509 = new X509Certificate(ca.certPem);
});

describe('createReplicationCa', () => {
  it('is a self-signed CA named rep-<clusterId>, valid ~10 years', () => {
    expect(caX509.ca).toBe(true);
    expect(commonNameOf(ca.certPem)).toBe('rep-c0ffee');
    expect(caX509.verify(caX509.publicKey)).toBe(true);
    const years = (Date.parse(caX509.validTo) - Date.now()) / YEAR_MS;
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});

describe('issueServerCert', () => {
  it('carries a SAN per host, serverAuth, and is signed by the CA', () => {
    const leaf = issueServerCert(ca, ['localhost', '127.0.0.1', 'primary.internal']);
    const x = new X509Certificate(leaf.certPem);
    expect(x.ca).toBe(false);
    expect(x.verify(caX509.publicKey)).toBe(true);
    expect(x.checkIssued(caX509)).toBe(true);
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkHost('primary.internal')).toBe('primary.internal');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkHost('elsewhere.example')).toBeUndefined();
    expect(x.keyUsage).toContain(SERVER_AUTH);
    expect(x.keyUsage).not.toContain(CLIENT_AUTH);
    expect(Date.parse(x.validTo)).toBeLessThanOrEqual(Date.parse(caX509.validTo));
  });

  it('requires a host', () => {
    expect(() => issueServerCert(ca, [])).toThrow(/host/);
  });
});

describe('issueClientCert', () => {
  it('names the secondary in the CN, clientAuth only, signed by the CA', () => {
    const leaf = issueClientCert(ca, 'dr-secondary-1');
    const x = new X509Certificate(leaf.certPem);
    expect(commonNameOf(leaf.certPem)).toBe('dr-secondary-1');
    expect(x.verify(caX509.publicKey)).toBe(true);
    expect(x.keyUsage).toEqual([CLIENT_AUTH]);
    expect(leaf.serial).toBe(x.serialNumber.toLowerCase());
    expect(leaf.keyPem).not.toBe(ca.keyPem);
  });

  it('issues distinct random serials and keys, even for the same secondary', () => {
    const leaves = [issueClientCert(ca, 'same'), issueClientCert(ca, 'same'), issueClientCert(ca, 'other')];
    expect(new Set(leaves.map((l) => l.serial)).size).toBe(3);
    expect(new Set(leaves.map((l) => l.keyPem)).size).toBe(3);
    for (const l of leaves) expect(l.serial).toMatch(/^[4-7][0-9a-f]{31}$/);
  });

  it('is not accepted by a different CA', () => {
    const other = new X509Certificate(createReplicationCa('other').certPem);
    const x = new X509Certificate(issueClientCert(ca, 's').certPem);
    expect(x.verify(other.publicKey)).toBe(false);
  });
});

describe('certFingerprint', () => {
  it('is the stable sha256 of the DER, matching Node’s fingerprint256', () => {
    const leaf = issueClientCert(ca, 'fp');
    const fp = certFingerprint(leaf.certPem);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(certFingerprint(leaf.certPem)).toBe(fp);
    expect(fp).toBe(new X509Certificate(leaf.certPem).fingerprint256.replaceAll(':', '').toLowerCase());
    expect(certFingerprint(issueClientCert(ca, 'fp').certPem)).not.toBe(fp);
  });
});

describe('serverCertFits', () => {
  it('accepts a listener certificate from this CA naming the host; refuses another CA or another host (DR promotion reissues it)', () => {
    const leaf = issueServerCert(ca, ['127.0.0.1', 'localhost', 'dallas.internal']);
    expect(serverCertFits(ca, leaf, '127.0.0.1')).toBe(true);
    expect(serverCertFits(ca, leaf, 'dallas.internal')).toBe(true);
    expect(serverCertFits(ca, leaf, 'dallas-dr.internal')).toBe(false);
    expect(serverCertFits(ca, leaf, '10.0.0.9')).toBe(false);
    const other = createReplicationCa('other');
    expect(serverCertFits(other, leaf, '127.0.0.1')).toBe(false);
    expect(serverCertFits(ca, { ...leaf, certPem: 'garbage' }, '127.0.0.1')).toBe(false);
  });
});
