import type { Core } from '../../core/core';
import type { MountEntry, TableKind } from '../../core/mounts';
import type { Route } from '../../core/route';
import { badRequest, VaultError } from '../../errors';
import { parseDuration } from '../../auth/duration';
import { lockoutTuneView, tuneUserLockout } from '../../core/user-lockout-config';
import { auditKeysView, parseAuditKeys } from '../../audit/mount-keys';
import { tokenMountConfig } from '../../core/token-mount';
import { listingVisibility, readTune, tuneBuiltinToken } from './mount-tune';
import { bool, mergedJson, noContent, notFound, str } from './respond';

// sys/mounts, sys/auth (enable, disable, list, tune) and the UI's mount lookups.
export function mountView(e: MountEntry): Record<string, unknown> {
  return {
    accessor: e.accessor,
    config: {
      default_lease_ttl: e.config.default_lease_ttl,
      force_no_cache: false,
      max_lease_ttl: e.config.max_lease_ttl,
      ...(e.config.user_lockout_config ? { user_lockout_config: lockoutTuneView(e.config.user_lockout_config) } : {}),
      ...(e.config.listing_visibility ? { listing_visibility: e.config.listing_visibility } : {}),
      ...auditKeysView(e.config),
    },
    description: e.description,
    external_entropy_access: false,
    local: e.local,
    options: Object.keys(e.options).length ? e.options : null,
    plugin_version: '',
    running_plugin_version: `v0.0.0+builtin`,
    seal_wrap: e.seal_wrap,
    type: e.type,
    uuid: e.uuid,
  };
}

const SYSTEM_MOUNT = { type: 'system', description: 'system endpoints used for control, policy and debugging', local: false };
const TOKEN_AUTH = { type: 'token', description: 'token based credentials', local: false };

function listing(core: Core, kind: TableKind): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of core.mounts.entries(kind)) out[e.path] = mountView(e);
  const extra = kind === 'secret' ? { 'sys/': SYSTEM_MOUNT } : { 'token/': TOKEN_AUTH };
  for (const [path, m] of Object.entries(extra)) {
    // The listing shows a mount's raw tune (0 = unset), token/'s included; sys/auth/token/tune shows the effective values.
    const tuned = m === TOKEN_AUTH ? tokenMountConfig(core.barrier) : { default_lease_ttl: 0, max_lease_ttl: 0 };
    const config = { default_lease_ttl: tuned.default_lease_ttl, max_lease_ttl: tuned.max_lease_ttl, force_no_cache: false };
    out[path] = { ...m, accessor: `${m.type}_builtin`, config, options: null, seal_wrap: false, uuid: '' };
  }
  return out;
}

function enableInput(data: Record<string, unknown>, path: string) {
  const type = str(data, 'type');
  if (!type) throw badRequest("'type' must be specified");
  const rawOptions = data.options ?? {};
  if (typeof rawOptions !== 'object' || Array.isArray(rawOptions)) throw badRequest("'options' must be a map");
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawOptions as Record<string, unknown>)) options[k] = String(v);
  // `kv-v2` is Vault's alias for kv with version 2.
  let finalType = type;
  if (type === 'kv-v2') {
    finalType = 'kv';
    options.version = '2';
  }
  if (type === 'kv-v1') finalType = 'kv';
  const config = (data.config ?? {}) as Record<string, unknown>;
  return {
    path,
    type: finalType,
    description: str(data, 'description'),
    local: bool(data, 'local'),
    options,
    config: {
      default_lease_ttl: config.default_lease_ttl !== undefined ? parseDuration(config.default_lease_ttl) : 0,
      max_lease_ttl: config.max_lease_ttl !== undefined ? parseDuration(config.max_lease_ttl) : 0,
      ...parseAuditKeys(config),
    },
  };
}

function tableRoutes(kind: TableKind, base: string): Route<Core>[] {
  return [
    { pattern: base, ops: { read: ({ core, req }) => mergedJson(req, listing(core, kind)) } },
    {
      pattern: `${base}/(?<path>.+)/tune`,
      ops: {
        read: ({ core, params }) => ({ data: readTune(core, kind, params.path) }),
        update: ({ core, params, data }) => {
          if (tuneBuiltinToken(core, kind, params.path, data)) return noContent();
          const e = core.mounts.find(kind, params.path.replace(/\/?$/, '/'));
          const lockout = e && tuneUserLockout(e.type, e.config.user_lockout_config, data.user_lockout_config);
          core.mounts.tune(kind, params.path, {
            description: data.description === undefined ? undefined : str(data, 'description'),
            config: {
              ...(lockout ? { user_lockout_config: lockout } : {}),
              ...(data.default_lease_ttl !== undefined ? { default_lease_ttl: parseDuration(data.default_lease_ttl) } : {}),
              ...(data.max_lease_ttl !== undefined ? { max_lease_ttl: parseDuration(data.max_lease_ttl) } : {}),
              ...(data.listing_visibility !== undefined ? { listing_visibility: listingVisibility(data) } : {}),
              ...parseAuditKeys(data),
            },
            options: data.options as Record<string, string> | undefined,
          });
          return noContent();
        },
      },
    },
    {
      pattern: `${base}/(?<path>.+)`,
      sudo: kind === 'auth',
      ops: {
        read: ({ core, params }) => {
          const e = core.mounts.find(kind, params.path.replace(/\/?$/, '/'));
          return e ? { data: mountView(e) } : notFound();
        },
        update: ({ core, params, data }) => {
          core.mounts.enable(kind, enableInput(data, params.path));
          return noContent();
        },
        delete: ({ core, params }) => {
          core.mounts.disable(kind, params.path);
          return noContent();
        },
      },
    },
  ];
}

export const mountRoutes: Route<Core>[] = [
  ...tableRoutes('secret', 'sys/mounts'),
  ...tableRoutes('auth', 'sys/auth'),
  {
    pattern: 'sys/internal/ui/mounts',
    ops: { read: ({ core }) => ({ data: { secret: listing(core, 'secret'), auth: listing(core, 'auth') } }) },
  },
  {
    // The Vault CLI's `kv` commands discover a path's mount and KV version
    // here. As in Vault it needs no policy on this path: any token whose
    // policies grant something under the mount may read it (hasMountAccess).
    pattern: 'sys/internal/ui/mounts/(?<path>.+)',
    unauthenticated: true,
    ops: {
      read: ({ core, req, params }) => {
        const r = core.mounts.route(params.path);
        const noAccess = `preflight capability check returned 403, please ensure client's policies grant access to path "${params.path}/"`;
        if (!r || r.mount.kind !== 'secret') throw badRequest(noAccess);
        const caller = req.caller;
        if (!caller || !(caller.root || core.policies.aclFor(caller.policies).hasAccessUnder(r.mount.entry.path))) throw new VaultError('permission_denied', noAccess);
        return { data: { ...mountView(r.mount.entry), path: r.mount.entry.path } };
      },
    },
  },
];
