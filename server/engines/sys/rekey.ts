import type { Core } from '../../core/core';
import { Rekey } from '../../core/rekey';
import type { Route } from '../../core/route';
import { noContent, rawJson } from './respond';

// sys/rekey/init and sys/rekey/update (unauthenticated, as in Vault: the
// unseal keys are the authority). One attempt per core, kept in memory like
// Vault's; sealing drops nothing the next unseal needs.
const attempts = new WeakMap<Core, Rekey>();

function rekeyOf(core: Core): Rekey {
  let r = attempts.get(core);
  if (!r) {
    r = new Rekey(core.barrier, {
      holdsKeyringAlone: () => Object.values(core.replicationModes()).every((m) => m === 'disabled'),
      rootKeyKept: () =>
        core.logger.warn(
          'rekey: this data file predates unseal keys and its root key is shared with a replication set, so it was kept: the shares given out before the first rekey still open this storage offline; rekey once more with replication disabled to replace the root key',
        ),
    });
    attempts.set(core, r);
  }
  return r;
}

export const rekeyRoutes: Route<Core>[] = [
  {
    pattern: 'sys/rekey/init',
    unauthenticated: true,
    ops: {
      read: ({ core }) => rawJson(rekeyOf(core).status()),
      update: ({ core, data }) => rawJson(rekeyOf(core).start(data)),
      delete: ({ core }) => {
        rekeyOf(core).cancel();
        return noContent();
      },
    },
  },
  {
    pattern: 'sys/rekey/update',
    unauthenticated: true,
    ops: { update: async ({ core, data }) => rawJson(await rekeyOf(core).update(data)) },
  },
];
