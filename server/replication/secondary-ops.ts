import { KEYRING_PATH, SEAL_CONFIG_PATH } from '../barrier/barrier';
import type { Response } from '../core/request';
import { badRequest } from '../errors';
import { decodeActivationClaims, looksLikeJwt } from './activation-token';
import { bundleFromData, unwrapAtPrimary, type BundleData } from './bundle';
import { BUNDLE_MODE } from './context';
import type { ReplicationManager } from './manager';
import { KIND } from './primary-ops';
import { emptyState, type Mode } from './state';

// sys/replication/<mode>/secondary/*: enable (wipe + adopt the primary),
// disable, update-primary, promote.
const KEEP_ON_WIPE = (key: string) => key.startsWith('core/replication/') || key === KEYRING_PATH || key === SEAL_CONFIG_PATH;
const WIPE_CHUNK = 2_000;

interface TokenInput {
  token: string;
  apiAddr: string;
  caFile?: string;
  caPath?: string;
}

function tokenInput(m: Mode, data: Record<string, unknown>): TokenInput {
  const token = data.token;
  if (typeof token !== 'string' || !token.trim()) throw badRequest("'token' is required: the secondary activation token from the primary");
  if (!looksLikeJwt(token.trim())) throw badRequest('invalid activation token: not a JWT');
  const claims = decodeActivationClaims(token.trim());
  if (!claims || claims.type !== 'wrapping' || !claims.jti) throw badRequest('invalid activation token: missing wrapping claims');
  if (claims.mode && claims.mode !== m) throw badRequest(`this activation token is for ${KIND[claims.mode as Mode] ?? claims.mode} replication, not ${KIND[m]}`);
  if (claims.exp && claims.exp * 1000 < Date.now()) throw badRequest('invalid activation token: it has expired');
  for (const f of ['primary_api_addr', 'ca_file', 'ca_path'])
    if (data[f] !== undefined && typeof data[f] !== 'string') throw badRequest(`'${f}' must be a string`);
  const apiAddr = (data.primary_api_addr as string) || claims.addr || '';
  if (!apiAddr) throw badRequest('the activation token carries no primary address: set primary_api_addr');
  return { token: token.trim(), apiAddr, caFile: (data.ca_file as string) || undefined, caPath: (data.ca_path as string) || undefined };
}

async function redeem(m: Mode, input: TokenInput): Promise<BundleData> {
  const bundle = await unwrapAtPrimary(input.apiAddr, input.token, { caFile: input.caFile, caPath: input.caPath });
  if (bundle.mode !== BUNDLE_MODE[m]) throw badRequest(`the activation token is not for ${KIND[m]} replication`);
  return bundle;
}

/** Delete everything but the keyring, seal config and this node's replication state. Deletes are logged, so a downstream DR secondary follows. */
async function wipe(mgr: ReplicationManager): Promise<number> {
  const { physical, core } = mgr.opts;
  const keys = physical.keysUnder('').filter((k) => !KEEP_ON_WIPE(k));
  for (let i = 0; i < keys.length; i += WIPE_CHUNK) {
    physical.transaction(keys.slice(i, i + WIPE_CHUNK).map((key) => ({ op: 'delete' as const, key })));
    await physical.flushed();
  }
  core.tokens.reset();
  core.mounts.load();
  return keys.length;
}

export async function enableSecondary(mgr: ReplicationManager, m: Mode, data: Record<string, unknown>): Promise<Response> {
  const s = mgr.state(m);
  if (s.mode !== 'disabled') throw badRequest(`this cluster is already a ${KIND[m]} ${s.mode}; disable it first, or use update-primary`);
  if (m === 'dr' && mgr.state('performance').mode !== 'disabled')
    throw badRequest('When running as a DR secondary Coffer is read only, so no other replication mode may run at the same time: disable performance replication first.');
  if (m === 'performance' && mgr.state('dr').mode === 'secondary') throw badRequest('a DR secondary cannot run performance replication');
  const input = tokenInput(m, data);
  const bundle = await redeem(m, input); // nothing is wiped unless the token redeems
  const wiped = await wipe(mgr);
  mgr.store.saveBundle(m, bundleFromData(bundle));
  mgr.opts.physical.transaction([mgr.store.positionOp(m, { index: 0, guard: '' })]);
  mgr.save(m, {
    ...emptyState(),
    mode: 'bootstrapping',
    clusterId: bundle.cluster_id,
    secondaryId: bundle.id,
    primaryApiAddr: input.apiAddr,
    primaryClusterAddrInUse: bundle.primary_cluster_addr,
  });
  await mgr.opts.physical.flushed();
  mgr.startSecondary(m);
  mgr.logger.warn({ mode: m, wiped, primary: input.apiAddr }, 'enabled as replication secondary: local data wiped');
  return {
    warnings: [
      `This cluster's storage (${wiped} entries) has been wiped and it is now a ${KIND[m]} secondary of ${input.apiAddr}. Setup and the initial sync will make it unavailable for a while. Unseal it with the primary's unseal keys from now on.`,
    ],
  };
}

export async function disableSecondary(mgr: ReplicationManager, m: Mode): Promise<Response> {
  const s = mgr.state(m);
  if (s.mode !== 'secondary' && s.mode !== 'bootstrapping') throw badRequest(`this cluster is not a ${KIND[m]} secondary`);
  await mgr.stopSecondary(m);
  mgr.store.saveBundle(m, null);
  mgr.save(m, emptyState());
  return { warnings: ['Replication is disabled on this secondary. Its data stays; enabling it as a secondary again wipes it.'] };
}

export async function updatePrimary(mgr: ReplicationManager, m: Mode, data: Record<string, unknown>): Promise<Response> {
  const s = mgr.state(m);
  if (s.mode !== 'secondary') throw badRequest(`this cluster is not a ${KIND[m]} secondary`);
  if (data.token === '' || data.token === undefined) {
    await mgr.stopSecondary(m);
    mgr.save(m, { ...s, primaryClusterAddrInUse: '', primaryApiAddr: '' });
    return { warnings: ['This secondary no longer follows any primary.'] };
  }
  const input = tokenInput(m, data);
  const bundle = await redeem(m, input);
  if (bundle.cluster_id !== s.clusterId)
    throw badRequest(`the token is for replication set ${bundle.cluster_id}, this secondary belongs to ${s.clusterId}: disable and enable it instead (that wipes it)`);
  await mgr.stopSecondary(m);
  mgr.store.saveBundle(m, bundleFromData(bundle));
  mgr.save(m, { ...mgr.state(m), secondaryId: bundle.id, primaryApiAddr: input.apiAddr, primaryClusterAddrInUse: bundle.primary_cluster_addr, lastError: '' });
  await mgr.opts.physical.flushed();
  mgr.startSecondary(m);
  return { warnings: [`This secondary now follows ${input.apiAddr}; no data was wiped.`] };
}

export async function promoteSecondary(mgr: ReplicationManager, m: Mode, data: Record<string, unknown>, ensureCredentials: () => Promise<void>): Promise<Response> {
  const s = mgr.state(m);
  if (s.mode !== 'secondary') throw badRequest(`this cluster is not a ${KIND[m]} secondary`);
  const addr = data.primary_cluster_addr ?? '';
  if (typeof addr !== 'string') throw badRequest("'primary_cluster_addr' must be a string");
  await mgr.stopSecondary(m);
  await ensureCredentials();
  mgr.save(m, {
    ...s,
    mode: 'primary',
    epoch: Math.max(1, s.epoch) + 1,
    primaryClusterAddr: addr,
    secondaries: [],
    primaryClusterAddrInUse: '',
    primaryApiAddr: '',
    promotedAt: new Date().toISOString(),
    formerPrimaryApiAddr: s.primaryApiAddr,
    stalePrimaryWarning: '',
    lastError: '',
  });
  mgr.store.saveBundle(m, null);
  await mgr.ensureListener();
  mgr.logger.warn({ mode: m, epoch: mgr.state(m).epoch }, 'promoted to replication primary');
  return { warnings: ['This cluster is being promoted to a replication primary. Vault will be unavailable for a brief period and will resume service shortly.'] };
}
