import type { Core } from '../core/core';
import type { Request, Response } from '../core/request';
import type { Route } from '../core/route';
import { authBlockOf, lookupDataOf, type TokenEntry } from '../core/tokens';
import { badRequest, permissionDenied } from '../errors';
import { bool, int, noContent, notFound, str, strList } from '../engines/sys/respond';
import { parseDuration } from './duration';
import { TokenRoles, type TokenRole } from './token-roles';

// The token auth method (auth/token/*), built in as in Vault.
function currentEntry(core: Core, req: Request): TokenEntry {
  const e = core.tokens.lookup(req.caller?.tokenId ?? '');
  if (!e) throw permissionDenied();
  return e;
}

function targetByToken(core: Core, data: Record<string, unknown>): TokenEntry {
  const token = str(data, 'token');
  if (!token) throw badRequest('missing token');
  const e = core.tokens.lookup(token);
  if (!e) throw badRequest('bad token');
  return e;
}

function targetByAccessor(core: Core, data: Record<string, unknown>): TokenEntry {
  const accessor = str(data, 'accessor');
  if (!accessor) throw badRequest('missing accessor');
  const e = core.tokens.lookupAccessor(accessor);
  if (!e) throw badRequest('invalid accessor');
  return e;
}

function create(core: Core, req: Request, data: Record<string, unknown>, opts: { orphan?: boolean; role?: TokenRole }): Response {
  const parent = currentEntry(core, req);
  const parentRoot = parent.policies.includes('root');
  const role = opts.role;
  let policies = strList(data, 'policies');
  if (role) {
    if (!policies?.length) policies = role.allowed_policies.length ? role.allowed_policies : parent.policies.filter((p) => p !== 'root');
    const allowed = new Set([...role.allowed_policies, 'default']);
    if (role.allowed_policies.length && policies.some((p) => !allowed.has(p)))
      throw badRequest('token policies must be subset of the role\'s allowed policies');
    if (policies.some((p) => role.disallowed_policies.includes(p))) throw badRequest('token policies contain a disallowed policy');
  } else {
    if (!policies?.length) policies = parent.policies;
    if (!parentRoot) {
      const own = new Set([...parent.policies, 'default']);
      if (policies.some((p) => !own.has(p))) throw badRequest('child policies must be subset of parent');
    }
  }
  const noParent = bool(data, 'no_parent');
  if (noParent && !parentRoot) {
    const acl = core.policies.aclFor(parent.policies);
    if (!acl.allows(req.path, 'sudo')) throw badRequest('root or sudo privileges required to create orphan token');
  }
  if (data.id !== undefined && !parentRoot) throw badRequest('root or sudo privileges required to specify token id');
  const requestedType = str(data, 'type', '');
  let type: 'service' | 'batch' = requestedType === 'batch' ? 'batch' : 'service';
  if (role) {
    if (role.token_type === 'batch') type = 'batch';
    else if (role.token_type === 'service') type = 'service';
    else if (!requestedType) type = role.token_type === 'default-batch' ? 'batch' : 'service';
  }
  if (requestedType && !['service', 'batch'].includes(requestedType)) throw badRequest(`invalid 'type' value "${requestedType}"`);
  const orphan = opts.orphan || noParent || role?.orphan || false;
  const ttl = data.ttl !== undefined ? parseDuration(data.ttl, 'ttl') : role?.token_ttl || undefined;
  const entry = core.tokens.create({
    policies,
    path: req.path,
    displayName: 'token' + (str(data, 'display_name') ? '-' + str(data, 'display_name') : ''),
    meta: (data.meta as Record<string, string>) ?? null,
    ttl,
    explicitMaxTtl: data.explicit_max_ttl !== undefined ? parseDuration(data.explicit_max_ttl, 'explicit_max_ttl') : role?.token_explicit_max_ttl,
    period: data.period !== undefined ? parseDuration(data.period, 'period') : role?.token_period,
    numUses: int(data, 'num_uses', role?.token_num_uses ?? 0),
    renewable: bool(data, 'renewable', role?.renewable ?? true),
    parent: orphan ? null : parent,
    orphan,
    type,
    role: role?.name,
    id: data.id !== undefined ? str(data, 'id') : undefined,
    entityId: parent.entityId,
    noDefaultPolicy: bool(data, 'no_default_policy', role?.token_no_default_policy ?? false),
  });
  return { auth: authBlockOf(entry) };
}

function renewed(e: TokenEntry): Response {
  return { auth: authBlockOf(e) };
}

export const tokenRoutes: Route<Core>[] = [
  { pattern: 'auth/token/create', ops: { update: ({ core, req, data }) => create(core, req, data, {}) } },
  { pattern: 'auth/token/create-orphan', ops: { update: ({ core, req, data }) => create(core, req, data, { orphan: true }) } },
  {
    pattern: 'auth/token/create/(?<role>[^/]+)',
    ops: {
      update: ({ core, req, data, params }) => {
        const role = new TokenRoles(core.barrier).get(params.role);
        if (!role) throw badRequest(`unknown role ${params.role}`);
        return create(core, req, data, { role });
      },
    },
  },
  {
    pattern: 'auth/token/lookup-self',
    ops: {
      read: ({ core, req }) => ({ data: lookupDataOf(currentEntry(core, req)) }),
      update: ({ core, req }) => ({ data: lookupDataOf(currentEntry(core, req)) }),
    },
  },
  {
    pattern: 'auth/token/lookup',
    ops: {
      update: ({ core, data }) => ({ data: lookupDataOf(targetByToken(core, data)) }),
      read: ({ core, req }) => ({ data: lookupDataOf(currentEntry(core, req)) }),
    },
  },
  {
    pattern: 'auth/token/lookup-accessor',
    ops: {
      update: ({ core, data }) => {
        const d = lookupDataOf(targetByAccessor(core, data));
        return { data: { ...d, id: '' } }; // an accessor never reveals the token
      },
    },
  },
  { pattern: 'auth/token/renew-self', ops: { update: ({ core, req, data }) => renewed(core.tokens.renew(currentEntry(core, req), data.increment !== undefined ? parseDuration(data.increment, 'increment') : undefined)) } },
  { pattern: 'auth/token/renew', ops: { update: ({ core, data }) => renewed(core.tokens.renew(targetByToken(core, data), data.increment !== undefined ? parseDuration(data.increment, 'increment') : undefined)) } },
  { pattern: 'auth/token/renew-accessor', ops: { update: ({ core, data }) => renewed(core.tokens.renew(targetByAccessor(core, data), data.increment !== undefined ? parseDuration(data.increment, 'increment') : undefined)) } },
  {
    pattern: 'auth/token/revoke-self',
    ops: {
      update: ({ core, req }) => {
        core.tokens.revoke(currentEntry(core, req));
        return noContent();
      },
    },
  },
  {
    pattern: 'auth/token/revoke',
    ops: {
      update: ({ core, data }) => {
        const token = str(data, 'token');
        if (!token) throw badRequest('missing token');
        const e = core.tokens.lookup(token);
        if (e) core.tokens.revoke(e);
        return noContent();
      },
    },
  },
  {
    pattern: 'auth/token/revoke-accessor',
    ops: {
      update: ({ core, data }) => {
        core.tokens.revoke(targetByAccessor(core, data));
        return noContent();
      },
    },
  },
  {
    pattern: 'auth/token/revoke-orphan',
    sudo: true,
    ops: {
      update: ({ core, data }) => {
        core.tokens.revoke(targetByToken(core, data), { orphanChildren: true });
        return noContent();
      },
    },
  },
  {
    pattern: 'auth/token/roles/?',
    ops: {
      list: ({ core }) => {
        const keys = new TokenRoles(core.barrier).list();
        return keys.length ? { data: { keys } } : notFound();
      },
    },
  },
  {
    pattern: 'auth/token/roles/(?<role>[^/]+)',
    ops: {
      read: ({ core, params }) => {
        const role = new TokenRoles(core.barrier).get(params.role);
        return role ? { data: { ...role } } : notFound();
      },
      update: ({ core, params, data }) => {
        new TokenRoles(core.barrier).write(params.role, data);
        return noContent();
      },
      delete: ({ core, params }) => {
        new TokenRoles(core.barrier).delete(params.role);
        return noContent();
      },
    },
  },
  {
    pattern: 'auth/token/accessors/?',
    sudo: true,
    ops: { list: ({ core }) => ({ data: { keys: core.tokens.listAccessors() } }) },
  },
];
