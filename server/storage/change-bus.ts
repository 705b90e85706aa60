// One bus on which storage publishes the keys that changed — client writes,
// replicated applies, wipes and rolled-back commits alike — and to which each
// owner of a cache subscribes by key prefix (vault's InvalidateKey per
// backend). No list elsewhere has to know who caches what: a new cache
// subscribes next to its own code.
//
// `null` means "anything may have changed" (a group commit was rolled back):
// every subscriber hears it and reloads.
export type ChangeHandler = (keys: string[] | null) => void;

/**
 * Delivery order: value caches first (the barrier's decrypted values and
 * keyring), then owners that rebuild from storage through those caches (mount
 * table, token salt, replication state).
 */
export type SubscriberTier = 'cache' | 'owner';

interface Subscription {
  prefixes: readonly string[];
  fn: ChangeHandler;
  tier: SubscriberTier;
}

export class ChangeBus {
  private subs: Subscription[] = [];
  /** A subscriber that throws must not turn a committed write into a failed one: it is reported here. */
  onSubscriberError: (err: unknown) => void = (err) => console.error('storage change subscriber failed', err);

  /** Hear about keys under any of the prefixes ('' = every key). Returns the unsubscribe function. */
  subscribe(prefixes: string | readonly string[], fn: ChangeHandler, tier: SubscriberTier = 'owner'): () => void {
    const sub: Subscription = { prefixes: typeof prefixes === 'string' ? [prefixes] : prefixes, fn, tier };
    // Caches before owners, otherwise in subscription order.
    const at = tier === 'cache' ? this.subs.findIndex((s) => s.tier === 'owner') : -1;
    this.subs = at === -1 ? [...this.subs, sub] : [...this.subs.slice(0, at), sub, ...this.subs.slice(at)];
    return () => {
      this.subs = this.subs.filter((s) => s !== sub);
    };
  }

  publish(keys: readonly string[] | null): void {
    if (keys && !keys.length) return;
    for (const s of this.subs) {
      const mine = keys === null ? null : keys.filter((k) => s.prefixes.some((p) => k.startsWith(p)));
      if (mine && !mine.length) continue;
      try {
        s.fn(mine);
      } catch (err) {
        this.onSubscriberError(err);
      }
    }
  }
}
