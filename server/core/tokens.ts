import type { Barrier } from '../barrier/barrier';
import { badRequest } from '../errors';
import { sanitizePolicies } from '../auth/token-policy-rules';
import { base62, newAccessor, newServiceTokenId, saltedHash } from './ids';
import { TokenCache } from './token-cache';
import { creationTtl, limitsOf, renewalTtl, SYSTEM_DEFAULT_TTL, SYSTEM_MAX_TTL, type TtlLimits } from './token-ttl';

export { authBlockOf, lookupDataOf } from './token-views';

// The token store (vault/token_store.go). Service tokens are persisted under
// salted hashes of their id and accessor (class `local`: never shipped to a
// performance secondary). Batch tokens are not stored: the id itself is the
// entry, encrypted by the barrier keyring (so a DR secondary that shares the
// keyring can read a batch token minted on the primary).
//
// Lookups never write: an expired token is simply not valid, and the
// expiration manager (./expiration.ts) revokes it and its subtree on time.
export const DEFAULT_TOKEN_TTL = SYSTEM_DEFAULT_TTL;
export const MAX_TOKEN_TTL = SYSTEM_MAX_TTL;
/** num_uses of a token on its last use: invalid for every later lookup, revoked once its request ends. */
export const REVOCATION_PENDING = -1;
// Vault keeps the token store's salt in its view, sys/token/salt: class
// `local`, like the tokens it hashes, so a performance secondary makes its own
// and never writes its primary's state. Stores made before that kept it in
// core/token-salt (replicated); it is still read so their tokens stay valid.
const SALT_PATH = 'sys/token/salt';
const LEGACY_SALT_PATH = 'core/token-salt';
const ID_PREFIX = 'sys/token/id/';
const ACCESSOR_PREFIX = 'sys/token/accessor/';
const PARENT_PREFIX = 'sys/token/parent/';
// Identifies the token store that minted a batch token. Class `local`: a DR
// secondary shares its primary's, a performance secondary has its own — so a
// non-orphan batch token from the primary is no token there, as in Vault.
const ORIGIN_PATH = 'sys/token/origin';
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
  ttl: number; // seconds granted at creation (0 = never expires)
  explicitMaxTtl: number;
  period: number;
  expireTime: number; // unix ms, 0 = never
  lastRenewalTime?: number; // unix seconds
  renewable: boolean;
  orphan: boolean;
  parent: string; // parent token id ('' for orphans)
  type: 'service' | 'batch';
  role: string;
  entityId: string;
  /** Batch tokens only: the token store that minted it (see ORIGIN_PATH). */
  origin?: string;
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

/** Told of every change to a token's expiry; the expiration manager implements it. Keys are salted hashes, never ids. */
export interface ExpiryListener {
  schedule(key: string, expireTime: number): void;
  cancel(key: string): void;
}

const nowS = () => Math.floor(Date.now() / 1000);

export class TokenStore {
  private cachedSalt: string | null = null;
  /** Called for every revoked token (the core deletes its cubbyhole). */
  onRevoke: ((tokenId: string) => void) | null = null;
  expiry: ExpiryListener | null = null;
  /** TTL limits of the mount a token is created through (the core consults its mount table). */
  limitsFor: (path: string) => TtlLimits = () => limitsOf();

  private readonly cache = new TokenCache();

  constructor(private readonly barrier: Barrier) {
    // A wipe, a replicated apply (DR) or a rolled-back commit may change the salt under us.
    barrier.physical.changes.subscribe([SALT_PATH, LEGACY_SALT_PATH], () => this.reset());
    // Every change of a stored token (revoke, renew, a replicated apply) drops its cached entry at once.
    barrier.physical.changes.subscribe(ID_PREFIX, (keys) => this.cache.invalidate(keys && keys.map((k) => k.slice(ID_PREFIX.length))));
  }

  /** Forget the cached salt, and with it every cached token (they are keyed by hashes under it). */
  reset(): void {
    this.cachedSalt = null;
    this.cache.clear();
  }

  /** Created by the first token written, never by a lookup (null: none yet, so no token exists either). */
  private salt(create: boolean): string | null {
    if (this.cachedSalt) return this.cachedSalt;
    let salt = this.barrier.getJSON<string>(SALT_PATH) ?? this.barrier.getJSON<string>(LEGACY_SALT_PATH);
    if (!salt) {
      if (!create) return null;
      salt = base62(32);
      this.barrier.putJSON(SALT_PATH, salt);
    }
    this.cachedSalt = salt;
    return salt;
  }

  private hash(v: string): string {
    return saltedHash(this.salt(true)!, v);
  }

  /** For lookups, which never write. */
  private lookupHash(v: string): string | null {
    const salt = this.salt(false);
    return salt === null ? null : saltedHash(salt, v);
  }

  /** Read on every check, never cached: replication may replace it underneath (a DR secondary receives its primary's). */
  private origin(create: boolean): string {
    let origin = this.barrier.getJSON<string>(ORIGIN_PATH);
    if (!origin && create) {
      origin = base62(24);
      this.barrier.putJSON(ORIGIN_PATH, origin);
    }
    return origin ?? '';
  }

  create(p: CreateTokenParams): TokenEntry {
    const type = p.type ?? 'service';
    const policies = normalizePolicies(p.policies, p.noDefaultPolicy ?? false);
    const root = policies.includes('root');
    let ttl = creationTtl({ ttl: p.ttl ?? 0, period: p.period ?? 0, explicitMaxTtl: p.explicitMaxTtl ?? 0, root }, this.limitsFor(p.path));
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
      renewable: type !== 'batch' && ttl !== 0 && (p.renewable ?? true),
      orphan: p.orphan ?? !p.parent,
      parent: p.orphan ? '' : (p.parent?.id ?? ''),
      type,
      role: p.role ?? '',
      entityId: p.entityId ?? '',
    };
    if (type === 'batch') {
      if (entry.numUses) throw badRequest('batch tokens cannot have a use limit');
      if (root) throw badRequest('batch tokens cannot be root tokens');
      if (entry.parent) entry.origin = this.origin(true);
      const sealed = this.barrier.encrypt(BATCH_AAD, Buffer.from(JSON.stringify({ ...entry, id: '' })));
      entry.id = BATCH_PREFIX + sealed.toString('base64url');
      return entry;
    }
    if (p.id && this.barrier.getJSON(ID_PREFIX + this.hash(p.id))) throw badRequest('cannot create a token with a duplicate ID');
    const key = this.hash(entry.id);
    const ops: { key: string; value: unknown }[] = [
      { key: ID_PREFIX + key, value: entry },
      { key: ACCESSOR_PREFIX + this.hash(entry.accessor), value: { id: entry.id } },
    ];
    if (entry.parent) ops.push({ key: `${PARENT_PREFIX}${this.hash(entry.parent)}/${key}`, value: { id: entry.id } });
    this.barrier.transaction(ops.map((o) => ({ op: 'put', key: o.key, value: Buffer.from(JSON.stringify(o.value)) })));
    if (entry.expireTime) this.expiry?.schedule(key, entry.expireTime);
    return entry;
  }

  /**
   * A valid token, or null if unknown, expired, used up or (batch) orphaned by
   * its parent's end. `tainted` also returns a token on its last use, for the
   * request that is spending it.
   */
  lookup(id: string, opts: { tainted?: boolean } = {}): TokenEntry | null {
    if (!id) return null;
    if (id.startsWith(BATCH_PREFIX)) return this.lookupBatch(id);
    // Sealed, the barrier refuses (sealedError) as before: the cache never answers for a sealed node.
    let entry = (!this.barrier.sealed && this.cache.get(id)) || null;
    if (!entry) {
      const key = this.lookupHash(id);
      entry = key === null ? null : this.barrier.getJSON<TokenEntry>(ID_PREFIX + key);
      if (!entry) return null;
      this.cache.set(id, key!, entry);
    }
    if (entry.numUses < 0 && !opts.tainted) return null;
    if (entry.expireTime && entry.expireTime <= Date.now()) return null;
    return entry;
  }

  private lookupBatch(id: string): TokenEntry | null {
    let entry: TokenEntry;
    try {
      const plain = this.barrier.decrypt(BATCH_AAD, Buffer.from(id.slice(BATCH_PREFIX.length), 'base64url'));
      entry = { ...(JSON.parse(plain.toString()) as TokenEntry), id };
    } catch {
      return null; // forged or from another keyring
    }
    if (entry.expireTime && entry.expireTime <= Date.now()) return null;
    if (entry.parent) {
      // A non-orphan batch token lives only as long as its parent, and only where that parent lives.
      if (entry.origin !== this.origin(false)) return null;
      if (!this.lookup(entry.parent)) return null;
    }
    return entry;
  }

  lookupAccessor(accessor: string): TokenEntry | null {
    if (!accessor) return null;
    const key = this.lookupHash(accessor);
    const ref = key === null ? null : this.barrier.getJSON<{ id: string }>(ACCESSOR_PREFIX + key);
    return ref ? this.lookup(ref.id) : null;
  }

  /**
   * Spend one use, before anything else happens in the request (Vault's
   * UseToken). On the last use the token turns invalid at once; the caller
   * revokes it when the request ends.
   */
  use(entry: TokenEntry): { exhausted: boolean } {
    if (entry.type === 'batch' || entry.numUses <= 0) return { exhausted: false };
    entry.numUses = entry.numUses === 1 ? REVOCATION_PENDING : entry.numUses - 1;
    this.barrier.putJSON(ID_PREFIX + this.hash(entry.id), entry);
    return { exhausted: entry.numUses === REVOCATION_PENDING };
  }

  /** Extend a token's life; returns the updated entry and the TTL granted now. */
  renew(entry: TokenEntry, increment?: number): { entry: TokenEntry; ttl: number } {
    if (entry.type === 'batch') throw badRequest('batch tokens cannot be renewed');
    if (!entry.renewable) throw badRequest('lease is not renewable');
    const ttl = renewalTtl(
      { increment: increment ?? 0, originalTtl: entry.ttl, period: entry.period, explicitMaxTtl: entry.explicitMaxTtl, issuedAt: entry.creationTime, now: nowS() },
      this.limitsFor(entry.path),
    );
    const updated: TokenEntry = { ...entry, expireTime: Date.now() + ttl * 1000, lastRenewalTime: nowS() };
    const key = this.hash(entry.id);
    this.barrier.putJSON(ID_PREFIX + key, updated);
    this.expiry?.schedule(key, updated.expireTime);
    return { entry: updated, ttl };
  }

  /** Revoke a token and (unless orphaning) its whole subtree of children. */
  revoke(entry: TokenEntry, opts: { orphanChildren?: boolean } = {}): void {
    if (entry.type === 'batch') throw badRequest('batch tokens cannot be revoked');
    const key = this.hash(entry.id);
    const childPrefix = `${PARENT_PREFIX}${key}/`;
    for (const childKey of this.barrier.list(childPrefix)) {
      const ref = this.barrier.getJSON<{ id: string }>(childPrefix + childKey);
      const child = ref ? this.barrier.getJSON<TokenEntry>(ID_PREFIX + this.hash(ref.id)) : null;
      if (!child) continue;
      if (opts.orphanChildren) this.barrier.putJSON(ID_PREFIX + this.hash(child.id), { ...child, parent: '', orphan: true });
      else this.revoke(child);
    }
    const ops: string[] = [ID_PREFIX + key, ACCESSOR_PREFIX + this.hash(entry.accessor)];
    if (entry.parent) ops.push(`${PARENT_PREFIX}${this.hash(entry.parent)}/${key}`);
    for (const childKey of this.barrier.list(childPrefix)) ops.push(childPrefix + childKey);
    this.barrier.transaction(ops.map((k) => ({ op: 'delete', key: k })));
    this.expiry?.cancel(key);
    this.onRevoke?.(entry.id);
  }

  /** Every stored token that expires, keyed by salted hash (the expiration manager loads these at unseal). */
  expiries(): { key: string; expireTime: number }[] {
    const out: { key: string; expireTime: number }[] = [];
    for (const key of this.barrier.list(ID_PREFIX)) {
      const e = this.barrier.getJSON<TokenEntry>(ID_PREFIX + key);
      if (e?.expireTime) out.push({ key, expireTime: e.expireTime });
    }
    return out;
  }

  /**
   * The expiration manager's call when `key`'s time has come: revoke the token
   * and its subtree. Returns the token's later expiry if it was renewed since.
   */
  expire(key: string, now = Date.now()): number | null {
    const entry = this.barrier.getJSON<TokenEntry>(ID_PREFIX + key);
    if (!entry?.expireTime) return null;
    if (entry.expireTime > now) return entry.expireTime;
    this.revoke(entry);
    return null;
  }

  /** The salted key a token is stored under: the last segment of its lease id (core/leases.ts). */
  keyOf(entry: TokenEntry): string {
    return this.hash(entry.id);
  }

  /** The stored service token under salted `key` (valid or not yet revoked), or null. */
  entryByKey(key: string): TokenEntry | null {
    if (!/^[0-9a-f]+$/.test(key)) return null;
    return this.barrier.getJSON<TokenEntry>(ID_PREFIX + key);
  }

  /** Salted keys of every stored service token. */
  storedKeys(): string[] {
    return this.barrier.list(ID_PREFIX);
  }

  /**
   * Clean what a crash between writes could leave (vault Tidy): tokens past
   * their expiry are revoked, and accessor or parent index entries whose
   * token is gone are deleted. Returns what it removed.
   */
  tidy(now = Date.now()): { expired: number; accessors: number; parentRefs: number } {
    const out = { expired: 0, accessors: 0, parentRefs: 0 };
    for (const key of this.storedKeys()) {
      const e = this.entryByKey(key);
      if (e?.expireTime && e.expireTime <= now && this.expire(key, now) === null) out.expired++;
    }
    const gone = (id: string | undefined) => !id || !this.barrier.getJSON(ID_PREFIX + this.hash(id));
    for (const k of this.barrier.list(ACCESSOR_PREFIX)) {
      if (gone(this.barrier.getJSON<{ id: string }>(ACCESSOR_PREFIX + k)?.id)) {
        this.barrier.delete(ACCESSOR_PREFIX + k);
        out.accessors++;
      }
    }
    for (const k of this.barrier.list(PARENT_PREFIX)) {
      // keys are <parent hash>/<child key>; list() is recursive or returns folders: handle both
      const refs = k.endsWith('/') ? this.barrier.list(PARENT_PREFIX + k).map((c) => k + c) : [k];
      for (const ref of refs) {
        if (gone(this.barrier.getJSON<{ id: string }>(PARENT_PREFIX + ref)?.id)) {
          this.barrier.delete(PARENT_PREFIX + ref);
          out.parentRefs++;
        }
      }
    }
    return out;
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
  return sanitizePolicies(policies, !noDefault);
}
