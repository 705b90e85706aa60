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
  if (!r) attempts.set(core, (r = new Rekey(core.barrier)));
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
