import { createHash } from 'node:crypto';
import type { StorageView } from '../../core/storage-view';
import type { JsonObject } from './fields';
import { copyMetadata, type KeyMetadata } from './key-metadata';

// Storage layout of a kv v2 mount, inside its view:
//   config                       engine settings
//   metadata/<path>              KeyMetadata (listing metadata/ lists secrets)
//   versions/<sha256(path)>/<n>  { data } of version n
// Values are keyed by a hash of the path, as Vault does, because a name can be
// both a secret and a folder ("foo" and "foo/1"): under raw names the versions
// of "foo" and the entries of "foo/" would share one folder.
//
// Metadata and config are read through the view's decoded cache and kept
// there after each commit: a write of a secret reads its metadata once, from
// memory, instead of a SELECT + decrypt + JSON.parse of what this node just
// wrote (the change bus drops it when anyone else writes it).

export interface KvConfig {
  max_versions: number;
  cas_required: boolean;
  /** Seconds; 0 = unset. */
  delete_version_after: number;
}

const CONFIG_KEY = 'config';
const DEFAULT_CONFIG: KvConfig = { max_versions: 0, cas_required: false, delete_version_after: 0 };

/** What every kv v2 handler works with: the mount's storage and a clock (injectable for tests). */
export interface KvV2Context {
  store: KvV2Store;
  now(): Date;
}

interface StoredVersion {
  data: JsonObject;
}

export class KvV2Store {
  constructor(private readonly view: StorageView) {}

  config(): KvConfig {
    return { ...DEFAULT_CONFIG, ...(this.view.getDecoded<KvConfig>(CONFIG_KEY) ?? {}) };
  }

  putConfig(config: KvConfig): void {
    this.view.putJSON(CONFIG_KEY, config);
    this.view.keepDecoded(CONFIG_KEY, { ...config });
  }

  /** The secret's metadata, as the caller's own copy to change and commit. */
  metadata(path: string): KeyMetadata | null {
    const shared = this.view.getDecoded<KeyMetadata>(metaKey(path));
    return shared && copyMetadata(shared);
  }

  /** The secret's metadata as cached, for a read that answers from it and never changes it (no copy: the hot read path). */
  metadataForRead(path: string): Readonly<KeyMetadata> | null {
    return this.view.getDecoded<KeyMetadata>(metaKey(path));
  }

  /** Whether the secret has metadata (no copy made). */
  hasMetadata(path: string): boolean {
    return this.view.getDecoded<KeyMetadata>(metaKey(path)) !== null;
  }

  /** Names directly under a folder of secrets ("" or ending in "/"); sub-folders end in "/". */
  list(prefix: string): string[] {
    return this.view.list(metaKey(prefix));
  }

  value(path: string, version: number): JsonObject | null {
    return this.view.getJSON<StoredVersion>(versionKey(path, version))?.data ?? null;
  }

  /**
   * Write metadata, optionally a new version's value, and remove the values of
   * `drop` — all in one storage transaction, so a crash can never leave a
   * version whose metadata is missing or vice versa. `meta` is kept as the
   * secret's decoded metadata: the caller may read it afterwards, not change it.
   */
  commit(path: string, meta: KeyMetadata, change: { add?: { version: number; data: JsonObject }; drop?: number[] } = {}): void {
    const entries: { key: string; value: unknown | null }[] = [];
    if (change.add) entries.push({ key: versionKey(path, change.add.version), value: { data: change.add.data } satisfies StoredVersion });
    for (const v of change.drop ?? []) entries.push({ key: versionKey(path, v), value: null });
    entries.push({ key: metaKey(path), value: meta });
    this.view.putMany(entries);
    this.view.keepDecoded(metaKey(path), meta); // handed over: callers only read `meta` after commit (to answer)
  }

  /** Remove the metadata and every stored version of a secret in one transaction. */
  remove(path: string, meta: KeyMetadata): void {
    const entries: { key: string; value: null }[] = Object.entries(meta.versions)
      .filter(([, vm]) => !vm.destroyed)
      .map(([v]) => ({ key: versionKey(path, Number(v)), value: null }));
    entries.push({ key: metaKey(path), value: null });
    this.view.putMany(entries);
    this.view.keepDecoded(metaKey(path), null);
  }
}

function metaKey(path: string): string {
  return 'metadata/' + path;
}

/**
 * Bound of the path → SHA-256 memo below: one entry is a path and 64 hex
 * characters (≈ 200 B), so 16,384 paths cost ≈ 3 MB. Every read of a version
 * hashes its path; past the bound the memo starts over.
 */
export const PATH_HASH_MEMO_ENTRIES = 16_384;
const pathHashes = new Map<string, string>();

function pathHash(path: string): string {
  let h = pathHashes.get(path);
  if (h === undefined) {
    h = createHash('sha256').update(path).digest('hex');
    if (pathHashes.size >= PATH_HASH_MEMO_ENTRIES) pathHashes.clear();
    pathHashes.set(path, h);
  }
  return h;
}

function versionKey(path: string, version: number): string {
  return `versions/${pathHash(path)}/${version}`;
}
