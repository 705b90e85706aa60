import type { Core, RequestGate } from '../core/core';
import type { Request, Response } from '../core/request';
import { badRequest, VaultError } from '../errors';
import type { ReadOnlyError } from '../storage/write-ownership';
import type { ForwardClient } from './forward';
import type { ReplicationManager } from './manager';

// What a secondary does with client requests, before any handler runs:
// a DR secondary answers only status, unseal and DR-operation paths; a
// performance secondary forwards writes to replicated state to its primary.
// The up-front route check saves a local attempt; the rule that cannot be
// bypassed is storage's: a write the node does not own throws ReadOnlyError,
// and forwardOnReadOnly sends that request on.
const DR_SECONDARY_ALLOWED = [
  /^sys\/(health|seal-status|unseal|init|leader)$/,
  // Monitoring watches every node (Vault serves sys/metrics on a DR secondary); the token check still applies.
  /^sys\/metrics$/,
  /^sys\/replication\/status$/,
  /^sys\/replication\/(dr|performance)\/status$/,
  /^sys\/replication\/dr\/secondary\/.+/,
];

export const drSecondaryAllows = (path: string) => DR_SECONDARY_ALLOWED.some((re) => re.test(path));

const WRITES = new Set(['create', 'update', 'delete', 'patch']);

/** Before authentication: a DR secondary refuses even the root token. */
export function drSecondaryGate(mgr: ReplicationManager): RequestGate {
  return (req) => {
    const m = mgr.store.mode('dr');
    if ((m === 'secondary' || m === 'bootstrapping') && !drSecondaryAllows(req.path))
      throw new VaultError('invalid_request', 'path disabled in replication DR secondary mode: this cluster is a DR secondary and serves no client requests until it is promoted');
    return null;
  };
}

/** Where a performance secondary sends a write: 'local', 'forward', or refuses it. */
export function routeOnPerfSecondary(core: Core, req: Request): 'local' | 'forward' {
  if (!WRITES.has(req.operation)) return 'local';
  const p = req.path;
  if (p.startsWith('sys/policy/') || p.startsWith('sys/policies/acl/')) return 'forward';
  const mountChange = /^sys\/(mounts|auth)\/(.+?)(\/tune)?$/.exec(p);
  if (mountChange) {
    const kind = mountChange[1] === 'mounts' ? 'secret' : 'auth';
    const existing = core.mounts.find(kind, mountChange[2].replace(/\/?$/, '/'));
    const local = existing ? existing.local : req.data.local === true || req.data.local === 'true';
    if (!local)
      throw badRequest('cannot change a replicated mount on a performance secondary: do it on the primary, or enable the mount here with local=true');
    return 'local';
  }
  if (p.startsWith('sys/') || p.startsWith('auth/token/')) return 'local';
  const r = core.mounts.route(p);
  if (!r || r.mount.entry.local || r.mount.entry.type === 'cubbyhole') return 'local';
  // Auth methods run here and let storage decide: besides logins, some keep
  // per-cluster state inside a replicated mount (AppRole's local_secret_ids,
  // Vault's LocalStorage paths); a write to replicated state is refused by
  // storage and forwarded by forwardOnReadOnly.
  if (r.mount.kind === 'auth') return 'local';
  return 'forward';
}

/** After authentication: forward replicated writes (the primary trusts the resolved caller). */
export function perfSecondaryGate(mgr: ReplicationManager, forwarder: ForwardClient): RequestGate {
  return (req) => {
    if (mgr.store.mode('performance') !== 'secondary' || !req.caller) return null;
    if (routeOnPerfSecondary(mgr.opts.core, req) === 'local') return null;
    return forwarder.forward(req);
  };
}

/**
 * A request whose handler hit a replicated write on a performance secondary
 * goes to the primary (Vault forwards on ErrReadOnly). A login goes too (an
 * AppRole secret-id's use is spent where it is stored), but comes back as the
 * method's unminted login: the token is minted here, where it is used.
 */
export function forwardOnReadOnly(mgr: ReplicationManager, forwarder: ForwardClient): (req: Request, err: ReadOnlyError) => Promise<Response> {
  return async (req, err) => {
    if (mgr.store.mode('performance') !== 'secondary') throw err;
    const r = mgr.opts.core.mounts.route(req.path);
    if (r?.mount.kind === 'auth' && r.rest.startsWith('login')) {
      mgr.logger.debug({ path: req.path }, 'login writes state owned by the primary: forwarding, minting here');
      return forwarder.forward(req, { login: true });
    }
    if (!req.caller) throw err;
    mgr.logger.debug({ path: req.path }, 'write owned by the primary: forwarding');
    return forwarder.forward(req);
  };
}
