import { randomUUID } from 'node:crypto';
import type { StorageView } from '../../core/storage-view';
import { badRequest } from '../../errors';
import { hmacOf } from './hmac';
import type { RoleEntry } from './role-store';

// AppRole secret-ids (vault approle validation.go). Stored only as
// HMAC-SHA256 under the mount's salt:
//   [local/]secret_id/<HMAC(role name)>/<HMAC(secret_id)>  the entry
//   [local/]accessor/<HMAC(accessor)>                      → that entry's key
// A role with local_secret_ids keeps them under local/ (class `local`,
// storage/key-class.ts): each cluster mints and spends its own. Otherwise they
// replicate, so a performance secondary writing one (generate, destroy, a
// num_uses decrement) hits storage's read-only refusal and the core forwards
// the request to the primary.

/** Vault shows a secret-id that never expires with Go's zero time. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface SecretIdEntry {
  secret_id_accessor: string;
  /** uses left; 0 = unlimited */
  secret_id_num_uses: number;
  secret_id_ttl: number;
  creation_time: number; // unix ms
  expiration_time: number; // unix ms, 0 = never
  last_updated_time: number; // unix ms
  metadata: Record<string, string>;
  cidr_list: string[];
  token_bound_cidrs: string[];
}

export interface SecretIdFound {
  entry: SecretIdEntry;
  /** The entry's storage key (under the mount view). */
  key: string;
}

interface AccessorIndex {
  key: string;
}

export type NewSecretId = Omit<SecretIdEntry, 'secret_id_accessor' | 'creation_time' | 'expiration_time' | 'last_updated_time'>;

const areaOf = (role: RoleEntry) => (role.local_secret_ids ? 'local/' : '');

export class SecretIdStore {
  constructor(
    private readonly storage: StorageView,
    private readonly salt: () => string | null,
  ) {}

  private roleDir(salt: string, role: RoleEntry): string {
    return `${areaOf(role)}secret_id/${hmacOf(salt, role.name)}/`;
  }

  private accessorKey(salt: string, role: RoleEntry, accessor: string): string {
    return `${areaOf(role)}accessor/${hmacOf(salt, accessor)}`;
  }

  /** Register a secret-id (generated or custom) with its accessor, in one storage transaction. */
  create(role: RoleEntry, secretId: string, fields: NewSecretId): SecretIdEntry {
    const salt = this.salt();
    if (salt === null) throw new Error('approle: no salt although a role exists');
    const key = this.roleDir(salt, role) + hmacOf(salt, secretId);
    if (this.storage.getJSON(key)) throw badRequest('SecretID is already registered');
    const now = Date.now();
    const entry: SecretIdEntry = {
      ...fields,
      secret_id_accessor: randomUUID(),
      creation_time: now,
      last_updated_time: now,
      expiration_time: fields.secret_id_ttl > 0 ? now + fields.secret_id_ttl * 1000 : 0,
    };
    this.storage.putMany([
      { key: this.accessorKey(salt, role, entry.secret_id_accessor), value: { key } satisfies AccessorIndex },
      { key, value: entry },
    ]);
    return entry;
  }

  find(role: RoleEntry, secretId: string): SecretIdFound | null {
    const salt = this.salt();
    if (salt === null) return null;
    const key = this.roleDir(salt, role) + hmacOf(salt, secretId);
    const entry = this.storage.getJSON<SecretIdEntry>(key);
    return entry ? { entry, key } : null;
  }

  /** By accessor, only among this role's secret-ids. */
  findByAccessor(role: RoleEntry, accessor: string): SecretIdFound | null {
    const salt = this.salt();
    if (salt === null) return null;
    const index = this.storage.getJSON<AccessorIndex>(this.accessorKey(salt, role, accessor));
    if (!index || !index.key.startsWith(this.roleDir(salt, role))) return null;
    const entry = this.storage.getJSON<SecretIdEntry>(index.key);
    return entry ? { entry, key: index.key } : null;
  }

  /** The role's secret-ids (for listing accessors, flushing and tidying). */
  all(role: RoleEntry): SecretIdFound[] {
    const salt = this.salt();
    if (salt === null) return [];
    const dir = this.roleDir(salt, role);
    return this.storage
      .list(dir)
      .map((h) => ({ key: dir + h, entry: this.storage.getJSON<SecretIdEntry>(dir + h) }))
      .filter((f): f is SecretIdFound => f.entry !== null);
  }

  destroy(role: RoleEntry, found: SecretIdFound): void {
    const salt = this.salt()!;
    this.storage.putMany([
      { key: this.accessorKey(salt, role, found.entry.secret_id_accessor), value: null },
      { key: found.key, value: null },
    ]);
  }

  /** A login spends one use: the last use deletes the secret-id (Vault: decrement, or delete at 1). */
  spend(role: RoleEntry, found: SecretIdFound): void {
    if (found.entry.secret_id_num_uses === 0) return;
    if (found.entry.secret_id_num_uses === 1) return this.destroy(role, found);
    this.storage.putJSON(found.key, { ...found.entry, secret_id_num_uses: found.entry.secret_id_num_uses - 1, last_updated_time: Date.now() });
  }

  /** Every role-name HMAC directory in one area (tidy walks them, roles or not). */
  roleDirs(local: boolean): string[] {
    const base = `${local ? 'local/' : ''}secret_id/`;
    return this.storage.list(base).map((d) => base + d);
  }

  /** Accessor index keys of one area, with what they point at. */
  accessors(local: boolean): { key: string; target: string | null }[] {
    const base = `${local ? 'local/' : ''}accessor/`;
    return this.storage.list(base).map((h) => ({ key: base + h, target: this.storage.getJSON<AccessorIndex>(base + h)?.key ?? null }));
  }

  /** Tidy's deletes: entries and index keys it found dangling or expired, in one transaction. */
  deleteKeys(keys: string[]): void {
    if (keys.length) this.storage.putMany(keys.map((key) => ({ key, value: null })));
  }

  entryAt(key: string): SecretIdEntry | null {
    return this.storage.getJSON<SecretIdEntry>(key);
  }

  /** Entry keys under one role-name directory. */
  keysIn(dir: string): string[] {
    return this.storage.list(dir).map((h) => dir + h);
  }

  /** The directory a role's secret-ids live in (null before any salt exists). */
  dirOf(role: RoleEntry): string | null {
    const salt = this.salt();
    return salt === null ? null : this.roleDir(salt, role);
  }
}

/** A secret-id's properties as lookups show them (no secret, ever). */
export function secretIdData(e: SecretIdEntry): Record<string, unknown> {
  const time = (ms: number) => (ms ? new Date(ms).toISOString() : ZERO_TIME);
  return {
    cidr_list: e.cidr_list,
    creation_time: time(e.creation_time),
    expiration_time: time(e.expiration_time),
    last_updated_time: time(e.last_updated_time),
    metadata: e.metadata,
    secret_id_accessor: e.secret_id_accessor,
    secret_id_num_uses: e.secret_id_num_uses,
    secret_id_ttl: e.secret_id_ttl,
    token_bound_cidrs: e.token_bound_cidrs,
  };
}

export const expired = (e: SecretIdEntry, now = Date.now()) => e.expiration_time !== 0 && now >= e.expiration_time;
