import { randomBytes, randomUUID } from 'node:crypto';
import type { StorageView } from '../../core/storage-view';
import { badRequest } from '../../errors';
import { parseDuration } from '../duration';
import { applyTokenFields, boolField, cidrList, defaultTokenFields, intField, tokenFieldsData, type LegacyField, type TokenFields } from '../token-fields';
import { hmacOf } from './hmac';

// AppRole roles (vault builtin/credential/approle path_role.go). A role lives
// at role/<lowercased name>; its role_id is indexed under role_id/<HMAC of
// the role_id> so a login finds the role without the role_id in any key. The
// HMAC key is the mount's salt, made with the first role (roles are written
// on the primary only, so a performance secondary never has to make one).

/** Deprecated role fields Vault's AppRole still takes (tokenutil.UpgradeValue). */
export const ROLE_LEGACY: readonly LegacyField[] = ['policies', 'period'];
const ROLE_PREFIX = 'role/';
const ROLE_ID_PREFIX = 'role_id/';
const SALT_KEY = 'salt';
/** Vault's framework.GenericNameRegex. */
export const ROLE_NAME = /^\w(?:[\w\-.]*\w)?$/;

export interface RoleEntry extends TokenFields {
  name: string;
  role_id: string;
  bind_secret_id: boolean;
  secret_id_bound_cidrs: string[];
  secret_id_num_uses: number;
  /** seconds; 0 = secret-ids never expire */
  secret_id_ttl: number;
  /** Secret-ids stay on the cluster that made them (fixed at creation). */
  local_secret_ids: boolean;
}

export class RoleStore {
  constructor(private readonly storage: StorageView) {}

  get(name: string): RoleEntry | null {
    return this.storage.getJSON<RoleEntry>(ROLE_PREFIX + name.toLowerCase());
  }

  list(): string[] {
    return this.storage.list(ROLE_PREFIX);
  }

  /** The mount's HMAC key; null until the first role exists (then nothing can match anyway). */
  salt(): string | null {
    return this.storage.getJSON<string>(SALT_KEY);
  }

  byRoleId(roleId: string): RoleEntry | null {
    const salt = this.salt();
    const index = salt === null ? null : this.storage.getJSON<{ name: string }>(ROLE_ID_PREFIX + hmacOf(salt, roleId));
    return index ? this.get(index.name) : null;
  }

  /** Create or update a role from a request body (pathRoleCreateUpdate). */
  write(name: string, body: Record<string, unknown>): RoleEntry {
    const existing = this.get(name);
    const role: RoleEntry = existing
      ? structuredClone(existing)
      : { ...defaultTokenFields(), name: name.toLowerCase(), role_id: '', bind_secret_id: true, secret_id_bound_cidrs: [], secret_id_num_uses: 0, secret_id_ttl: 0, local_secret_ids: false };
    applyRoleFields(role, body, existing === null);
    const roleId = body.role_id !== undefined ? String(body.role_id).trim() : role.role_id || randomUUID();
    if (roleId === '') throw badRequest('invalid role_id supplied, or failed to generate a role_id');
    this.save(role, roleId, existing?.role_id ?? null);
    return role;
  }

  /** role/:name/role-id POST: a custom role_id for an existing role. */
  setRoleId(role: RoleEntry, roleId: string): void {
    this.save(structuredClone(role), roleId, role.role_id);
  }

  /** Store the role and move its role_id index, refusing a role_id another role holds. */
  private save(role: RoleEntry, roleId: string, previousRoleId: string | null): void {
    const salt = this.salt() ?? randomBytes(32).toString('hex');
    const holder = this.storage.getJSON<{ name: string }>(ROLE_ID_PREFIX + hmacOf(salt, roleId));
    if (holder && holder.name !== role.name) throw badRequest('role_id already in use');
    role.role_id = roleId;
    const writes: { key: string; value: unknown }[] = [];
    if (this.salt() === null) writes.push({ key: SALT_KEY, value: salt });
    if (previousRoleId !== null && previousRoleId !== roleId) writes.push({ key: ROLE_ID_PREFIX + hmacOf(salt, previousRoleId), value: null });
    writes.push({ key: ROLE_ID_PREFIX + hmacOf(salt, roleId), value: { name: role.name } });
    writes.push({ key: ROLE_PREFIX + role.name, value: role });
    this.storage.putMany(writes);
  }

  /** Remove the role and its role_id index (its secret-ids go with it: the caller flushes them). */
  delete(role: RoleEntry): void {
    const salt = this.salt();
    const writes: { key: string; value: null }[] = [{ key: ROLE_PREFIX + role.name, value: null }];
    if (salt !== null) writes.push({ key: ROLE_ID_PREFIX + hmacOf(salt, role.role_id), value: null });
    this.storage.putMany(writes);
  }
}

/** The role's fields as a read shows them (pathRoleRead). */
export function roleData(role: RoleEntry): Record<string, unknown> {
  return {
    bind_secret_id: role.bind_secret_id,
    local_secret_ids: role.local_secret_ids,
    secret_id_bound_cidrs: role.secret_id_bound_cidrs,
    secret_id_num_uses: role.secret_id_num_uses,
    secret_id_ttl: role.secret_id_ttl,
    ...tokenFieldsData(role),
  };
}

/** Apply the fields a body sets, then check the role as a whole (Vault's create/update checks). */
export function applyRoleFields(role: RoleEntry, body: Record<string, unknown>, creating: boolean): void {
  if (body.bind_secret_id !== undefined) role.bind_secret_id = boolField(body, 'bind_secret_id');
  if (body.secret_id_bound_cidrs !== undefined && body.bound_cidr_list !== undefined) throw badRequest('cannot set both "secret_id_bound_cidrs" and "bound_cidr_list"');
  const boundCidrs = body.secret_id_bound_cidrs ?? body.bound_cidr_list;
  if (boundCidrs !== undefined) role.secret_id_bound_cidrs = cidrList(boundCidrs, 'secret_id_bound_cidrs');
  if (body.secret_id_num_uses !== undefined) {
    const n = intField(body, 'secret_id_num_uses');
    if (n < 0) throw badRequest('secret_id_num_uses cannot be negative');
    role.secret_id_num_uses = n;
  }
  if (body.secret_id_ttl !== undefined) role.secret_id_ttl = parseDuration(body.secret_id_ttl, 'secret_id_ttl');
  if (body.local_secret_ids !== undefined) {
    if (!creating) throw badRequest('local_secret_ids can only be modified during role creation');
    role.local_secret_ids = boolField(body, 'local_secret_ids');
  }
  applyTokenFields(role, body, ROLE_LEGACY);
  if (!role.bind_secret_id && role.secret_id_bound_cidrs.length === 0 && role.token_bound_cidrs.length === 0)
    throw badRequest('at least one constraint should be enabled on the role');
}
