import type { Core } from './core';

/** First-time setup of a new barrier (vault/init.go postUnseal of a fresh core). */
export function setupNewCluster(core: Core, opts: { rootTokenId?: string }): string {
  core.policies.ensureDefault();
  core.mounts.load();
  if (!core.mounts.find('secret', 'cubbyhole/'))
    core.mounts.enable('secret', { path: 'cubbyhole/', type: 'cubbyhole', description: 'per-token private secret storage', local: true, builtin: true });
  core.clusterId();
  const root = core.tokens.create({ policies: ['root'], path: 'auth/token/root', displayName: 'root', id: opts.rootTokenId });
  return root.id;
}
