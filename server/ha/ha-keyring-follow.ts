import { KEYRING_PATH } from '../barrier/barrier';
import { CLUSTER_ID_PATH, type Core } from '../core/core';
import type { Logger } from '../log';
import type { HaRole } from './ha-slot';

// A standby follows the cluster's keyring through the HA log: a rotation is
// re-opened with the root key it holds (barrier.ts). A snapshot restored with
// snapshot-force brings a keyring sealed under another cluster's root key;
// the active seals itself after writing it, and a standby that applies it must
// too — its keyring in memory no longer opens what it now stores. Like the
// active, it then opens with the keys of the cluster the snapshot came from.
//
// The first rekey of a data file from before unseal keys also re-seals the
// keyring under a new root key (barrier.replaceRootKey), but the keys inside
// stay the same, so a standby keeps serving with the keyring it holds. What
// tells the two apart: a forced restore deletes the cluster's id in the same
// transaction (the old id was sealed under the old keys; the next active makes
// a new one), a rekey leaves it.
//
// Not on a replication secondary: its bootstrap installs the primary's keyring
// on purpose, and the replication layer hands its nodes the root key for it.

export function sealOnForeignKeyring(core: Core, role: () => HaRole, logger: Logger): () => void {
  return core.physical.changes.subscribe(KEYRING_PATH, (keys) => {
    if (keys !== null && !keys.includes(KEYRING_PATH)) return;
    if (core.barrier.sealed || role() === 'active') return;
    const modes = Object.values(core.replicationModes());
    if (modes.includes('secondary') || modes.includes('bootstrapping')) return;
    const keyring = core.physical.get(KEYRING_PATH);
    if (!keyring || core.physical.get(CLUSTER_ID_PATH) !== null || core.barrier.opensKeyring(keyring)) return;
    logger.warn(
      { component: 'ha.keyring' },
      "the cluster's keyring is now sealed under another root key (a snapshot restored with snapshot-force): sealing; unseal with the keys of the cluster the snapshot came from",
    );
    core.seal.seal();
  });
}
