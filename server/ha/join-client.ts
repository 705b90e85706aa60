import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { RetryJoinConfig } from '../config-raft';

// The joining node's side of the wire to a leader's API (its
// sys/storage/raft/bootstrap/* paths), over the leader's own API listener, with
// the TLS material a retry_join stanza or `raft join` gives: a CA to trust and
// optionally a client certificate (Vault's leader_ca_cert / leader_client_*).

export const JOIN_CALL_TIMEOUT_MS = 10_000;
/** The leader's answer is small; a larger one is not a Coffer leader. */
const MAX_ANSWER_BYTES = 256 * 1024;

export interface LeaderTarget {
  apiAddr: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  serverName?: string;
}

export class JoinCallError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'JoinCallError';
  }
}

/** A retry_join stanza as a target; *_file settings are read now, at join time (as Vault does). */
export function leaderTargetFrom(c: RetryJoinConfig): LeaderTarget {
  const file = (p: string | undefined) => (p ? readFileSync(p, 'utf8') : undefined);
  const t: LeaderTarget = { apiAddr: c.leaderApiAddr };
  const ca = c.leaderCaCert ?? file(c.leaderCaCertFile);
  const cert = c.leaderClientCert ?? file(c.leaderClientCertFile);
  const key = c.leaderClientKey ?? file(c.leaderClientKeyFile);
  if (ca) t.caPem = ca;
  if (cert) t.certPem = cert;
  if (key) t.keyPem = key;
  if (c.leaderTlsServerName) t.serverName = c.leaderTlsServerName;
  return t;
}

/** POST /v1/<path> on the leader; the parsed JSON answer, or a JoinCallError carrying Vault's `errors`. */
export function postLeader<T>(t: LeaderTarget, path: string, body: unknown, timeoutMs = JOIN_CALL_TIMEOUT_MS): Promise<T> {
  const url = new URL(`/v1/${path}`, t.apiAddr.endsWith('/') ? t.apiAddr : `${t.apiAddr}/`);
  const payload = JSON.stringify(body);
  const options: https.RequestOptions = { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, agent: false, timeout: timeoutMs };
  if (url.protocol === 'https:') Object.assign(options, { ca: t.caPem, cert: t.certPem, key: t.keyPem, servername: t.serverName });
  return new Promise<T>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) req.destroy(new JoinCallError(`${t.apiAddr}: answer larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: { errors?: string[] } & Record<string, unknown>;
        try {
          parsed = JSON.parse(text);
        } catch {
          return reject(new JoinCallError(`${t.apiAddr} answered HTTP ${res.statusCode} without JSON`, res.statusCode));
        }
        if (res.statusCode !== 200) return reject(new JoinCallError(`${t.apiAddr}: ${parsed.errors?.join('; ') || `HTTP ${res.statusCode}`}`, res.statusCode));
        resolve(parsed as T);
      });
      res.on('error', (e) => reject(new JoinCallError(`${t.apiAddr}: ${e.message}`)));
    });
    req.on('timeout', () => req.destroy(new JoinCallError(`${t.apiAddr}: no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(e instanceof JoinCallError ? e : new JoinCallError(`${t.apiAddr}: ${e.message}`)));
    req.end(payload);
  });
}
