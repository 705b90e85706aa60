import { createHash, timingSafeEqual } from 'node:crypto';
import type { ReplicationManager } from './manager';
import type { KnownSecondary, Mode } from './state';
import type { PeerIdentity } from './transport';

/**
 * Who may receive the root key, decided per activated secondary (one
 * certificate) before anything is sent:
 *
 *  - first claim: recorded durably (bootstrappedAt, and the sha256 of the nonce
 *    the secondary sent) before the key goes out;
 *  - the same secondary again, before it confirmed (a crash mid-bootstrap): it
 *    presents the same nonce, which it keeps behind its own barrier in the
 *    transaction that stored its bundle and deletes in the one that adopts the
 *    key — it gets the key again, so a crash never leaves it stuck;
 *  - after it confirmed (bootstrap-ack, or a hello that needs no bootstrap:
 *    update-primary), or anyone without that nonce: refused. A copy of the
 *    bundle — even a backup of the secondary's disk taken after its bootstrap
 *    — cannot pull the key; a new activation token starts over.
 *
 * Returns a refusal reason, or null to go on (bootstrap if it asked for one).
 */
export async function claimRootKey(mgr: ReplicationManager, mode: Mode, peer: PeerIdentity, hello: { needsBootstrap: boolean; bootstrapNonce?: string }): Promise<string | null> {
  const s = mgr.state(mode);
  const known = s.secondaries.find((k) => k.id === peer.commonName && k.serial === peer.serial && !k.revoked);
  if (!known) return `secondary "${peer.commonName}" is not known to this primary or was revoked`;
  if (!hello.needsBootstrap) {
    // It holds the keys already: from now on no one presenting this certificate gets them.
    if (!known.bootstrapConfirmedAt) await mark(mgr, mode, known, { bootstrappedAt: known.bootstrappedAt ?? now(), bootstrapConfirmedAt: now(), bootstrapNonceHash: '' });
    return null;
  }
  if (known.bootstrappedAt) {
    if (!known.bootstrapConfirmedAt && nonceMatches(known.bootstrapNonceHash, hello.bootstrapNonce)) {
      mgr.logger.warn({ mode, secondary: known.id, bootstrappedAt: known.bootstrappedAt }, 'bootstrap resumed: the secondary that claimed the root key did not commit it (crash?); sending it again');
      return null;
    }
    mgr.logger.warn({ mode, secondary: known.id, bootstrappedAt: known.bootstrappedAt }, 'refused a second bootstrap: the root key is handed out once per activation');
    return `secondary "${known.id}" was already bootstrapped at ${known.bootstrappedAt}; the root key is handed out once per activation token: revoke the secondary and activate it with a new token`;
  }
  await mark(mgr, mode, known, { bootstrappedAt: now(), bootstrapNonceHash: hello.bootstrapNonce ? hashOf(hello.bootstrapNonce) : '' });
  return null;
}

/** The secondary committed its bootstrap: the key is never sent to this certificate again. */
export async function confirmBootstrap(mgr: ReplicationManager, mode: Mode, peer: PeerIdentity): Promise<void> {
  const known = mgr.state(mode).secondaries.find((k) => k.id === peer.commonName && k.serial === peer.serial);
  if (known && !known.bootstrapConfirmedAt) await mark(mgr, mode, known, { bootstrapConfirmedAt: now(), bootstrapNonceHash: '' });
}

const now = () => new Date().toISOString();
const hashOf = (nonce: string) => createHash('sha256').update(nonce).digest('hex');

function nonceMatches(storedHash: string | undefined, nonce: string | undefined): boolean {
  if (!storedHash || !nonce) return false;
  const a = Buffer.from(storedHash, 'hex');
  const b = Buffer.from(hashOf(nonce), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Durable before the caller goes on: the record must exist before the key can leave. */
async function mark(mgr: ReplicationManager, mode: Mode, known: KnownSecondary, patch: Partial<KnownSecondary>): Promise<void> {
  const s = mgr.state(mode);
  mgr.save(mode, { ...s, secondaries: s.secondaries.map((k) => (k.id === known.id && k.serial === known.serial ? { ...k, ...patch } : k)) });
  await mgr.opts.physical.flushed();
}
