// The "Primary cluster addresses" of update-primary (Vault's
// `update_primary_addrs`): what the operator types, checked before it is sent.
// A cluster address is the primary's replication listener, https://host:port
// (e.g. https://10.0.0.5:8201), never its API address or a path. The server
// checks again (server/replication/update-primary-addrs.ts); this is for
// telling the operator which line is wrong while they type.

/** The server refuses more than this many (server/replication/update-primary-addrs.ts MAX_ADDRS). */
export const MAX_PRIMARY_CLUSTER_ADDRS = 16;

/** Why `addr` is not a cluster address, or null when it is one. */
export function clusterAddrError(addr: string): string | null {
  const a = addr.trim();
  if (!a) return 'is empty';
  if (!/^https:\/\//i.test(a)) return 'must start with https:// (a cluster address, e.g. https://10.0.0.5:8201)';
  let url: URL;
  try {
    url = new URL(a);
  } catch {
    return 'is not a valid address';
  }
  if (!url.hostname) return 'has no host';
  if (url.username || url.password) return 'must not carry a user name or password';
  // URL drops the default port 443; a cluster address always names its port.
  const port = /^https:\/\/(?:\[[^\]]*\]|[^/:?#]*):(\d+)(?:[/?#]|$)/i.exec(a)?.[1];
  if (!port) return 'needs a port (the cluster port, e.g. :8201)';
  const n = Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) return 'has a port outside 1–65535';
  if (url.pathname !== '/' || url.search || url.hash) return 'must be just https://host:port, without a path';
  return null;
}

export interface ParsedClusterAddrs {
  /** The addresses in the order given, trimmed, without blanks. */
  addrs: string[];
  /** One line per problem, naming the address; empty when all are fine. */
  errors: string[];
}

/** Addresses one per line (commas work too, as in the CLI's `update_primary_addrs=a,b`). */
export function parseClusterAddrs(text: string): ParsedClusterAddrs {
  const addrs = text
    .split(/[\n,]/)
    .map((a) => a.trim())
    .filter(Boolean);
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const a of addrs) {
    const why = clusterAddrError(a);
    if (why) errors.push(`${a} ${why}`);
    const key = a.toLowerCase().replace(/\/+$/, '');
    if (seen.has(key)) errors.push(`${a} is listed twice`);
    seen.add(key);
  }
  if (addrs.length > MAX_PRIMARY_CLUSTER_ADDRS) errors.push(`At most ${MAX_PRIMARY_CLUSTER_ADDRS} addresses can be given (${addrs.length} listed)`);
  return { addrs, errors };
}
