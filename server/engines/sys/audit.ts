import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import type { AuditEntry } from '../../audit/table';
import { badRequest } from '../../errors';
import { bool, mergedJson, noContent, str } from './respond';

// sys/audit (list, enable, disable) and sys/audit-hash (vault
// website/content/api-docs/system/audit.mdx, audit-hash.mdx). Listing,
// enabling and disabling need sudo, as in Vault.
function deviceView(e: AuditEntry): Record<string, unknown> {
  return { type: e.type, description: e.description, options: e.options, local: e.local, path: e.path };
}

function optionsOf(data: Record<string, unknown>): Record<string, string> {
  const raw = data.options ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest("'options' must be a map");
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

export const auditRoutes: Route<Core>[] = [
  {
    pattern: 'sys/audit',
    sudo: true,
    ops: {
      read: ({ core, req }) => mergedJson(req, Object.fromEntries(core.audit.entries().map((e) => [e.path, deviceView(e)]))),
    },
  },
  {
    pattern: 'sys/audit/(?<path>.+)',
    sudo: true,
    ops: {
      update: async ({ core, params, data }) => {
        await core.audit.enable({ path: params.path, type: str(data, 'type'), description: str(data, 'description'), options: optionsOf(data), local: bool(data, 'local') });
        return noContent();
      },
      delete: ({ core, params }) => {
        core.audit.disable(params.path);
        return noContent();
      },
    },
  },
  {
    pattern: 'sys/audit-hash/(?<path>.+)',
    ops: {
      update: ({ core, params, data, req }) => {
        if (typeof data.input !== 'string') throw badRequest("'input' must be a string");
        return mergedJson(req, { hash: core.audit.hash(params.path, data.input) });
      },
    },
  },
];
