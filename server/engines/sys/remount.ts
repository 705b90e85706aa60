import type { Core } from '../../core/core';
import { newUuid } from '../../core/ids';
import type { TableKind } from '../../core/mounts';
import type { Route } from '../../core/route';
import { badRequest } from '../../errors';
import { notFound, str } from './respond';

// sys/remount (vault/logical_system.go handleRemount, Vault 1.10+): answers
// with a migration_id whose progress sys/remount/status/:migration_id reports.
// Vault moves the data in the background; here a mount's data lives under its
// uuid, so the move is one table write, done before the answer: the status is
// already "success". As in Vault, migration records live in memory only.
const MOVE_WARNING = "Mount move has been queued. Progress will be reported in Vault's server log, tagged with the returned migration_id";
const PROTECTED = ['sys/', 'cubbyhole/', 'identity/', 'auth/token/', 'audit/'];

interface Migration {
  source_mount: string;
  target_mount: string;
  status: 'in-progress' | 'success' | 'failure';
}
const migrations = new WeakMap<Core, Map<string, Migration>>();

const withSlash = (p: string) => p.replace(/^\/+/, '').replace(/\/?$/, '/');

function remount(core: Core, fromRaw: string, toRaw: string): Migration {
  const from = withSlash(fromRaw);
  const to = withSlash(toRaw);
  if (PROTECTED.some((p) => from.startsWith(p))) throw badRequest(`cannot remount "${from}"`);
  const fromAuth = from.startsWith('auth/');
  if (fromAuth !== to.startsWith('auth/')) throw badRequest(`cannot remount "${from}" to "${to}": an auth method moves only under auth/, a secrets engine never does`);
  const kind: TableKind = fromAuth ? 'auth' : 'secret';
  const strip = (p: string) => (fromAuth ? p.slice('auth/'.length) : p);
  core.mounts.move(kind, strip(from), strip(to));
  core.logger.info({ from, to }, 'mount moved');
  return { source_mount: from, target_mount: to, status: 'success' };
}

export const remountRoutes: Route<Core>[] = [
  {
    pattern: 'sys/remount',
    sudo: true,
    ops: {
      update: ({ core, data }) => {
        const from = str(data, 'from');
        const to = str(data, 'to');
        if (!from || !to) throw badRequest("both 'from' and 'to' path must be specified as a string");
        const migration = remount(core, from, to);
        const id = newUuid();
        let byId = migrations.get(core);
        if (!byId) migrations.set(core, (byId = new Map()));
        byId.set(id, migration);
        return { data: { migration_id: id }, warnings: [MOVE_WARNING] };
      },
    },
  },
  {
    pattern: 'sys/remount/status/(?<id>[^/]+)',
    ops: {
      read: ({ core, params }) => {
        const m = migrations.get(core)?.get(params.id);
        return m ? { data: { migration_id: params.id, migration_info: { ...m } } } : notFound();
      },
    },
  },
];
