import type { ReplicationManager } from './manager';
import type { Mode } from './state';
import type { PeerIdentity } from './transport';

/**
 * The root key goes at most once to each activated secondary: at its
 * bootstrap, or never if it first connects already holding it (update-primary).
 * The mark is durable before the key is sent, so whoever holds the bundle
 * later (a copy, a backup of the secondary) cannot pull the key over the
 * cluster port. A secondary that lost its bootstrap mid-way needs a new
 * activation token. Returns a refusal reason, or null to go on.
 */
export async function claimRootKey(mgr: ReplicationManager, mode: Mode, peer: PeerIdentity, needsBootstrap: boolean): Promise<string | null> {
  const s = mgr.state(mode);
  const known = s.secondaries.find((k) => k.id === peer.commonName && k.serial === peer.serial && !k.revoked);
  if (!known) return `secondary "${peer.commonName}" is not known to this primary or was revoked`;
  if (known.bootstrappedAt && !needsBootstrap) return null;
  if (known.bootstrappedAt) {
    mgr.logger.warn({ mode, secondary: known.id, bootstrappedAt: known.bootstrappedAt }, 'refused a second bootstrap: the root key is handed out once per activation');
    return `secondary "${known.id}" was already bootstrapped at ${known.bootstrappedAt}; the root key is handed out once per activation token: revoke the secondary and activate it with a new token`;
  }
  const bootstrappedAt = new Date().toISOString();
  mgr.save(mode, { ...s, secondaries: s.secondaries.map((k) => (k === known ? { ...k, bootstrappedAt } : k)) });
  await mgr.opts.physical.flushed();
  return null;
}
