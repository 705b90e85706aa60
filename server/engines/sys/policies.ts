import type { Core } from '../../core/core';
import type { Request, Response } from '../../core/request';
import type { Route } from '../../core/route';
import { badRequest } from '../../errors';
import { mergedJson, noContent, notFound, str, strList } from './respond';

// sys/policy (legacy shape), sys/policies/acl, sys/capabilities*.
function policyText(data: Record<string, unknown>): string {
  const text = data.policy ?? data.rules;
  if (typeof text !== 'string' || !text.trim()) throw badRequest("'policy' parameter not supplied or empty");
  // Vault accepts the policy base64-encoded too.
  if (!/[{}"=]/.test(text) && /^[A-Za-z0-9+/=\s]+$/.test(text)) return Buffer.from(text, 'base64').toString();
  return text;
}

function capabilitiesOf(core: Core, policies: string[], data: Record<string, unknown>): Record<string, unknown> {
  const paths = strList(data, 'paths') ?? (data.path !== undefined ? [str(data, 'path')] : undefined);
  if (!paths?.length) throw badRequest("'path' or 'paths' must be specified");
  const acl = core.policies.aclFor(policies);
  const out: Record<string, unknown> = {};
  for (const p of paths) {
    const caps = acl.capabilities(p.replace(/^\/+/, ''));
    out[p] = caps.length ? caps : ['deny']; // Vault reports no matching rule as deny
  }
  if (paths.length === 1) out.capabilities = out[paths[0]];
  return out;
}

/**
 * One named ACL policy. The legacy sys/policy/:name answers {name, rules} at
 * the top level too; sys/policies/acl/:name answers {name, policy} in data.
 */
function namedPolicyRoute(pattern: string, shape: (req: Request, name: string, text: string) => Response): Route<Core> {
  return {
    pattern,
    ops: {
      read: ({ core, req, params }) => {
        if (params.name === 'root') return shape(req, 'root', '');
        const p = core.policies.get(params.name);
        return p ? shape(req, p.name, p.raw) : notFound();
      },
      update: ({ core, params, data }) => {
        core.policies.set(params.name, policyText(data));
        return noContent();
      },
      delete: ({ core, params }) => {
        core.policies.delete(params.name);
        return noContent();
      },
    },
  };
}

export const policyRoutes: Route<Core>[] = [
  {
    pattern: 'sys/policy',
    ops: { read: ({ core, req }) => mergedJson(req, { policies: core.policies.list(), keys: core.policies.list() }) },
  },
  namedPolicyRoute('sys/policy/(?<name>[^/]+)', (req, name, rules) => mergedJson(req, { name, rules })),
  {
    pattern: 'sys/policies/acl/?',
    ops: { list: ({ core }) => ({ data: { keys: core.policies.list() } }) },
  },
  namedPolicyRoute('sys/policies/acl/(?<name>[^/]+)', (_req, name, policy) => ({ data: { name, policy } })),
  {
    pattern: 'sys/capabilities-self',
    ops: { update: ({ core, req, data }) => mergedJson(req, capabilitiesOf(core, req.caller?.policies ?? [], data)) },
  },
  {
    pattern: 'sys/capabilities',
    ops: {
      update: ({ core, req, data }) => {
        const target = core.tokens.lookup(str(data, 'token'));
        if (!target) throw badRequest('invalid token');
        return mergedJson(req, capabilitiesOf(core, target.policies, data));
      },
    },
  },
  {
    pattern: 'sys/capabilities-accessor',
    ops: {
      update: ({ core, req, data }) => {
        const target = core.tokens.lookupAccessor(str(data, 'accessor'));
        if (!target) throw badRequest('invalid accessor');
        return mergedJson(req, capabilitiesOf(core, target.policies, data));
      },
    },
  },
];
