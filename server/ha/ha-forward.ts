import http from 'node:http';
import https from 'node:https';
import type { Request, Response } from '../core/request';
import { VaultError } from '../errors';
import { FORWARDED_FOR_HEADER, FORWARDED_PROOF_HEADER, proveForwardedFor } from './forwarded-client';
import { newNodeProofNonce, nodeProofMatches, NODE_PROOF_PATH } from './node-proof';

// A standby sends what must run on the active over the active's API address
// (its leader_address), as the client sent it: same token (every node of the
// cluster holds the same tokens), same body. The active answers with the HA
// log seq its write reached (HA_INDEX_HEADER); the standby waits until it has
// applied that seq before answering, so the client reads its own write here.
// Nothing is half done: the active acknowledges only after etcd committed, and
// a forward that fails leaves the client an error, never a partial answer.
//
// Why not the cluster port (replication/forward.ts, ALPN req_fw_sb-act_v1):
// that link is authenticated by the performance-replication CA, which a
// cluster that is no replication primary does not have; HA nodes have no
// cluster certificates of their own yet.

/** Set by a standby on a forwarded request; the active answers it with HA_INDEX_HEADER. */
export const HA_FORWARDED_HEADER = 'x-coffer-ha-forwarded';
export const HA_INDEX_HEADER = 'x-coffer-ha-index';
/** As replication's read-your-writes wait: past it the answer goes out with a warning. */
export const HA_READ_YOUR_WRITES_WAIT_MS = 2_000;
const FORWARD_TIMEOUT_MS = 30_000;
/** Headers of the client's request that mean something to the active. */
const PASSED_HEADERS = ['x-vault-token', 'authorization', 'x-vault-wrap-ttl', 'x-vault-request', 'content-type', 'x-vault-policy-override'];

/** A list goes as GET ?list=true (Vault's other spelling of LIST): the active's listener rewrites LIST to it anyway, and the proof signs the target as the active sees it. */
const METHOD: Record<Request['operation'], string> = { read: 'GET', list: 'GET', create: 'POST', update: 'POST', delete: 'DELETE', patch: 'PATCH' };
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/**
 * The active refused the connection: the request never reached it, so sending
 * it to the next active cannot apply it twice (a reset or a timeout can have).
 */
export class ActiveUnreachableError extends VaultError {
  constructor(readonly target: ForwardTarget, cause: Error) {
    super('unavailable', `cannot forward the request to the active node ${target.nodeId} (${target.apiAddr}): ${cause.message}`, { cause });
    this.name = 'ActiveUnreachableError';
  }
}

export interface ForwardTarget {
  apiAddr: string;
  nodeId: string;
}

/** req.path is decoded: each segment is escaped again, or a `?`, `#`, `%` or backslash in a key would change the key the active writes. */
export function forwardedUrl(req: Pick<Request, 'path' | 'query' | 'operation'>, apiAddr: string): URL {
  const url = new URL(`/v1/${req.path.split('/').map(encodeURIComponent).join('/')}`, apiAddr);
  for (const [k, v] of Object.entries(req.query)) url.searchParams.set(k, v);
  if (req.operation === 'list') url.searchParams.set('list', 'true');
  return url;
}

/** `rootKey`: a copy of this node's root key, to prove the client's address to the active (forwarded-client.ts); it is zeroed after use. */
export async function forwardHttp(req: Request, to: ForwardTarget, from: string, waitApplied: (seq: number, timeoutMs: number) => Promise<boolean>, rootKey?: () => Buffer): Promise<Response> {
  const url = forwardedUrl(req, to.apiAddr);
  const method = METHOD[req.operation];
  const headers: Record<string, string> = { [HA_FORWARDED_HEADER]: from };
  for (const h of PASSED_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  if (!headers['x-vault-token'] && req.clientToken) headers['x-vault-token'] = req.clientToken;
  const reading = req.operation === 'read' || req.operation === 'list';
  const body = reading ? undefined : (req.rawBody ?? Buffer.from(JSON.stringify(req.data)));
  if (body && !headers['content-type']) headers['content-type'] = 'application/json';
  if (req.remoteAddr && rootKey) {
    const key = rootKey();
    try {
      headers[FORWARDED_FOR_HEADER] = req.remoteAddr;
      headers[FORWARDED_PROOF_HEADER] = proveForwardedFor(key, { clientAddr: req.remoteAddr, method, target: url.pathname + url.search, body });
    } finally {
      key.fill(0);
    }
  }
  if (rootKey) await ensureProven(to, rootKey);
  let answer: { status: number; index: number; text: string };
  try {
    answer = await sendTo(to, url, method, headers, body);
  } catch (err) {
    proven.delete(provenId(to)); // it may be another process at that address next time
    throw err;
  }
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = answer.text ? (JSON.parse(answer.text) as Record<string, unknown>) : null;
  } catch {
    parsed = { errors: [`the active node answered with something other than JSON (${answer.status})`] };
  }
  if (answer.status < 400 && answer.index > 0 && !(await waitApplied(answer.index, HA_READ_YOUR_WRITES_WAIT_MS)) && parsed) {
    parsed.warnings = [...((parsed.warnings as string[] | null) ?? []), 'The write was accepted by the active node but has not reached this standby yet; a read here may not see it.'];
  }
  if (parsed && 'request_id' in parsed) parsed.request_id = req.id;
  return { raw: { status: answer.status, body: answer.status === 204 ? null : parsed } };
}

/** When each address (with the node id it answered for) proved itself (node-proof.ts); asked again after PROVEN_FOR_MS or a failed forward. */
const proven = new Map<string, number>();
const PROVEN_FOR_MS = 5 * 60_000;
const provenId = (to: ForwardTarget) => `${to.nodeId} ${to.apiAddr}`;

/** Nothing, least of all a client's token, goes to an address before the node there proved it holds the cluster's root key. */
async function ensureProven(to: ForwardTarget, rootKey: () => Buffer): Promise<void> {
  if ((proven.get(provenId(to)) ?? 0) > Date.now()) return;
  const nonce = newNodeProofNonce();
  const url = new URL(`/v1/${NODE_PROOF_PATH}`, to.apiAddr);
  url.searchParams.set('nonce', nonce);
  const answer = await sendTo(to, url, 'GET', {}, undefined);
  let body: { node_id?: unknown; proof?: unknown } | null = null;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = null;
  }
  const key = rootKey();
  let ok: boolean;
  try {
    ok = answer.status === 200 && body?.node_id === to.nodeId && nodeProofMatches(key, nonce, to.nodeId, to.apiAddr, body?.proof);
  } finally {
    key.fill(0);
  }
  if (!ok) throw new VaultError('unavailable', `the active node named in etcd (${to.nodeId} at ${to.apiAddr}) did not prove it is a node of this cluster: nothing was forwarded to it`);
  proven.set(provenId(to), Date.now() + PROVEN_FOR_MS);
}

/** send(), its failures as the forward reports them (a refused connection: the request never reached the active). */
async function sendTo(to: ForwardTarget, url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined): Promise<{ status: number; index: number; text: string }> {
  try {
    return await send(url, method, headers, body);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') throw new ActiveUnreachableError(to, err as Error);
    throw new VaultError('unavailable', `cannot forward the request to the active node ${to.nodeId} (${to.apiAddr}): ${(err as Error).message}`);
  }
}

function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined): Promise<{ status: number; index: number; text: string }> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = mod.request(url, { method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers, agent: url.protocol === 'https:' ? agents.https : agents.http, timeout: FORWARD_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 500, index: Number(res.headers[HA_INDEX_HEADER] ?? 0) || 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error('the active node did not answer in time')));
    r.on('error', reject);
    r.end(body);
  });
}

/**
 * The active's side: a request a standby forwarded is answered with the HA log
 * seq committed when the answer goes out (every write of the request is in it:
 * the answer waits for storage's flush, which waits for etcd).
 */
export function stampHaIndex(req: { headers: Record<string, string | string[] | undefined> }, res: { writeHead: (...a: any[]) => unknown; setHeader(name: string, value: string): unknown }, committedIndex: () => number | null): void {
  if (req.headers[HA_FORWARDED_HEADER] === undefined) return;
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (...args: any[]) => {
    const seq = committedIndex();
    if (seq !== null) res.setHeader(HA_INDEX_HEADER, String(seq));
    return writeHead(...args);
  };
}
