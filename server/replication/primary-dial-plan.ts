// Which node of the primary's cluster a secondary dials next. Replication runs
// on the active node of the primary's HA cluster; the secondary knows every
// node's cluster address (hello-ack and heartbeats carry them) and walks them
// until one answers as the active: a failed dial or a lost session moves on to
// the next address, a standby's "not active, the active is X" goes to X at
// once. The caller backs off only once every known address failed in a row,
// so a failover costs one round of dials, not one backoff per dead node.

/** Most addresses kept from a primary's list (a cluster has a handful of nodes). */
export const MAX_KNOWN_PRIMARY_ADDRS = 32;

/** Distinct non-empty addresses, in order, at most MAX_KNOWN_PRIMARY_ADDRS. */
export function cleanAddrs(addrs: readonly string[]): string[] {
  return [...new Set(addrs.map((a) => a.trim()).filter(Boolean))].slice(0, MAX_KNOWN_PRIMARY_ADDRS);
}

export class PrimaryDialPlan {
  private target: string;
  private inUse: string;
  private knownAddrs: string[];
  /** Addresses that failed since the last successful hello (one round). */
  private readonly failedInRound = new Set<string>();

  constructor(inUse: string, known: readonly string[]) {
    this.inUse = inUse;
    this.knownAddrs = cleanAddrs(known);
    this.target = inUse || this.knownAddrs[0] || '';
  }

  /** The address to dial now. */
  get addr(): string {
    return this.target;
  }

  /** Every primary node address this secondary knows (the one in use among them). */
  get known(): string[] {
    return cleanAddrs([...this.knownAddrs, this.inUse]);
  }

  /** In the order a round tries them: the address in use, then the others as the primary listed them. */
  candidates(): string[] {
    return cleanAddrs([this.inUse, ...this.knownAddrs]);
  }

  /**
   * Dialing `addr`, or the session on it, failed: move to the next address not
   * yet tried this round. True when none is left (the caller backs off; the
   * next round starts over from the address in use).
   */
  failed(): boolean {
    this.failedInRound.add(this.target);
    const next = this.candidates().find((a) => !this.failedInRound.has(a));
    if (next !== undefined) {
      this.target = next;
      return false;
    }
    this.failedInRound.clear();
    this.target = this.candidates()[0] ?? this.target;
    return true;
  }

  /**
   * The node at `addr` is a standby: it named the active ('' while there is
   * none) and its cluster's nodes. Going to an address that already failed
   * this round (the old active, whose lease has not run out yet) or to itself
   * counts as this node failing, so redirects can never loop.
   */
  redirected(active: string, clusterAddrs: readonly string[]): boolean {
    this.learn(clusterAddrs);
    if (!active || active === this.target || this.failedInRound.has(active)) return this.failed();
    this.failedInRound.add(this.target);
    this.target = active;
    return false;
  }

  /** The node at `addr` accepted as the active primary: it is the address in use from now on. Returns the known addresses. */
  connected(clusterAddrs?: readonly string[]): string[] {
    this.inUse = this.target;
    this.failedInRound.clear();
    return this.learn(clusterAddrs ?? []);
  }

  /** The primary's current list replaces the one known (a removed node is dropped); an empty list changes nothing. Returns the known addresses. */
  learn(clusterAddrs: readonly string[]): string[] {
    const clean = cleanAddrs(clusterAddrs);
    if (clean.length) this.knownAddrs = clean;
    return this.known;
  }
}
