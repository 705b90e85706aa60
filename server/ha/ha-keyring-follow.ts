import { KEYRING_PATH } from '../barrier/barrier';
import type { Core } from '../core/core';
import type { Logger } from '../log';
import type { HaRole } from './ha-slot';

// A standby follows the cluster's keyring through the HA log: a rotation is
// re-opened with the root key it holds (barrier.ts). A snapshot restored with
// snapshot-force brings a keyring sealed under another cluster's root key;
// the active seals itself after writing it, and a standby that applies it must
// too — its keyring in memory no longer opens what it now stores. Like the
// active, it then opens with the keys of the cluster the snapshot came from.
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
    if (!keyring || core.barrier.opensKeyring(keyring)) return;
    logger.warn(
      { component: 'ha.keyring' },
      "the cluster's keyring is now sealed under another root key (a snapshot restored with snapshot-force): sealing; unseal with the keys of the cluster the snapshot came from",
    );
    core.seal.seal();
  });
}
