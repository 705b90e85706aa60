import { Barrier, KEYRING_PATH, SEAL_CONFIG_PATH } from '../barrier/barrier';
import { adoptedSealOps, LEGACY_LOCAL_SEAL_PATH, LOCAL_SEAL_PATH } from '../barrier/local-seal';
import type { StorageOp } from '../storage/backend';
import type { FrameOf } from './frames';
import type { ReplicationManager } from './manager';
import { isPlainReplicationKey, type Mode } from './state';

// A wiped secondary adopts its primary's keys. Everything that makes it "keyed"
// commits in ONE storage transaction: the primary's seal config, its current
// seal (root key sealed under its unseal key: the secondary unseals with the
// primary's current keys, as in Vault), keyring,
// what this node keeps (its own CA, bundles, nonce-free) re-sealed under that
// keyring, and the state that says `secondary`. Killed before the commit, the
// node is still bootstrapping under its own keys (unseal with them; the primary
// sends the keys again to the same secondary: root-key-claim.ts); killed after,
// it is a secondary under the primary's keys (unseal with those) and only the
// merkle sync is left. There is no third state, so no "no activation bundle"
// loop: before, the keyring was written first and the rest re-sealed one put at
// a time, and a decrypt failure in between was skipped.

/** What this node keeps through a bootstrap, decrypted with the keyring it has now. Any entry that does not open is an error. */
export function keptSecrets(mgr: ReplicationManager, m: Mode): [string, Buffer][] {
  const { core, physical } = mgr.opts;
  const nonceKey = mgr.store.bootstrapNonceOp(m, null).key;
  const out: [string, Buffer][] = [];
  for (const key of physical.keysUnder('core/replication/')) {
    if (isPlainReplicationKey(key) || key === nonceKey) continue;
    let value: Buffer | null;
    try {
      value = core.barrier.get(key);
    } catch (cause) {
      throw new Error(`bootstrap stopped: ${key} does not decrypt with this node's keyring, so it cannot be re-sealed with the primary's`, { cause });
    }
    if (value) out.push([key, value]);
  }
  return out;
}

/** The ops of the bootstrap transaction (the caller adds the state). Throws, writing nothing, if the keys do not fit together. */
export function bootstrapOps(mgr: ReplicationManager, m: Mode, f: FrameOf<'bootstrap'>): { ops: StorageOp[]; rootKey: Buffer } {
  const rootKey = Buffer.from(f.rootKey, 'base64');
  const keyring = Buffer.from(f.keyring, 'base64');
  const sealWithPrimaryKeys = Barrier.sealerFor(rootKey, keyring);
  const ops: StorageOp[] = [
    { op: 'put', key: SEAL_CONFIG_PATH, value: Buffer.from(f.sealConfig) },
    { op: 'put', key: KEYRING_PATH, value: keyring },
    ...sealOps(mgr, f),
    ...keptSecrets(mgr, m).map(([key, value]): StorageOp => ({ op: 'put', key, value: sealWithPrimaryKeys(key, value) })),
    // The nonce has done its work: with it gone, nothing on this disk can claim the key again.
    mgr.store.bootstrapNonceOp(m, null),
  ];
  return { ops, rootKey };
}

/** The primary's seal record as shipped; from a primary of an earlier build none: its shares were the root key's, and this node's own seal goes. */
function sealOps(mgr: ReplicationManager, f: FrameOf<'bootstrap'>): StorageOp[] {
  const { physical } = mgr.opts;
  if (f.localSeal) return adoptedSealOps(physical, Buffer.from(f.localSeal));
  return [LOCAL_SEAL_PATH, LEGACY_LOCAL_SEAL_PATH].filter((key) => physical.get(key)).map((key): StorageOp => ({ op: 'delete', key }));
}
