import type { Core } from '../core/core';
import type { Request, Response } from '../core/request';
import type { Route } from '../core/route';
import { authBlockOf, lookupDataOf, type TokenEntry } from '../core/tokens';
import { badRequest, permissionDenied, VaultError } from '../errors';
import { noContent, notFound, str } from '../engines/sys/respond';
import { parseDuration } from './duration';
import { createToken } from './token-create';
import { TokenRoles } from './token-roles';

// The token auth method (auth/token/*), built in as in Vault.

/** The caller's own token; `tainted` so a token on its last use can still read itself during that request. */
function currentEntry(core: Core, req: Request): TokenEntry {
  const e = core.tokens.lookup(req.caller?.tokenId ?? '', { tainted: true });
  if (!e) throw permissionDenied();
  return e;
}

/** auth/token/lookup: an unknown, expired or revoked token is a 403, as in Vault. */
function lookupTarget(core: Core, req: Request, data: Record<string, unknown>): TokenEntry {
  const token = str(data, 'token');
  if (!token) return currentEntry(core, req);
  const e = core.tokens.lookup(token, { tainted: true });
  if (!e) throw new VaultError('permission_denied', 'bad token');
  return e;
}

function renewTarget(core: Core, data: Record<string, unknown>): TokenEntry {
  const token = str(data, 'token');
  if (!token) throw badRequest('missing token ID');
  const e = core.tokens.lookup(token);
  if (!e) throw badRequest('token not found');
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

const increment = (data: Record<string, unknown>) => (data.increment !== undefined ? parseDuration(data.increment, 'increment') : undefined);

function renewed(core: Core, e: TokenEntry, data: Record<string, unknown>): Response {
  const r = core.tokens.renew(e, increment(data));
  return { auth: authBlockOf(r.entry, r.ttl) };
}

export const tokenRoutes: Route<Core>[] = [
  { pattern: 'auth/token/create', ops: { update: ({ core, req, data }) => createToken(core, req, data, {}) } },
  { pattern: 'auth/token/create-orphan', ops: { update: ({ core, req, data }) => createToken(core, req, data, { orphan: true }) } },
  {
    pattern: 'auth/token/create/(?<role>[^/]+)',
    ops: {
      update: ({ core, req, data, params }) => {
        const role = new TokenRoles(core.barrier).get(params.role);
        if (!role) throw badRequest(`unknown role ${params.role}`);
        return createToken(core, req, data, { role });
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
      update: ({ core, req, data }) => ({ data: lookupDataOf(lookupTarget(core, req, data)) }),
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
  { pattern: 'auth/token/renew-self', ops: { update: ({ core, req, data }) => renewed(core, currentEntry(core, req), data) } },
  { pattern: 'auth/token/renew', ops: { update: ({ core, data }) => renewed(core, renewTarget(core, data), data) } },
  {
    pattern: 'auth/token/renew-accessor',
    ops: {
      update: ({ core, data }) => {
        const res = renewed(core, targetByAccessor(core, data), data);
        return { auth: { ...res.auth!, client_token: '' } }; // an accessor never reveals the token (Vault blanks it)
      },
    },
  },
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
