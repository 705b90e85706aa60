// Mount tables (sys/mounts, sys/auth) as `secrets list` / `auth list` print
// them: one row per mount sorted by path, "-detailed" adding config columns.
import { humanDuration, tableOutput, formatValue } from './table';

export interface MountEntry {
  type?: string;
  description?: string;
  accessor?: string;
  local?: boolean;
  seal_wrap?: boolean;
  options?: Record<string, unknown> | null;
  config?: { default_lease_ttl?: number; max_lease_ttl?: number; [k: string]: unknown } | null;
  plugin_version?: string;
  running_plugin_version?: string;
  uuid?: string;
  [key: string]: unknown;
}

/** The `path/ → entry` map from a mount-list response (data block or top level). */
export function mountsFromBody(body: unknown): Record<string, MountEntry> {
  const obj = (body ?? {}) as Record<string, unknown>;
  const source = obj.data && typeof obj.data === 'object' ? (obj.data as Record<string, unknown>) : obj;
  const out: Record<string, MountEntry> = {};
  for (const [k, v] of Object.entries(source)) {
    if (k.endsWith('/') && v && typeof v === 'object') out[k] = v as MountEntry;
  }
  return out;
}

const ttl = (v: number | undefined) => (v ? humanDuration(v) : 'system');

export function mountTable(mounts: Record<string, MountEntry>, detailed: boolean): string {
  const paths = Object.keys(mounts).sort();
  if (!detailed) {
    return tableOutput(
      ['Path', 'Type', 'Accessor', 'Description'],
      paths.map((p) => [p, mounts[p].type ?? '', mounts[p].accessor ?? '', mounts[p].description ?? '']),
    );
  }
  return tableOutput(
    ['Path', 'Plugin', 'Accessor', 'Default TTL', 'Max TTL', 'Replication', 'Seal Wrap', 'Options', 'Description'],
    paths.map((p) => {
      const m = mounts[p];
      return [
        p,
        m.type ?? '',
        m.accessor ?? '',
        ttl(m.config?.default_lease_ttl),
        ttl(m.config?.max_lease_ttl),
        m.local ? 'local' : 'replicated',
        String(m.seal_wrap ?? false),
        m.options && Object.keys(m.options).length > 0 ? formatValue(m.options) : '',
        m.description ?? '',
      ];
    }),
  );
}

/** `-options=k=v` flags as a map (last wins per key). */
export function parseOptionFlags(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) out[v] = '';
    else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}
