import { randomBytes } from 'node:crypto';
import { KEYRING_PATH, SEAL_CONFIG_PATH } from '../barrier/barrier';
import { LEGACY_LOCAL_SEAL_PATH, LOCAL_SEAL_PATH } from '../barrier/local-seal';
import type { Response } from '../core/request';
import { badRequest } from '../errors';
import { classOf } from '../storage/key-class';
import { FENCE_PREFIX } from '../storage/write-fence';
import { decodeActivationClaims, looksLikeJwt } from './activation-token';
import { bundleFromData, unwrapAtPrimary, type BundleData } from './bundle';
import { BUNDLE_MODE } from './context';
import type { ReplicationManager } from './manager';
import { tellFormerPrimarySoon } from './fencing';
import { KIND, requireAllowed } from './mode-transitions';
import { adoptSetCredentials, takeOverSet } from './set-takeover';
import type { Mode } from './state';
import { repointByAddrs, updatePrimaryAddrs } from './update-primary-addrs';

// sys/replication/<mode>/secondary/*: enable (wipe + adopt the primary),
// disable, update-primary, promote.
// This node's own replication state is kept; what it mirrors of another cluster's role (class `local`: a DR primary's performance set) is data like any other.
// So is the write fence of a set it leads (a DR primary becoming a performance secondary).
// The keys, and this cluster's seal (local-seal.ts), stay until the bootstrap replaces them: killed before, it unseals with its own keys.
const KEEP_ON_WIPE = (key: string) =>
  (key.startsWith('core/replication/') && classOf(key) === 'ignored') ||
  key.startsWith(FENCE_PREFIX) ||
  key === KEYRING_PATH ||
  key === SEAL_CONFIG_PATH ||
  key === LOCAL_SEAL_PATH ||
  key === LEGACY_LOCAL_SEAL_PATH;
/** Bytes of the nonce a bootstrapping secondary claims the root key with (root-key-claim.ts). */
const BOOTSTRAP_NONCE_BYTES = 32;

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

export async function enableSecondary(mgr: ReplicationManager, m: Mode, data: Record<string, unknown>): Promise<Response> {
  requireAllowed(KIND[m], mgr.state(m), 'enable-secondary');
  if (m === 'dr' && mgr.state('performance').mode !== 'disabled')
    throw badRequest('When running as a DR secondary Coffer is read only, so no other replication mode may run at the same time: disable performance replication first.');
  if (m === 'performance' && mgr.state('dr').mode === 'secondary') throw badRequest('a DR secondary cannot run performance replication');
  const input = tokenInput(m, data);
  const bundle = await redeem(m, input); // nothing is wiped unless the token redeems
  mgr.crash('enable-redeemed');
  const { physical, core } = mgr.opts;
  // The wipe (deletes are logged, so a downstream DR secondary follows), the
  // bundle, the nonce, the state (and, by transition(), no position) commit together: killed
  // anywhere, the node is either as before (disabled, data intact) or wiped
  // and bootstrapping — never half-wiped, never without its bundle.
  const doomed = physical.keysUnder('').filter((k) => !KEEP_ON_WIPE(k));
  mgr.transition(
    m,
    { type: 'enable-secondary', clusterId: bundle.cluster_id, secondaryId: bundle.id, primaryApiAddr: input.apiAddr, primaryClusterAddr: bundle.primary_cluster_addr },
    [
      ...doomed.map((key) => ({ op: 'delete' as const, key })),
      ...mgr.store.bundleOps(m, bundleFromData(bundle)),
      mgr.store.bootstrapNonceOp(m, randomBytes(BOOTSTRAP_NONCE_BYTES).toString('base64url')),
    ],
  );
  await physical.flushed();
  mgr.crash('enable-committed');
  // Token salt, mount table and caches followed the wipe on storage's change bus.
  const wiped = doomed.length;
  mgr.startSecondary(m);
  mgr.logger.warn({ mode: m, wiped, primary: input.apiAddr }, 'enabled as replication secondary: local data wiped');
  return {
    warnings: [
      `This cluster's storage (${wiped} entries) has been wiped and it is now a ${KIND[m]} secondary of ${input.apiAddr}. Setup and the initial sync will make it unavailable for a while. Unseal it with the primary's unseal keys from now on.`,
    ],
  };
}

export async function disableSecondary(mgr: ReplicationManager, m: Mode): Promise<Response> {
  requireAllowed(KIND[m], mgr.state(m), 'disable-secondary');
  await mgr.stopSecondary(m);
  await mgr.opts.physical.flushed();
  mgr.transition(m, { type: 'disable-secondary' }, [...mgr.store.bundleOps(m, null), mgr.store.bootstrapNonceOp(m, null)]);
  return { warnings: ['Replication is disabled on this secondary. Its data stays; enabling it as a secondary again wipes it.'] };
}

export async function updatePrimary(mgr: ReplicationManager, m: Mode, data: Record<string, unknown>): Promise<Response> {
  const s = mgr.state(m);
  requireAllowed(KIND[m], s, 'update-primary');
  const addrs = updatePrimaryAddrs(data); // Vault: a lighter-weight re-point than a token, and never together with one
  if (addrs.length) return repointByAddrs(mgr, m, addrs);
  if (data.token === '' || data.token === undefined) {
    await mgr.stopSecondary(m);
    mgr.transition(m, { type: 'detach' });
    return { warnings: ['This secondary no longer follows any primary.'] };
  }
  const input = tokenInput(m, data);
  const bundle = await redeem(m, input);
  if (bundle.cluster_id !== s.clusterId)
    throw badRequest(`the token is for replication set ${bundle.cluster_id}, this secondary belongs to ${s.clusterId}: disable and enable it instead (that wipes it)`);
  await mgr.stopSecondary(m);
  mgr.transition(
    m,
    { type: 'update-primary', secondaryId: bundle.id, primaryApiAddr: input.apiAddr, primaryClusterAddr: bundle.primary_cluster_addr },
    mgr.store.bundleOps(m, bundleFromData(bundle)),
  );
  await mgr.opts.physical.flushed();
  mgr.startSecondary(m);
  return { warnings: [`This secondary now follows ${input.apiAddr}; no data was wiped.`] };
}

export async function promoteSecondary(mgr: ReplicationManager, m: Mode, data: Record<string, unknown>, ensureCredentials: () => Promise<void>): Promise<Response> {
  requireAllowed(KIND[m], mgr.state(m), 'promote');
  const addr = data.primary_cluster_addr ?? '';
  if (typeof addr !== 'string') throw badRequest("'primary_cluster_addr' must be a string");
  await mgr.stopSecondary(m);
  // A DR secondary of a performance primary takes its performance set over, CA and signing key first.
  const set = m === 'dr' ? adoptSetCredentials(mgr) : null;
  await ensureCredentials();
  // The bundle stays, as the credential with which this new primary tells its
  // former one that it leads now (epoch-exchange.ts): the old CA still trusts it.
  const bundle = mgr.store.bundle(m);
  mgr.transition(m, { type: 'promote', primaryClusterAddr: addr, at: new Date().toISOString() }, [
    ...mgr.store.bundleOps(m, null),
    ...mgr.store.formerPrimaryCredentialsOps(m, bundle),
  ]);
  if (set) await takeOverSet(mgr, set, { primaryClusterAddr: addr, at: mgr.state(m).promotedAt });
  await mgr.opts.physical.flushed();
  await mgr.ensureListener();
  tellFormerPrimarySoon(mgr, m); // the old primary stops taking writes as soon as it hears
  mgr.logger.warn({ mode: m, epoch: mgr.state(m).epoch }, 'promoted to replication primary');
  const warnings = ['This cluster is being promoted to a replication primary. Vault will be unavailable for a brief period and will resume service shortly.'];
  if (set)
    warnings.push(
      `It now leads its former primary's performance replication set (${set.clusterId}): point the performance secondaries at it with update-primary (a new activation token, or update_primary_addrs); their data is kept.`,
    );
  return { warnings };
}
