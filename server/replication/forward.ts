import { randomUUID } from 'node:crypto';
import type { Core } from '../core/core';
import { envelope } from '../core/envelope';
import type { AuthResult, Operation, Request, Response } from '../core/request';
import { VaultError } from '../errors';
import { FrameQueue } from './frame-queue';
import { FrameError, type FrameOf } from './frames';
import type { ReplicationManager } from './manager';
import { ALPN, dialCluster, type FrameConnection } from './transport';

// Request forwarding from a performance secondary to its primary over the
// cluster port (ALPN req_fw_sb-act_v1). The client's token is local to the
// secondary, so the request carries the auth the secondary already resolved;
// the primary trusts it because the connection is mutually authenticated.
// The secondary answers only once it has applied the write (read-your-writes),
// or after READ_YOUR_WRITES_WAIT_MS with a warning, as Vault does.
export const READ_YOUR_WRITES_WAIT_MS = 2_000;
/** Headers only the secondary sets on a forwarded request (the cluster link is mutually authenticated). */
const FORWARDED_FOR = 'x-forwarded-for';
const FORWARDED_LOGIN = 'x-coffer-forwarded-login';
const FORWARD_TIMEOUT_MS = 30_000;

export class ForwardClient {
  private conn: Promise<FrameConnection> | null = null;
  private connTarget = '';
  /** Requests awaiting an answer, with the connection they went out on (a re-point may leave an old one closing). */
  private readonly pending = new Map<string, { conn: FrameConnection; resolve: (f: FrameOf<'forward-response'>) => void }>();

  constructor(private readonly mgr: ReplicationManager) {}

  private connect(): Promise<FrameConnection> {
    const bundle = this.mgr.store.bundle('performance');
    const addr = this.mgr.state('performance').primaryClusterAddrInUse;
    // After update-primary (another address, or a new certificate) the cached link leads to the old primary.
    const target = `${addr}\n${bundle?.clientCert ?? ''}`;
    if (this.conn && target !== this.connTarget) this.close();
    if (this.conn) return this.conn;
    if (!bundle) throw new VaultError('internal', 'performance secondary has no activation bundle');
    this.connTarget = target;
    const p = dialCluster({
      addr,
      caPem: bundle.caCert,
      certPem: bundle.clientCert,
      keyPem: bundle.clientKey,
      alpn: ALPN.forward,
      timeoutMs: 5_000,
    }).then((c) => {
      c.onFrame((f) => {
        if (f.type !== 'forward-response') return;
        this.pending.get(f.id)?.resolve(f);
        this.pending.delete(f.id);
      });
      c.onClose(() => {
        if (this.conn === p) this.conn = null;
        for (const [id, w] of this.pending) {
          if (w.conn !== c) continue;
          this.pending.delete(id);
          w.resolve({ type: 'forward-response', id, status: 503, headers: {}, body: JSON.stringify({ errors: ['connection to the primary was lost while forwarding'] }), index: 0 });
        }
      });
      return c;
    });
    this.conn = p;
    p.catch(() => {
      if (this.conn === p) this.conn = null;
    });
    return p;
  }

  /**
   * Send a request to the primary. A `login` (an auth method that had to write
   * replicated state) is run there with no caller and answered unminted: the
   * core mints its token here, where the client will use it.
   */
  async forward(req: Request, opts: { login?: boolean } = {}): Promise<Response> {
    let conn: FrameConnection;
    try {
      conn = await this.connect();
    } catch (err) {
      throw new VaultError('internal', `cannot forward the request to the primary: ${(err as Error).message}`);
    }
    const id = randomUUID();
    const reply = new Promise<FrameOf<'forward-response'>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VaultError('internal', 'the primary did not answer the forwarded request in time'));
      }, FORWARD_TIMEOUT_MS);
      this.pending.set(id, { conn, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
    const c = req.caller;
    const headers: Record<string, string> = {};
    if (req.wrapTtl) headers['x-vault-wrap-ttl'] = String(req.wrapTtl);
    // The client's address, for methods that bind logins to CIDRs (AppRole).
    if (req.remoteAddr) headers[FORWARDED_FOR] = req.remoteAddr;
    if (opts.login) headers[FORWARDED_LOGIN] = '1';
    try {
      await conn.send({
        type: 'forward-request',
        id,
        method: req.operation,
        path: req.path,
        headers,
        body: JSON.stringify(req.data),
        auth: c ? { policies: c.policies, displayName: c.displayName, entityId: c.entityId } : null,
      });
    } catch (err) {
      this.pending.get(id)?.resolve({ type: 'forward-response', id, status: 0, headers: {}, body: null, index: 0 }); // settles the timer
      this.pending.delete(id);
      // A frame over the limit (frames.ts) is the request's size, not a broken link.
      if (err instanceof FrameError) throw new VaultError('too_large', `request too large to forward to the primary: ${err.message}`);
      throw new VaultError('internal', `cannot forward the request to the primary: ${(err as Error).message}`);
    }
    const f = await reply;
    const body = f.body ? (JSON.parse(f.body) as Record<string, unknown>) : null;
    if (f.status < 300 && f.index > 0) {
      const applied = await this.mgr.runners.performance?.waitForIndex(f.index, READ_YOUR_WRITES_WAIT_MS);
      if (!applied && body) body.warnings = [...((body.warnings as string[]) ?? []), 'The write was accepted by the primary but has not replicated to this secondary yet; a read here may not see it.'];
    }
    if (opts.login && f.status === 200 && body?.login) return { login: body.login as AuthResult };
    if (body && 'request_id' in body) body.request_id = req.id;
    return { raw: { status: f.status, body: f.status === 204 ? null : body } };
  }

  close(): void {
    void this.conn?.then((c) => c.destroy()).catch(() => {});
    this.conn = null;
  }
}

/** The primary's side: run forwarded requests through the core as the secondary's resolved caller. */
export function serveForwarding(core: Core, conn: FrameConnection): void {
  const q = new FrameQueue(conn);
  void (async () => {
    for (;;) {
      let f;
      try {
        f = await q.next();
      } catch {
        return;
      }
      if (f.type !== 'forward-request') continue;
      void answer(core, conn, f);
    }
  })();
}

async function answer(core: Core, conn: FrameConnection, f: FrameOf<'forward-request'>): Promise<void> {
  const policies = f.auth?.policies ?? [];
  const forwardedLogin = f.headers[FORWARDED_LOGIN] === '1';
  const req: Request = {
    id: randomUUID(),
    operation: f.method as Operation,
    path: f.path,
    data: f.body ? JSON.parse(f.body) : {},
    query: {},
    clientToken: '',
    headers: {},
    wrapTtl: f.headers['x-vault-wrap-ttl'] ? Number(f.headers['x-vault-wrap-ttl']) : undefined,
    remoteAddr: f.headers[FORWARDED_FOR],
    forwardedLogin,
    caller: f.auth
      ? { tokenId: '', accessor: '', policies, displayName: String(f.auth.displayName ?? ''), entityId: String(f.auth.entityId ?? ''), root: policies.includes('root'), tokenType: 'service' }
      : undefined,
  };
  let status = 200;
  let body: unknown = null;
  try {
    const out = await core.handle(req);
    await core.physical.flushed();
    if (out.raw) ({ status, body } = out.raw);
    else if (forwardedLogin && out.login) body = { login: out.login };
    else {
      status = out.status ?? 200;
      const empty = !out.data && !out.auth && !out.wrapInfo && !out.warnings?.length;
      if (status === 404 && !out.data) body = { errors: [] };
      else if (status === 204 || (status === 200 && empty)) status = 204;
      else body = envelope(req, out);
    }
  } catch (err) {
    status = err instanceof VaultError ? err.status : 500;
    body = { errors: [err instanceof VaultError ? err.message : 'internal error'] };
  }
  const index = core.physical.committedIndex;
  await conn.send({ type: 'forward-response', id: f.id, status, headers: {}, body: body === null ? null : JSON.stringify(body), index }).catch((err) =>
    // A response too large for one frame still gets an answer, not a 30 s timeout on the secondary.
    err instanceof FrameError
      ? conn.send({ type: 'forward-response', id: f.id, status: 500, headers: {}, body: JSON.stringify({ errors: [`response too large to forward from the primary: ${err.message}`] }), index }).catch(() => {})
      : undefined,
  );
}
