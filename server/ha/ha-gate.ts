import type { Core, CoreWiring, RequestGate } from '../core/core';
import type { Request, Response } from '../core/request';
import type { ReadOnlyError } from '../storage/write-ownership';
import { VaultError } from '../errors';
import { HA_FORWARDED_HEADER } from './ha-forward';
import type { HaSlot, HaView } from './ha-slot';

// What a standby does with a request (Vault Enterprise performance standbys):
// reads run here, on its own copy; writes, and the few reads that write (a
// token with a use limit), go to the active whole, before this node spends
// anything on them. Storage has the last word: a handler that still hits a
// write here (storage refuses it on a standby) is forwarded too.

const WRITES = new Set(['create', 'update', 'delete', 'patch']);
/**
 * Writes that belong to this node, not the cluster: its own unseal (each node is
 * unsealed on its own), init (run under a leadership of its own: ha-runtime),
 * and integrated storage's membership calls (a node joins from itself).
 */
const NODE_LOCAL = /^sys\/(unseal|init|storage\/raft\/(join|bootstrap)\b.*)$/;
/**
 * Vault refuses sys/seal on a standby, before looking at the token, and does
 * not forward it: it once did, and operators found their active sealed when
 * they meant a standby (vault/core.go sealInitCommon; hashicorp/vault#6161).
 */
export const STANDBY_SEAL_MESSAGE = 'vault cannot seal when in standby mode; please restart instead';
/**
 * A request another node forwarded here, believing this node active: it is
 * answered here or refused, never sent on (Vault forwards once). The sender's
 * view of the active was stale; the client retries once the view settles.
 */
export const SECOND_HOP_MESSAGE = 'this node is not the active node and does not forward a request another node forwarded to it (that node\'s view of the active node is stale); retry the request';
/** How long a request that reached a node becoming active waits for it to finish taking over. */
export const PROMOTION_WAIT_MS = 10_000;

/** What even a plain standby (disable_performance_standby) answers itself: its own state. */
const NODE_STATUS = /^sys\/(health|seal-status|leader|ha-status|ha\/node-proof|metrics|host-info|replication\/status|replication\/(dr|performance)\/status)$/;

export function mustRunOnActive(core: Core, req: Request, performanceStandby = true): boolean {
  if (NODE_LOCAL.test(req.path)) return false;
  // A plain standby serves no client requests of its own: everything but its status goes to the active (Vault without performance standbys).
  if (!performanceStandby) return !NODE_STATUS.test(req.path);
  if (WRITES.has(req.operation)) return true;
  if (req.path === 'sys/step-down') return true;
  // Wrapping an answer stores it (a token and its cubbyhole): a wrapped read is a write.
  if (req.wrapTtl) return true;
  // Each use of a limited token is a write: spend it where writes happen.
  const entry = req.clientToken ? core.tokens.lookup(req.clientToken) : null;
  return Boolean(entry && entry.numUses > 0);
}

/** Runs before the token is looked up, so a forwarded request costs the standby nothing. */
export function haStandbyGate(core: Core, slot: HaSlot): RequestGate {
  const onNode = async (req: Request): Promise<Response | null> => {
    let rt = slot.runtime;
    if (!rt || core.barrier.sealed) return null;
    if (rt.role === 'promoting' && mustRunOnActive(core, req, slot.performanceStandby)) await rt.settled(PROMOTION_WAIT_MS);
    rt = slot.runtime;
    if (rt?.role === 'standby' && req.path === 'sys/seal') throw new VaultError('internal', STANDBY_SEAL_MESSAGE);
    if (!rt || rt.role !== 'standby' || !mustRunOnActive(core, req, slot.performanceStandby)) return null;
    return forwardOnce(rt, req); // null: this node took over meanwhile, so it runs the request itself
  };
  // On an active node (or a single node) nothing is pending: answer synchronously.
  return (req) => (!slot.runtime || core.barrier.sealed || slot.runtime.role === 'active' ? null : onNode(req));
}

/** Sends the request to the active unless a node already did: a second hop is a 503 the client retries. */
function forwardOnce(rt: HaView, req: Request): Promise<Response | null> {
  if (req.headers[HA_FORWARDED_HEADER] !== undefined) throw new VaultError('unavailable', SECOND_HOP_MESSAGE);
  return rt.forward(req);
}

/** A handler on a standby hit a write storage refused: the whole request goes to the active. */
export function haOnReadOnly(slot: HaSlot, next: CoreWiring['onReadOnly']): (req: Request, err: ReadOnlyError) => Promise<Response> {
  return async (req, err) => {
    const rt = slot.runtime;
    if (rt && rt.role === 'standby') {
      const res = await forwardOnce(rt, req);
      // Took over while the handler ran: the local attempt was refused and undone; the client retries here.
      if (!res) throw new VaultError('unavailable', 'this node became the active node while the request was being forwarded; retry it');
      return res;
    }
    if (next) return next(req, err);
    throw err;
  };
}

/** The node's wiring with HA's standby behaviour added (inert while the slot is empty). */
export function withHa(core: Core, slot: HaSlot, wiring: CoreWiring): CoreWiring {
  return {
    ...wiring,
    preAuthGates: [...(wiring.preAuthGates ?? []), haStandbyGate(core, slot)],
    onReadOnly: haOnReadOnly(slot, wiring.onReadOnly),
  };
}
