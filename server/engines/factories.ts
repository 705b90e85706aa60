import type { Backend, BackendFactory, MountOptions } from '../core/backend';
import { UserpassBackend } from '../auth/userpass';
import { badRequest } from '../errors';
import { CubbyholeBackend } from './cubbyhole';
import { KvV1Backend } from './kv/v1';
import { KvV2Backend } from './kv/v2';

// Mountable backends by type name, as `sys/mounts` and `sys/auth` take them.

/** kv picks its version from the mount option `version` ("1" when unset, like Vault). */
function kvFactory({ storage, options }: MountOptions): Backend {
  const version = options.version ?? '1';
  if (version === '1' || version === '') return new KvV1Backend(storage);
  if (version === '2') return new KvV2Backend(storage);
  throw badRequest(`invalid kv version ${JSON.stringify(version)}: must be "1" or "2"`);
}

export const SECRET_ENGINES: Record<string, BackendFactory> = {
  kv: kvFactory,
  cubbyhole: ({ storage }) => new CubbyholeBackend(storage),
};

export const AUTH_METHODS: Record<string, BackendFactory> = {
  userpass: ({ storage }) => new UserpassBackend(storage),
};
