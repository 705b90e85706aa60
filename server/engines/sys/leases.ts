import type { Core } from '../../core/core';
import { envelope } from '../../core/envelope';
import { TokenLeases } from '../../core/leases';
import type { Response } from '../../core/request';
import type { Route, RouteContext } from '../../core/route';
import { badRequest } from '../../errors';
import { bool, noContent, notFound, str } from './respond';

// sys/leases/* and the legacy sys/renew, sys/revoke, sys/revoke-prefix,
// sys/revoke-force (vault/logical_system.go, api-docs/system/leases.mdx).
const TIDY_WARNING = "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs.";

const leasesOf = (core: Core) => new TokenLeases(core.tokens);

/** lease_id from the body, or the rest of the URL (url_lease_id). */
function leaseIdOf({ data, params }: RouteContext<Core>): string {
  const id = str(data, 'lease_id') || params.url || '';
  if (!id) throw badRequest('lease_id must be specified');
  return id;
}

const accepted = (body?: unknown): Response => ({ raw: { status: 202, body } });

function revokePrefix(ctx: RouteContext<Core>): Response {
  const prefix = ctx.params.prefix;
  const n = leasesOf(ctx.core).revokePrefix(prefix);
  ctx.core.logger.info({ prefix, revoked: n, force: ctx.req.path.includes('revoke-force') }, 'revoked leases by prefix');
  return bool(ctx.data, 'sync', true) ? noContent() : accepted();
}

export const leaseRoutes: Route<Core>[] = [
  {
    pattern: 'sys/leases/lookup',
    ops: { update: (ctx) => ({ data: { ...leasesOf(ctx.core).lookup(leaseIdOf(ctx)) } }) },
  },
  {
    pattern: 'sys/leases/lookup/(?<prefix>.*)',
    sudo: true,
    ops: {
      list: ({ core, params }) => {
        const keys = leasesOf(core).list(params.prefix);
        return keys.length ? { data: { keys } } : notFound();
      },
    },
  },
  {
    pattern: 'sys/(?:leases/)?renew(?:/(?<url>.+))?',
    ops: { update: (ctx) => leasesOf(ctx.core).renew(leaseIdOf(ctx)) },
  },
  {
    pattern: 'sys/(?:leases/)?revoke(?:/(?<url>.+))?',
    ops: {
      update: (ctx) => {
        leasesOf(ctx.core).revoke(leaseIdOf(ctx));
        return bool(ctx.data, 'sync', true) ? noContent() : accepted();
      },
    },
  },
  { pattern: 'sys/(?:leases/)?revoke-prefix/(?<prefix>.+)', sudo: true, ops: { update: revokePrefix } },
  // Token revocation cannot fail in a way force would skip: the same sweep.
  { pattern: 'sys/(?:leases/)?revoke-force/(?<prefix>.+)', sudo: true, ops: { update: revokePrefix } },
  {
    pattern: 'sys/leases/tidy',
    ops: {
      update: ({ core, req }) => {
        const removed = core.tokens.tidy();
        core.logger.info(removed, 'tidied leases');
        return accepted(envelope({ ...req, id: '' }, { warnings: [TIDY_WARNING] }));
      },
    },
  },
  {
    // GET sys/leases?type=irrevocable lists the irrevocable leases (none here); any other type answers with no content.
    pattern: 'sys/leases',
    ops: {
      read: ({ core, data }) => (str(data, 'type').toLowerCase() === 'irrevocable' ? { data: { ...leasesOf(core).irrevocableList() } } : noContent()),
    },
  },
  {
    pattern: 'sys/leases/count',
    ops: {
      // Vault counts only irrevocable leases; any other type answers with no content.
      read: ({ core, data }) => (str(data, 'type').toLowerCase() === 'irrevocable' ? { data: { ...leasesOf(core).irrevocableCounts() } } : noContent()),
    },
  },
];
