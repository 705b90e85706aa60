import { formatDuration } from '../../auth/duration';

// A kv v2 secret's metadata: its version window and each version's state
// (vault-plugin-secrets-kv types.proto KeyMetadata / VersionMetadata).
// Timestamps are RFC 3339 strings; "" means unset, as Vault prints them.

/** Versions kept per key when neither the key nor the engine config says. */
export const DEFAULT_MAX_VERSIONS = 10;

export interface VersionMetadata {
  created_time: string;
  /** When the version is (or was) soft-deleted; "" = never. May lie in the future (delete_version_after). */
  deletion_time: string;
  destroyed: boolean;
}

export interface KeyMetadata {
  created_time: string;
  updated_time: string;
  current_version: number;
  /** Versions below this have been trimmed away by max_versions. */
  oldest_version: number;
  max_versions: number;
  cas_required: boolean;
  /** Seconds; 0 = unset. */
  delete_version_after: number;
  custom_metadata: Record<string, string> | null;
  versions: Record<string, VersionMetadata>;
}

export function newKeyMetadata(now: Date): KeyMetadata {
  const t = now.toISOString();
  return {
    created_time: t,
    updated_time: t,
    current_version: 0,
    oldest_version: 0,
    max_versions: 0,
    cas_required: false,
    delete_version_after: 0,
    custom_metadata: null,
    versions: {},
  };
}

/** A copy whose changes never reach `m` (versions and custom_metadata are the only nested parts). */
export function copyMetadata(m: KeyMetadata): KeyMetadata {
  const versions: Record<string, VersionMetadata> = {};
  for (const v of Object.keys(m.versions)) versions[v] = { ...m.versions[v] };
  return { ...m, custom_metadata: m.custom_metadata && { ...m.custom_metadata }, versions };
}

/** Soft-deleted as of `now` (a future deletion_time is only scheduled). */
export function isDeleted(vm: VersionMetadata, now: Date): boolean {
  return vm.deletion_time !== '' && Date.parse(vm.deletion_time) <= now.getTime();
}

/** Readable: neither deleted nor destroyed. */
export function isLive(vm: VersionMetadata, now: Date): boolean {
  return !vm.destroyed && !isDeleted(vm, now);
}

/**
 * Append a version and slide the max_versions window the way Vault's
 * KeyMetadata.AddVersion does (the key's own setting wins over the config's;
 * 0 means "not set"). Mutates `meta`; returns the version numbers that fell out
 * of the window and whose stored values must be removed.
 */
export function addVersion(meta: KeyMetadata, vm: VersionMetadata, configMaxVersions: number): number[] {
  meta.current_version += 1;
  meta.versions[String(meta.current_version)] = vm;
  meta.updated_time = vm.created_time;
  const max = meta.max_versions > 0 ? meta.max_versions : configMaxVersions > 0 ? configMaxVersions : DEFAULT_MAX_VERSIONS;
  const dropped: number[] = [];
  if (meta.current_version - meta.oldest_version >= max) {
    const last = meta.current_version - max;
    for (let v = meta.oldest_version; v <= last; v++) {
      const old = meta.versions[String(v)];
      if (!old) continue;
      delete meta.versions[String(v)];
      if (!old.destroyed) dropped.push(v);
    }
    meta.oldest_version = last + 1;
  }
  return dropped;
}

/** deletion_time for a new version: the shorter of the two delete_version_after settings. */
export function scheduledDeletion(created: Date, ...afterSeconds: number[]): string {
  const set = afterSeconds.filter((s) => s > 0);
  if (set.length === 0) return '';
  return new Date(created.getTime() + Math.min(...set) * 1000).toISOString();
}

/** The per-version block a data read/write answers with. */
export function versionView(meta: KeyMetadata, version: number) {
  const vm = meta.versions[String(version)];
  return {
    created_time: vm.created_time,
    custom_metadata: meta.custom_metadata,
    deletion_time: vm.deletion_time,
    destroyed: vm.destroyed,
    version,
  };
}

/** The body of GET metadata/:path. */
export function metadataView(meta: KeyMetadata) {
  return {
    cas_required: meta.cas_required,
    created_time: meta.created_time,
    current_version: meta.current_version,
    custom_metadata: meta.custom_metadata,
    delete_version_after: formatDuration(meta.delete_version_after),
    max_versions: meta.max_versions,
    oldest_version: meta.oldest_version,
    updated_time: meta.updated_time,
    versions: meta.versions,
  };
}
