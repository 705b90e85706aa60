import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:https';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { createTransport } from './transport';

// A self-signed HTTPS server: fetch alone would refuse it, so these cover the
// node:https path taken for -tls-skip-verify / COFFER_SKIP_VERIFY and VAULT_CACERT.
let server: Server;
let url: string;
let caFile: string;

function selfSigned(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3_600_000);
  const attrs = [{ name: 'commonName', value: '127.0.0.1' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
}

beforeAll(async () => {
  const { key, cert } = selfSigned();
  caFile = join(mkdtempSync(join(tmpdir(), 'coffer-tls-')), 'ca.pem');
  writeFileSync(caFile, cert);
  server = createServer({ key, cert }, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, token: req.headers['x-vault-token'] ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/sys/health`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('TLS options', () => {
  it('refuses an unknown certificate by default', async () => {
    await expect(createTransport({ skipVerify: false })({ method: 'GET', url, headers: {} })).rejects.toThrow(
      /^Get "https:\/\/127\.0\.0\.1:\d+\/v1\/sys\/health": /,
    );
  });

  it('accepts it with skip-verify', async () => {
    const res = await createTransport({ skipVerify: true })({ method: 'PUT', url, headers: { 'X-Vault-Token': 't' }, body: '{}' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ method: 'PUT', token: 't' });
  });

  it('accepts it when its CA file is given', async () => {
    const res = await createTransport({ skipVerify: false, caCertPath: caFile })({ method: 'GET', url, headers: {} });
    expect(res.status).toBe(200);
  });
});
