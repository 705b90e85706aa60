import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { noContent, rawJson } from './respond';

// sys/generate-root/attempt and /update (unauthenticated, as in Vault).
export const generateRootRoutes: Route<Core>[] = [
  {
    pattern: 'sys/generate-root/attempt',
    unauthenticated: true,
    ops: {
      read: ({ core }) => rawJson(core.rootGeneration.status()),
      update: ({ core, data }) => rawJson(core.rootGeneration.start(data)),
      delete: ({ core }) => {
        core.rootGeneration.cancel();
        return noContent();
      },
    },
  },
  {
    pattern: 'sys/generate-root/update',
    unauthenticated: true,
    ops: { update: async ({ core, data }) => rawJson(await core.rootGeneration.update(data)) },
  },
];
