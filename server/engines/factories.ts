import type { Backend, BackendFactory, MountOptions } from '../core/backend';
import { UserpassBackend } from '../auth/userpass';
import { AppRoleBackend } from '../auth/approle/backend';
import { limitsOf } from '../core/token-ttl';
import { badRequest } from '../errors';
import { CubbyholeBackend } from './cubbyhole';
import { KvV1Backend } from './kv/v1';
import { KvV2Backend } from './kv/v2';
import { TransitBackend } from './transit/backend';

// Mountable backends by type name, as `sys/mounts` and `sys/auth` take them.

/** kv picks its version from the mount option `version` ("1" when unset, like Vault). */
function kvFactory({ storage, options, limits }: MountOptions): Backend {
  const version = options.version ?? '1';
  if (version === '1' || version === '') return new KvV1Backend(storage, (limits ?? limitsOf()).defaultTtl);
  if (version === '2') return new KvV2Backend(storage);
  throw badRequest(`invalid kv version ${JSON.stringify(version)}: must be "1" or "2"`);
}

export const SECRET_ENGINES: Record<string, BackendFactory> = {
  kv: kvFactory,
  cubbyhole: ({ storage }) => new CubbyholeBackend(storage),
  transit: ({ storage }) => new TransitBackend(storage),
};

export const AUTH_METHODS: Record<string, BackendFactory> = {
  userpass: ({ storage }) => new UserpassBackend(storage),
  approle: (opts) => new AppRoleBackend(opts),
};
