import type { Response } from '../core/request';
import { badRequest } from '../errors';
import type { ReplicationManager } from './manager';
import { KIND } from './mode-transitions';
import type { Mode, SecondaryBundle } from './state';
import { dialPrimary } from './dial-primary';
import { parseClusterAddr } from './transport';

// update-primary with `update_primary_addrs` (Vault: "a lighter weight version
// of specifying a token"): ping the addresses in order with this secondary's
// own credentials — the bundle of its last activation — and follow the first
// that accepts them. Only a primary that knows this secondary's certificate
// accepts it: the same primary at a new address, or a promoted DR secondary of
// it, which mirrors its replication set (performance-set.ts). No token, no wipe.
export const PING_TIMEOUT_MS = 5_000;
const MAX_ADDRS = 16;

/**
 * The addresses asked for, or [] when the call names none. Vault takes a list;
 * a comma-separated string (the CLI's `update_primary_addrs=a,b`) works too.
 * Naming both a token and addresses is refused, as Vault documents.
 */
export function updatePrimaryAddrs(data: Record<string, unknown>): string[] {
  const raw = data.update_primary_addrs;
  if (raw === undefined || raw === null || raw === '') return [];
  const list = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) throw badRequest("'update_primary_addrs' must be a list of cluster addresses");
  const addrs = (list as string[]).map((a) => a.trim()).filter(Boolean);
  if (!addrs.length) return [];
  if (typeof data.token === 'string' && data.token.trim() !== '')
    throw badRequest("'token' and 'update_primary_addrs' are mutually exclusive: give one of them");
  if (addrs.length > MAX_ADDRS) throw badRequest(`'update_primary_addrs' takes at most ${MAX_ADDRS} addresses`);
  for (const a of addrs) {
    try {
      parseClusterAddr(a);
    } catch {
      throw badRequest(`invalid cluster address in 'update_primary_addrs': ${JSON.stringify(a)}`);
    }
  }
  return addrs;
}

/** Ping each address in order; the first primary that accepts this secondary's certificate, or why none did. */
export async function firstAcceptingPrimary(m: Mode, bundle: SecondaryBundle, addrs: string[]): Promise<{ addr: string } | { failures: string[] }> {
  const failures: string[] = [];
  for (const addr of addrs) {
    try {
      const conn = await dialPrimary(addr, m, bundle, PING_TIMEOUT_MS);
      conn.destroy();
      return { addr };
    } catch (err) {
      failures.push(`${addr}: ${(err as Error).message}`);
    }
  }
  return { failures };
}

/** update-primary by address: follow the first of `addrs` whose primary accepts this secondary. Nothing changes if none does. */
export async function repointByAddrs(mgr: ReplicationManager, m: Mode, addrs: string[]): Promise<Response> {
  const bundle = mgr.store.bundle(m);
  if (!bundle)
    throw badRequest(
      `this ${KIND[m]} secondary holds no credentials from an earlier activation (a demoted primary has none): use 'token' with an activation token from the new primary`,
    );
  const found = await firstAcceptingPrimary(m, bundle, addrs);
  if ('failures' in found) throw badRequest(`no primary in 'update_primary_addrs' accepted this secondary: ${found.failures.join('; ')}`);
  await mgr.stopSecondary(m);
  // Its API address comes with the primary's hello-ack.
  mgr.transition(m, { type: 'update-primary', secondaryId: mgr.state(m).secondaryId, primaryApiAddr: '', primaryClusterAddr: found.addr });
  await mgr.opts.physical.flushed();
  mgr.startSecondary(m);
  mgr.logger.info({ mode: m, primary: found.addr }, 're-pointed by update_primary_addrs');
  return { warnings: [`This secondary now follows the primary at ${found.addr}; no data was wiped.`] };
}
