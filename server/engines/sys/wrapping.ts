import type { Core } from '../../core/core';
import type { Request } from '../../core/request';
import type { Route } from '../../core/route';
import { badRequest } from '../../errors';
import { rawJson } from './respond';

// sys/wrapping/{wrap,unwrap,lookup,rewrap}. The wrapping token may come as
// X-Vault-Token or as `token` in the body (not both), as in Vault.
function wrapTokenOf(req: Request, data: Record<string, unknown>): string {
  const body = data.token;
  if (body !== undefined && typeof body !== 'string') throw badRequest("'token' must be a string");
  if (body && req.clientToken && req.clientToken !== body && !req.caller) {
    // A client token plus a body token: the body names the wrapping token.
    return body;
  }
  return (body as string) || req.clientToken;
}

/**
 * A replication activation token is a signed JWT whose jti is the real
 * wrapping token; its entry opens only through the verified JWT (viaJwt), so
 * the bare jti alone redeems nothing.
 */
async function resolveWrapToken(core: Core, token: string): Promise<{ token: string; viaJwt: boolean }> {
  if (token.split('.').length === 3 && core.jwtWrappingToken) return { token: await core.jwtWrappingToken(token), viaJwt: true };
  return { token, viaJwt: false };
}

export const wrappingRoutes: Route<Core>[] = [
  {
    pattern: 'sys/wrapping/wrap',
    ops: {
      update: ({ req, data }) => {
        if (!req.wrapTtl) throw badRequest('wrap ttl must be specified with the X-Vault-Wrap-TTL header');
        return { data };
      },
    },
  },
  {
    pattern: 'sys/wrapping/unwrap',
    unauthenticated: true,
    ops: {
      update: async ({ core, req, data }) => {
        const { token, viaJwt } = await resolveWrapToken(core, wrapTokenOf(req, data));
        const original = core.wrapping.unwrap(token, { viaJwt });
        return rawJson({ ...original, request_id: req.id });
      },
    },
  },
  {
    pattern: 'sys/wrapping/lookup',
    unauthenticated: true,
    ops: {
      update: async ({ core, req, data }) => {
        const { token, viaJwt } = await resolveWrapToken(core, wrapTokenOf(req, data));
        return { data: core.wrapping.lookup(token, { viaJwt }) };
      },
      read: ({ core, req }) => ({ data: core.wrapping.lookup(req.clientToken) }),
    },
  },
  {
    pattern: 'sys/wrapping/rewrap',
    unauthenticated: true,
    ops: { update: ({ core, req, data }) => ({ wrapInfo: core.wrapping.rewrap(wrapTokenOf(req, data)) }) },
  },
];
