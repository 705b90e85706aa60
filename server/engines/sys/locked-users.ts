import type { Core } from '../../core/core';
import type { Route } from '../../core/route';
import { badRequest } from '../../errors';
import { noContent } from './respond';

// sys/locked-users (Vault ≥ 1.13, api-docs/system/user-lockout): list the
// users locked out of their auth mount, and unlock one. Ordinary ACL paths:
// a token needs read on sys/locked-users or update on the unlock path.
/** framework.GenericNameRegex: what Vault accepts for mount_accessor and alias_identifier. */
const NAME = String.raw`\w(?:[\w\-.@]*\w)?`;

export const lockedUserRoutes: Route<Core>[] = [
  {
    pattern: 'sys/locked-users',
    ops: {
      read: ({ core, req, data }) => {
        const raw = data.mount_accessor ?? req.query.mount_accessor;
        if (raw !== undefined && typeof raw !== 'string') throw badRequest("'mount_accessor' must be a string");
        return { data: { ...core.lockout.lockedUsers(raw || undefined) } };
      },
    },
  },
  {
    pattern: `sys/locked-users/(?<accessor>${NAME})/unlock/(?<alias>${NAME})`,
    ops: {
      update: ({ core, params }) => {
        core.lockout.unlock(params.accessor, params.alias);
        return noContent();
      },
    },
  },
];
