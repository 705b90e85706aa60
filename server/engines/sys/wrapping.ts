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
        let token = wrapTokenOf(req, data);
        // A replication activation token is a signed JWT whose jti is the real wrapping token.
        if (token.split('.').length === 3 && core.jwtWrappingToken) token = await core.jwtWrappingToken(token);
        const original = core.wrapping.unwrap(token);
        return rawJson({ ...original, request_id: req.id });
      },
    },
  },
  {
    pattern: 'sys/wrapping/lookup',
    unauthenticated: true,
    ops: {
      update: ({ core, req, data }) => ({ data: core.wrapping.lookup(wrapTokenOf(req, data)) }),
      read: ({ core, req }) => ({ data: core.wrapping.lookup(req.clientToken) }),
    },
  },
  {
    pattern: 'sys/wrapping/rewrap',
    unauthenticated: true,
    ops: { update: ({ core, req, data }) => ({ wrapInfo: core.wrapping.rewrap(wrapTokenOf(req, data)) }) },
  },
];
