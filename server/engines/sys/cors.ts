import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { corsStoreOf } from '../../core/cors-config';
import { noContent } from './respond';

// sys/config/cors (Vault api-docs/system/config-cors): read, set and disable
// the CORS configuration. All of it needs sudo, as in Vault.
export const corsRoutes: Route<Core>[] = [
  {
    pattern: 'sys/config/cors',
    sudo: true,
    ops: {
      read: ({ core }) => {
        const c = corsStoreOf(core).current();
        return { data: c.enabled ? { enabled: true, allowed_origins: c.allowed_origins, allowed_headers: c.allowed_headers } : { enabled: false } };
      },
      update: ({ core, data }) => {
        corsStoreOf(core).set(data);
        return noContent();
      },
      delete: ({ core }) => {
        corsStoreOf(core).disable();
        return noContent();
      },
    },
  },
];
