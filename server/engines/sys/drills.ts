import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { badRequest } from '../../errors';
import { summaryOf } from '../../../lib/drill/summary';
import type { DrillReport } from '../../../lib/drill/types';
import { noContent, notFound } from './respond';

// sys/drills: the DR drill history (issue 12), kept behind the barrier under
// core/drills/ — key class `local`, so each cluster keeps the drills it ran
// (a performance secondary never sees its primary's). Reports name clusters
// and timings, so every path needs sudo, like Vault's other operator records.
const PREFIX = 'core/drills/';
const ID = '[A-Za-z0-9][A-Za-z0-9_.-]{0,127}';

function parseReport(id: string, data: Record<string, unknown>): DrillReport {
  if (data.version !== 1 || typeof data.plan !== 'object' || !data.plan || !Array.isArray(data.steps)) throw badRequest('a drill report (version 1) with plan and steps is required');
  if (data.id !== undefined && data.id !== id) throw badRequest(`report id "${String(data.id)}" does not match the path`);
  if (JSON.stringify(data).match(/"(token|drOperationToken|dr_operation_token)"\s*:/)) throw badRequest('drill reports never carry tokens');
  return { ...(data as unknown as DrillReport), id };
}

export const drillRoutes: Route<Core>[] = [
  {
    pattern: 'sys/drills/?',
    sudo: true,
    ops: {
      list: ({ core }) => {
        const ids = core.barrier.list(PREFIX).filter((k) => !k.endsWith('/')).sort();
        if (!ids.length) return notFound();
        const info: Record<string, unknown> = {};
        for (const id of ids) {
          const r = core.barrier.getJSON<DrillReport>(PREFIX + id);
          if (r) info[id] = summaryOf(r);
        }
        return { data: { keys: ids, key_info: info } };
      },
    },
  },
  {
    pattern: `sys/drills/(?<id>${ID})`,
    sudo: true,
    ops: {
      read: ({ core, params }) => {
        const r = core.barrier.getJSON<DrillReport>(PREFIX + params.id);
        return r ? { data: r as unknown as Record<string, unknown> } : notFound();
      },
      update: ({ core, params, data }) => {
        core.barrier.putJSON(PREFIX + params.id, parseReport(params.id, data));
        return noContent();
      },
      delete: ({ core, params }) => {
        core.barrier.delete(PREFIX + params.id);
        return noContent();
      },
    },
  },
];
