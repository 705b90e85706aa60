import type { Barrier } from '../barrier/barrier';
import { badRequest } from '../errors';
import { base62, newAccessor, newServiceTokenId, saltedHash } from './ids';
import type { AuthBlock } from './request';

// The token store (vault/token_store.go). Service tokens are persisted under
// salted hashes of their id and accessor (class `local`: never shipped to a
// performance secondary). Batch tokens are not stored: the id itself is the
// entry, encrypted by the barrier keyring (so a DR secondary that shares the
// keyring can read a batch token minted on the primary).
export const DEFAULT_TOKEN_TTL = 768 * 3600; // Vault's default: 32 days
export const MAX_TOKEN_TTL = 768 * 3600;
const SALT_PATH = 'core/token-salt';
const ID_PREFIX = 'sys/token/id/';
const ACCESSOR_PREFIX = 'sys/token/accessor/';
const PARENT_PREFIX = 'sys/token/parent/';
const BATCH_PREFIX = 'hvb.';
const BATCH_AAD = 'core/batch-token';

export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  path: string;
  meta: Record<string, string> | null;
  displayName: string;
  numUses: number;
  creationTime: number; // unix seconds
  ttl: number; // seconds granted at creation/renewal (0 = never expires)
  explicitMaxTtl: number;
  period: number;
  expireTime: number; // unix ms, 0 = never
  renewable: boolean;
  orphan: boolean;
  parent: string; // parent token id ('' for orphans)
  type: 'service' | 'batch';
  role: string;
  entityId: string;
}

export interface CreateTokenParams {
  policies: string[];
  path: string;
  displayName?: string;
  meta?: Record<string, string> | null;
  ttl?: number;
  explicitMaxTtl?: number;
  period?: number;
  numUses?: number;
  renewable?: boolean;
  parent?: TokenEntry | null;
  orphan?: boolean;
  type?: 'service' | 'batch';
  role?: string;
  id?: string;
  entityId?: string;
  noDefaultPolicy?: boolean;
}

const nowS = () => Math.floor(Date.now() / 1000);

export class TokenStore {
  private cachedSalt: string | null = null;
  /** Called for every revoked token (the core deletes its cubbyhole). */
  onRevoke: ((tokenId: string) => void) | null = null;

  constructor(private readonly barrier: Barrier) {}

  /** Forget the cached salt (after a replication wipe). */
  reset(): void {
    this.cachedSalt = null;
  }

  private salt(): string {
    if (this.cachedSalt) return this.cachedSalt;
    let salt = this.barrier.getJSON<string>(SALT_PATH);
    if (!salt) {
      salt = base62(32);
      this.barrier.putJSON(SALT_PATH, salt);
    }
    this.cachedSalt = salt;
    return salt;
  }

  private hash(v: string): string {
    return saltedHash(this.salt(), v);
  }

  create(p: CreateTokenParams): TokenEntry {
    const type = p.type ?? 'service';
    let policies = normalizePolicies(p.policies, p.noDefaultPolicy ?? false);
    if (policies.includes('root')) policies = ['root'];
    const isRootToken = policies.length === 1 && policies[0] === 'root';
    let ttl = p.period ? p.period : (p.ttl ?? (isRootToken && !p.parent ? 0 : DEFAULT_TOKEN_TTL));
    if (p.explicitMaxTtl && (ttl === 0 || ttl > p.explicitMaxTtl)) ttl = p.explicitMaxTtl;
    if (!isRootToken && ttl === 0 && !p.period) ttl = DEFAULT_TOKEN_TTL;
    if (p.parent && p.parent.expireTime && !p.orphan) {
      // A child never outlives its parent.
      const parentLeft = Math.floor((p.parent.expireTime - Date.now()) / 1000);
      if (ttl === 0 || ttl > parentLeft) ttl = Math.max(parentLeft, 1);
    }
    const entry: TokenEntry = {
      id: p.id ?? newServiceTokenId(),
      accessor: type === 'batch' ? '' : newAccessor(),
      policies,
      path: p.path,
      meta: p.meta ?? null,
      displayName: p.displayName ?? 'token',
      numUses: p.numUses ?? 0,
      creationTime: nowS(),
      ttl,
      explicitMaxTtl: p.explicitMaxTtl ?? 0,
      period: p.period ?? 0,
      expireTime: ttl ? Date.now() + ttl * 1000 : 0,
      renewable: type === 'batch' ? false : (p.renewable ?? ttl !== 0),
      orphan: p.orphan ?? !p.parent,
      parent: p.orphan ? '' : (p.parent?.id ?? ''),
      type,
      role: p.role ?? '',
      entityId: p.entityId ?? '',
    };
    if (type === 'batch') {
      if (entry.numUses) throw badRequest('batch tokens cannot have a use limit');
      const sealed = this.barrier.encrypt(BATCH_AAD, Buffer.from(JSON.stringify({ ...entry, id: '' })));
      entry.id = BATCH_PREFIX + sealed.toString('base64url');
      return entry;
    }
    if (p.id && this.lookup(p.id)) throw badRequest('cannot create a token with a duplicate ID');
    const ops: { key: string; value: unknown }[] = [
      { key: ID_PREFIX + this.hash(entry.id), value: entry },
      { key: ACCESSOR_PREFIX + this.hash(entry.accessor), value: { id: entry.id } },
    ];
    if (entry.parent) ops.push({ key: `${PARENT_PREFIX}${this.hash(entry.parent)}/${this.hash(entry.id)}`, value: { id: entry.id } });
    this.barrier.transaction(ops.map((o) => ({ op: 'put', key: o.key, value: Buffer.from(JSON.stringify(o.value)) })));
    return entry;
  }

  /** A live token, or null if unknown, expired or exhausted. */
  lookup(id: string): TokenEntry | null {
    if (!id) return null;
    if (id.startsWith(BATCH_PREFIX)) return this.lookupBatch(id);
    const entry = this.barrier.getJSON<TokenEntry>(ID_PREFIX + this.hash(id));
    if (!entry) return null;
    if (entry.expireTime && entry.expireTime <= Date.now()) {
      this.revoke(entry);
      return null;
    }
    return entry;
  }

  private lookupBatch(id: string): TokenEntry | null {
    try {
      const plain = this.barrier.decrypt(BATCH_AAD, Buffer.from(id.slice(BATCH_PREFIX.length), 'base64url'));
      const entry = { ...(JSON.parse(plain.toString()) as TokenEntry), id };
      if (entry.expireTime && entry.expireTime <= Date.now()) return null;
      return entry;
    } catch {
      return null; // forged or from another keyring
    }
  }

  lookupAccessor(accessor: string): TokenEntry | null {
    if (!accessor) return null;
    const ref = this.barrier.getJSON<{ id: string }>(ACCESSOR_PREFIX + this.hash(accessor));
    return ref ? this.lookup(ref.id) : null;
  }

  /** Count one use; a token whose uses run out is revoked after this request. */
  use(entry: TokenEntry): { exhausted: boolean } {
    if (entry.type === 'batch' || entry.numUses === 0) return { exhausted: false };
    if (entry.numUses === 1) return { exhausted: true };
    entry.numUses -= 1;
    this.barrier.putJSON(ID_PREFIX + this.hash(entry.id), entry);
    return { exhausted: false };
  }

  renew(entry: TokenEntry, increment?: number): TokenEntry {
    if (entry.type === 'batch') throw badRequest('batch tokens cannot be renewed');
    if (!entry.renewable) throw badRequest('lease is not renewable');
    let ttl = entry.period || increment || entry.ttl || DEFAULT_TOKEN_TTL;
    if (entry.explicitMaxTtl) {
      const maxLeft = entry.creationTime + entry.explicitMaxTtl - nowS();
      if (ttl > maxLeft) ttl = Math.max(maxLeft, 0);
    }
    const updated = { ...entry, ttl, expireTime: Date.now() + ttl * 1000 };
    this.barrier.putJSON(ID_PREFIX + this.hash(entry.id), updated);
    return updated;
  }

  /** Revoke a token and (unless orphaning) its whole subtree of children. */
  revoke(entry: TokenEntry, opts: { orphanChildren?: boolean } = {}): void {
    if (entry.type === 'batch') throw badRequest('batch tokens cannot be revoked');
    const childPrefix = `${PARENT_PREFIX}${this.hash(entry.id)}/`;
    for (const childKey of this.barrier.list(childPrefix)) {
      const ref = this.barrier.getJSON<{ id: string }>(childPrefix + childKey);
      const child = ref ? this.barrier.getJSON<TokenEntry>(ID_PREFIX + this.hash(ref.id)) : null;
      if (!child) continue;
      if (opts.orphanChildren) this.barrier.putJSON(ID_PREFIX + this.hash(child.id), { ...child, parent: '', orphan: true });
      else this.revoke(child);
    }
    const ops: string[] = [ID_PREFIX + this.hash(entry.id), ACCESSOR_PREFIX + this.hash(entry.accessor)];
    if (entry.parent) ops.push(`${PARENT_PREFIX}${this.hash(entry.parent)}/${this.hash(entry.id)}`);
    for (const childKey of this.barrier.list(childPrefix)) ops.push(childPrefix + childKey);
    this.barrier.transaction(ops.map((key) => ({ op: 'delete', key })));
    this.onRevoke?.(entry.id);
  }

  /** Accessors of every stored token (auth/token/accessors, sudo). */
  listAccessors(): string[] {
    const out: string[] = [];
    for (const k of this.barrier.list(ACCESSOR_PREFIX)) {
      const ref = this.barrier.getJSON<{ id: string }>(ACCESSOR_PREFIX + k);
      const e = ref && this.lookup(ref.id);
      if (e) out.push(e.accessor);
    }
    return out;
  }
}

export function normalizePolicies(policies: string[], noDefault: boolean): string[] {
  const set = new Set(policies.map((p) => p.trim().toLowerCase()).filter(Boolean));
  if (!noDefault && !set.has('root')) set.add('default');
  return [...set].sort();
}

/** Vault's auth block for a freshly minted token. */
export function authBlockOf(e: TokenEntry): AuthBlock {
  return {
    client_token: e.id,
    accessor: e.accessor,
    policies: e.policies,
    token_policies: e.policies,
    metadata: e.meta,
    lease_duration: e.ttl,
    renewable: e.renewable,
    entity_id: e.entityId,
    token_type: e.type,
    orphan: e.orphan,
    mfa_requirement: null,
    num_uses: e.numUses,
  };
}

/** Vault's lookup data for a token. */
export function lookupDataOf(e: TokenEntry): Record<string, unknown> {
  const ttlLeft = e.expireTime ? Math.max(0, Math.floor((e.expireTime - Date.now()) / 1000)) : 0;
  return {
    accessor: e.accessor,
    creation_time: e.creationTime,
    creation_ttl: e.ttl,
    display_name: e.displayName,
    entity_id: e.entityId,
    expire_time: e.expireTime ? new Date(e.expireTime).toISOString() : null,
    explicit_max_ttl: e.explicitMaxTtl,
    id: e.id,
    issue_time: new Date(e.creationTime * 1000).toISOString(),
    meta: e.meta,
    num_uses: e.numUses,
    orphan: e.orphan,
    path: e.path,
    period: e.period || undefined,
    policies: e.policies,
    renewable: e.renewable,
    role: e.role || undefined,
    ttl: ttlLeft,
    type: e.type,
  };
}
