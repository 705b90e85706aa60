import { createHash } from 'node:crypto';
import type { Core } from '../core/core';
import { RootGeneration } from '../core/generate-root';
import { newServiceTokenId } from '../core/ids';
import { badRequest } from '../errors';
import type { ReplicationStore } from './state';

// DR operation tokens authorise promote/update-primary/disable on a DR
// secondary, which answers no ordinary token. Two kinds are accepted:
//  - one generated on the secondary with the (primary's) unseal keys and an
//    OTP, via the root-generation machinery, remembered under its hash;
//  - a batch token minted on the primary beforehand: the secondary shares the
//    primary's keyring, so it can open it, and its policy must allow promote.
export const PROMOTE_PATH = 'sys/replication/dr/secondary/promote';
const hashOf = (t: string) => createHash('sha256').update(t).digest('hex');

export function drOperationGeneration(core: Core, store: ReplicationStore): RootGeneration {
  return new RootGeneration(core.barrier, {
    generate: () => {
      const token = newServiceTokenId();
      store.saveOperationToken(hashOf(token));
      return token;
    },
    revoke: (token) => store.deleteOperationToken(hashOf(token)),
  });
}

export function checkDrOperationToken(core: Core, store: ReplicationStore, token: unknown, path = PROMOTE_PATH): void {
  if (typeof token !== 'string' || !token) throw badRequest("'dr_operation_token' is required on a DR secondary");
  if (store.hasOperationToken(hashOf(token))) return;
  // Valid (unexpired, keyring-sealed) and orphan: a non-orphan batch token's life is its parent's, which a DR secondary cannot vouch for.
  const batch = token.startsWith('hvb.') ? core.tokens.lookup(token) : null;
  if (batch && batch.type === 'batch' && !batch.orphan) throw badRequest('a batch DR operation token must be an orphan token');
  if (batch && batch.type === 'batch') {
    const acl = core.policies.aclFor(batch.policies);
    if (acl.allows(path, 'update')) return;
    throw badRequest(`the batch DR operation token's policies do not allow update on ${path}`);
  }
  throw badRequest('invalid DR operation token');
}

export function revokeDrOperationToken(store: ReplicationStore, token: string): void {
  store.deleteOperationToken(hashOf(token));
}
