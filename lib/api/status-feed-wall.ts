// Which cluster feeds the status wall watches: kept in the URL (?clusters=a,b — shareable)
// and in localStorage (so a NOC screen comes back the same after a reboot).
export const WALL_STORAGE_KEY = 'coffer.wall.clusters';

/** "127.0.0.1:8200/" → "http://127.0.0.1:8200"; null for nonsense. */
export function normalizeClusterAddr(input: string): string | null {
  const raw = input.trim();
  if (!raw) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const u = new URL(withScheme);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

export function parseClusterList(value: string | null | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const addr = normalizeClusterAddr(part);
    if (addr && !out.includes(addr)) out.push(addr);
  }
  return out;
}

/** The URL param wins (a shared link); else what this browser saved. */
export function initialClusters(search: string, stored: string | null): string[] {
  const fromUrl = new URLSearchParams(search).get('clusters');
  if (fromUrl !== null) return parseClusterList(fromUrl);
  try {
    const parsed: unknown = stored ? JSON.parse(stored) : [];
    return Array.isArray(parsed) ? parseClusterList(parsed.map(String).join(',')) : [];
  } catch {
    return [];
  }
}

/** ?clusters=… with readable commas and colons, as people paste it. */
export function clustersSearch(clusters: string[]): string {
  return clusters.length ? `?clusters=${clusters.map((c) => encodeURIComponent(c).replace(/%3A/gi, ':').replace(/%2F/gi, '/')).join(',')}` : '';
}
