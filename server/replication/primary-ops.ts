import { parseDuration } from '../auth/duration';
import { envelope } from '../core/envelope';
import { newServiceTokenId, newUuid } from '../core/ids';
import { wrapTokenHash } from '../core/wrapping';
import type { Request, Response } from '../core/request';
import { badRequest } from '../errors';
import { generateSigningKey, signActivationToken } from './activation-token';
import { bundleData } from './bundle';
import { createReplicationCa, issueClientCert } from './ca';
import { BUNDLE_MODE } from './context';
import { serverCertFor } from './listener-cert';
import type { ReplicationManager } from './manager';
import { supersession } from './fencing';
import { KIND, requireAllowed } from './mode-transitions';
import type { Mode } from './state';

// sys/replication/<mode>/primary/*: enable, secondary-token, revoke-secondary,
// demote, disable.
export { KIND };
export const DEFAULT_SECONDARY_TOKEN_TTL = '30m';

export function requirePrimary(mgr: ReplicationManager, m: Mode) {
  const s = mgr.state(m);
  if (s.mode !== 'primary') throw badRequest(`this cluster is not a ${KIND[m]} primary`);
  return s;
}

/** The node's replication CA and signing key, created on first use and kept while any mode is primary. */
export async function ensureCredentials(mgr: ReplicationManager): Promise<void> {
  if (!mgr.store.ca()) {
    const ca = createReplicationCa(newUuid());
    mgr.store.saveCa(ca, serverCertFor(ca, mgr.opts.clusterAddr));
  }
  if (!mgr.store.signingKey()) mgr.store.saveSigningKey(await generateSigningKey());
}

export async function enablePrimary(mgr: ReplicationManager, m: Mode, data: Record<string, unknown>): Promise<Response> {
  requireAllowed(KIND[m], mgr.state(m), 'enable-primary');
  if (m === 'performance' && mgr.state('dr').mode === 'secondary') throw badRequest('a DR secondary cannot run performance replication');
  const addr = data.primary_cluster_addr ?? '';
  if (typeof addr !== 'string') throw badRequest("'primary_cluster_addr' must be a string");
  await ensureCredentials(mgr);
  mgr.transition(m, { type: 'enable-primary', clusterId: newUuid(), primaryClusterAddr: addr });
  await mgr.ensureListener();
  mgr.logger.info({ mode: m }, 'enabled as replication primary');
  return { warnings: ['This cluster is being enabled as a primary for replication. Vault will be unavailable for a brief period and will resume service shortly.'] };
}

export async function secondaryToken(mgr: ReplicationManager, m: Mode, data: Record<string, unknown>, req: Request): Promise<Response> {
  const s = requirePrimary(mgr, m);
  const id = data.id;
  if (typeof id !== 'string' || !id.trim()) throw badRequest("'id' is required: a name for the secondary");
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(id)) throw badRequest("'id' may contain letters, digits, '.', '_' and '-' only");
  if (s.secondaries.some((k) => k.id === id && !k.revoked)) throw badRequest(`a secondary with id "${id}" already exists; revoke it first`);
  const ttl = parseDuration(data.ttl || DEFAULT_SECONDARY_TOKEN_TTL, 'ttl');
  if (ttl <= 0) throw badRequest("'ttl' must be positive");
  const ca = mgr.store.ca()!;
  const key = mgr.store.signingKey()!;
  const leaf = issueClientCert(ca, id);
  const jti = newServiceTokenId();
  const data0 = bundleData({
    caPem: ca.certPem,
    clientCertPem: leaf.certPem,
    clientKeyPem: leaf.keyPem,
    clusterId: s.clusterId,
    id,
    mode: BUNDLE_MODE[m],
    primaryClusterAddr: s.primaryClusterAddr || mgr.opts.clusterAddr,
    primaryApiAddr: mgr.opts.apiAddr,
  });
  const core = mgr.opts.core;
  // jwtOnly: the bundle unwraps only through this signed JWT, never through the bare jti.
  const info = core.wrapping.wrap(envelope(req, { data: data0 as unknown as Record<string, unknown> }), ttl, req.path, { tokenId: jti, jwtOnly: true });
  const jwt = await signActivationToken(key.privateJwk, { jti, addr: mgr.opts.apiAddr, accessor: info.accessor, ttlSeconds: ttl, mode: m });
  // Only the jti's hash is kept, behind the barrier: enough to revoke, useless to redeem.
  revokeActivation(mgr, m, id); // a revoked secondary's old token, if it was never used
  mgr.store.saveActivation(m, id, wrapTokenHash(jti));
  const fresh = mgr.state(m);
  mgr.save(m, { ...fresh, secondaries: [...fresh.secondaries.filter((k) => k.id !== id), { id, serial: leaf.serial, revoked: false, createdAt: new Date().toISOString() }] });
  return { wrapInfo: { ...info, token: jwt } };
}

export function revokeSecondary(mgr: ReplicationManager, m: Mode, data: Record<string, unknown>): Response {
  const s = requirePrimary(mgr, m);
  const id = data.id;
  if (typeof id !== 'string' || !id) throw badRequest("'id' is required");
  const known = s.secondaries.find((k) => k.id === id && !k.revoked);
  if (!known) throw badRequest(`no known secondary with id "${id}"`);
  revokeActivation(mgr, m, id);
  mgr.save(m, { ...s, secondaries: s.secondaries.map((k) => (k === known ? { ...k, revoked: true } : k)) });
  mgr.dropStream(m, id);
  return { warnings: [`Secondary "${id}" has been revoked and disconnected; it needs a new activation token to connect again.`] };
}

/** Kill the secondary's activation token if it is still unused, and forget its hash. */
function revokeActivation(mgr: ReplicationManager, m: Mode, id: string): void {
  const a = mgr.store.activation(m, id);
  if (a) mgr.opts.core.wrapping.revokeByHash(a.tokenHash);
  mgr.store.deleteActivation(m, id);
}

/** Leaving the primary role: no outstanding activation token may still hand out a bundle. */
function revokeAllActivations(mgr: ReplicationManager, m: Mode): void {
  for (const id of mgr.store.activations(m)) revokeActivation(mgr, m, id);
}

export async function demotePrimary(mgr: ReplicationManager, m: Mode): Promise<Response> {
  requireAllowed(KIND[m], mgr.state(m), 'demote');
  // A primary superseded by a newer one writes none of its set's classes
  // (storage's write fence), activation hashes included, and as a secondary it
  // serves no unwrap of them (DR) or has no listener for their bundles: they
  // are left to die with its data when it re-joins under the new primary.
  const fence = supersession(mgr, m);
  if (fence) mgr.logger.warn({ mode: m, by: fence.by }, 'demoting a superseded primary: its unused activation tokens are left to the re-join');
  else revokeAllActivations(mgr, m);
  mgr.dropAllStreams(m);
  mgr.transition(m, { type: 'demote' }, mgr.store.formerPrimaryCredentialsOps(m, null));
  await mgr.releaseListenerIfUnused();
  return { warnings: ['This cluster has been demoted to a secondary without a primary. Point it at a primary with update-primary.'] };
}

export async function disablePrimary(mgr: ReplicationManager, m: Mode): Promise<Response> {
  requireAllowed(KIND[m], mgr.state(m), 'disable-primary');
  // Superseded, this node may write its set's classes again only once disable has dropped the fence.
  const fenced = supersession(mgr, m) !== null;
  if (!fenced) revokeAllActivations(mgr, m);
  mgr.dropAllStreams(m);
  mgr.transition(m, { type: 'disable-primary' }, mgr.store.formerPrimaryCredentialsOps(m, null));
  if (fenced) revokeAllActivations(mgr, m);
  await mgr.releaseListenerIfUnused();
  return { warnings: ['Replication is disabled. Secondaries can no longer connect; enabling again creates a new replication set.'] };
}
