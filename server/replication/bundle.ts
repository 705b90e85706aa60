import { createPrivateKey, X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { badRequest } from '../errors';
import type { SecondaryBundle } from './state';

// The activation bundle: what unwrapping a secondary token at the primary
// returns. Keys as seed 002 shows them (ca_cert and client_cert as base64 DER;
// client_key as an object — RSA here, where Vault's is a P-521 EC key).
export interface BundleData {
  ca_cert: string;
  client_cert: string;
  client_key: { type: 'rsa'; pkcs8: string };
  cluster_id: string;
  encrypted_client_key: null;
  id: string;
  mode: number;
  nonce: null;
  primary_cluster_addr: string;
  primary_api_addr: string;
  primary_public_key: null;
}

export const pemToDerB64 = (pem: string) => new X509Certificate(pem).raw.toString('base64');
const keyToDerB64 = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }).toString('base64');
const wrapPem = (label: string, b64: string) => `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

export function bundleData(input: {
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  clusterId: string;
  id: string;
  mode: number;
  primaryClusterAddr: string;
  primaryApiAddr: string;
}): BundleData {
  return {
    ca_cert: pemToDerB64(input.caPem),
    client_cert: pemToDerB64(input.clientCertPem),
    client_key: { type: 'rsa', pkcs8: keyToDerB64(input.clientKeyPem) },
    cluster_id: input.clusterId,
    encrypted_client_key: null,
    id: input.id,
    mode: input.mode,
    nonce: null,
    primary_cluster_addr: input.primaryClusterAddr,
    primary_api_addr: input.primaryApiAddr,
    primary_public_key: null,
  };
}

export function bundleFromData(d: BundleData): SecondaryBundle {
  if (!d?.ca_cert || !d.client_cert || !d.client_key?.pkcs8) throw badRequest('activation token did not unwrap to a replication bundle');
  return { caCert: wrapPem('CERTIFICATE', d.ca_cert), clientCert: wrapPem('CERTIFICATE', d.client_cert), clientKey: wrapPem('PRIVATE KEY', d.client_key.pkcs8) };
}

/** CA certificates for the unwrap call: ca_file, every file in ca_path, else the system roots. */
function caFrom(caFile?: string, caPath?: string): string[] | undefined {
  const out: string[] = [];
  try {
    if (caFile) out.push(readFileSync(caFile, 'utf8'));
    if (caPath) for (const f of readdirSync(caPath)) out.push(readFileSync(join(caPath, f), 'utf8'));
  } catch (err) {
    throw badRequest(`cannot read CA for the primary's API: ${(err as Error).message}`);
  }
  return out.length ? out : undefined;
}

/**
 * How long the unwrap may go quiet. The primary mints this secondary's key and
 * certificate while it answers: on a loaded machine (a DR drill's fail back,
 * several clusters on two cores) that took longer than the 10 s this was.
 */
const UNWRAP_TIMEOUT_MS = 60_000;

/** Redeem the activation token at the primary's API (sys/wrapping/unwrap). */
export async function unwrapAtPrimary(apiAddr: string, token: string, opts: { caFile?: string; caPath?: string } = {}): Promise<BundleData> {
  let url: URL;
  try {
    url = new URL('/v1/sys/wrapping/unwrap', apiAddr);
  } catch {
    throw badRequest(`invalid primary API address "${apiAddr}"`);
  }
  const body = JSON.stringify({ token });
  const ca = caFrom(opts.caFile, opts.caPath);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }, ca, timeout: UNWRAP_TIMEOUT_MS }, (res) => {
      let t = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t }));
    });
    r.on('timeout', () => r.destroy(new Error('timed out')));
    r.on('error', reject);
    r.end(body);
  }).catch((err: Error) => {
    throw badRequest(`error unwrapping secondary token at ${apiAddr}: ${err.message}`);
  });
  let parsed: { data?: BundleData; errors?: string[] };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest(`error unwrapping secondary token at ${apiAddr}: HTTP ${status} with a non-JSON body`);
  }
  if (status !== 200 || !parsed.data) throw badRequest(`error unwrapping secondary token: ${parsed.errors?.join('; ') || `HTTP ${status}`}`);
  return parsed.data;
}
