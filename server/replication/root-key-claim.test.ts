import { describe, expect, it } from 'vitest';
import type { ReplicationManager } from './manager';
import { claimRootKey, confirmBootstrap } from './root-key-claim';
import { emptyState, type ModeState } from './state';
import type { PeerIdentity } from './transport';

// Who gets the root key, per activated secondary: once, again only to the same
// secondary (its nonce) until it confirms its bootstrap, never to a copy.
function fakeManager(): { mgr: ReplicationManager; state: () => ModeState } {
  let s: ModeState = { ...emptyState(), mode: 'primary', clusterId: 'set', epoch: 1, secondaries: [{ id: 'east', serial: '0a', revoked: false, createdAt: 't0' }] };
  const mgr = {
    state: () => structuredClone(s),
    save: (_m: string, next: ModeState) => void (s = structuredClone(next)),
    logger: { warn: () => {} },
    opts: { physical: { flushed: async () => {} } },
  } as unknown as ReplicationManager;
  return { mgr, state: () => s };
}

const peer: PeerIdentity = { commonName: 'east', serial: '0a', fingerprint: 'f', alpn: 'replication_dr_v1' };
const NONCE = 'n'.repeat(43);

describe('root key claim', () => {
  it('the secondary that claimed it may fetch it again with its nonce until it confirms; nobody else, and nobody after', async () => {
    const { mgr, state } = fakeManager();
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: true, bootstrapNonce: NONCE })).toBeNull();
    expect(state().secondaries[0].bootstrappedAt).toBeTruthy();
    expect(state().secondaries[0].bootstrapNonceHash).not.toContain(NONCE); // only its hash is kept
    // Crashed before committing: the same secondary comes back with its nonce.
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: true, bootstrapNonce: NONCE })).toBeNull();
    // A copy of the bundle without the nonce, or with another: refused.
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: true })).toMatch(/already bootstrapped/);
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: true, bootstrapNonce: 'm'.repeat(43) })).toMatch(/already bootstrapped/);
    await confirmBootstrap(mgr, 'dr', peer);
    expect(state().secondaries[0].bootstrapNonceHash).toBe('');
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: true, bootstrapNonce: NONCE })).toMatch(/already bootstrapped/);
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: false })).toBeNull(); // streaming as usual
  });

  it('a first claim without a nonce can never be repeated', async () => {
    const { mgr } = fakeManager();
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: true })).toBeNull();
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: true })).toMatch(/already bootstrapped/);
  });

  it('a secondary that first connects holding the keys (update-primary) confirms at once', async () => {
    const { mgr, state } = fakeManager();
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: false })).toBeNull();
    expect(state().secondaries[0].bootstrapConfirmedAt).toBeTruthy();
    expect(await claimRootKey(mgr, 'dr', peer, { needsBootstrap: true, bootstrapNonce: NONCE })).toMatch(/already bootstrapped/);
  });

  it('an unknown, revoked or re-issued certificate gets nothing', async () => {
    const { mgr } = fakeManager();
    expect(await claimRootKey(mgr, 'dr', { ...peer, serial: '0b' }, { needsBootstrap: true })).toMatch(/not known/);
    expect(await claimRootKey(mgr, 'dr', { ...peer, commonName: 'west' }, { needsBootstrap: true })).toMatch(/not known/);
  });
});
