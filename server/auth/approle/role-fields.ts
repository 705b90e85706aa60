import type { RoleEntry } from './role-store';
import { roleData } from './role-store';

// role/:name/<field> (vault approle path_role.go): one role property per path,
// so an ACL can delegate just that one. Read shows it, POST sets it, DELETE
// puts back its default; writes go through the role's full checks.

export interface RoleFieldPath {
  /** Body fields a POST may carry (the first is the one Vault names when none is given). */
  fields: string[];
  /** DELETE writes these. Absent: the field cannot be deleted. */
  reset?: Record<string, unknown>;
  read(role: RoleEntry): Record<string, unknown>;
  readOnly?: boolean;
}

const pick = (name: string) => (role: RoleEntry) => ({ [name]: roleData(role)[name] });

export const ROLE_FIELD_PATHS: Record<string, RoleFieldPath> = {
  policies: {
    fields: ['token_policies', 'policies'],
    reset: { token_policies: [] },
    read: (r) => ({ policies: r.token_policies, token_policies: r.token_policies }),
  },
  period: {
    fields: ['token_period', 'period'],
    reset: { token_period: 0 },
    read: (r) => ({ period: r.token_period, token_period: r.token_period }),
  },
  'secret-id-num-uses': { fields: ['secret_id_num_uses'], reset: { secret_id_num_uses: 0 }, read: pick('secret_id_num_uses') },
  'secret-id-ttl': { fields: ['secret_id_ttl'], reset: { secret_id_ttl: 0 }, read: pick('secret_id_ttl') },
  'secret-id-bound-cidrs': { fields: ['secret_id_bound_cidrs'], reset: { secret_id_bound_cidrs: [] }, read: pick('secret_id_bound_cidrs') },
  'bind-secret-id': { fields: ['bind_secret_id'], reset: { bind_secret_id: true }, read: pick('bind_secret_id') },
  'token-ttl': { fields: ['token_ttl'], reset: { token_ttl: 0 }, read: pick('token_ttl') },
  'token-max-ttl': { fields: ['token_max_ttl'], reset: { token_max_ttl: 0 }, read: pick('token_max_ttl') },
  'token-num-uses': { fields: ['token_num_uses'], reset: { token_num_uses: 0 }, read: pick('token_num_uses') },
  'token-bound-cidrs': { fields: ['token_bound_cidrs'], reset: { token_bound_cidrs: [] }, read: pick('token_bound_cidrs') },
  'local-secret-ids': { fields: ['local_secret_ids'], read: pick('local_secret_ids'), readOnly: true },
};

/** The part of a body this path may set. */
export function fieldBody(path: RoleFieldPath, body: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const f of path.fields) if (body[f] !== undefined) out[f] = body[f];
  return Object.keys(out).length ? out : null;
}
