import type { Logger } from '../log';

// The expiration manager (vault/expiration.go), for tokens. An in-memory
// min-heap of token expiries, loaded from storage when it starts (at unseal)
// and kept current by the token store on create, renew and revoke. One timer
// is armed for the earliest expiry; when it fires, every due token is revoked
// together with its subtree. Batch tokens are not in it: each carries its own
// expiry and dies with its parent, because its validity checks the parent.
//
// It only runs where this node owns its tokens: a DR secondary receives its
// primary's revocations through replication and must not write its own.

/** setTimeout cannot wait longer than 2^31-1 ms (about 24.8 days); longer waits re-arm on the way. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
/** A revocation that failed (storage error) is tried again this much later. */
export const RETRY_DELAY_MS = 5_000;
/** Rebuild the heap once stale entries (renewed or revoked tokens) outnumber live ones by this much. */
const COMPACT_SLACK = 1024;

/** What the manager needs from the token store; keys are salted hashes, never token ids. */
export interface ExpiringTokens {
  expiries(): { key: string; expireTime: number }[];
  /** Revoke the token under `key` (and its subtree) if due at `now`; its later expiry if renewed meanwhile. */
  expire(key: string, now: number): number | null;
}

interface Slot {
  at: number;
  key: string;
}

export class ExpirationManager {
  private heap: Slot[] = [];
  /** The current expiry of each scheduled token; heap slots that disagree are stale. */
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private unsealed = false;
  private running = false;

  constructor(
    private readonly tokens: ExpiringTokens,
    private readonly opts: { logger: Logger; active: () => boolean },
  ) {}

  /** At unseal. */
  start(): void {
    this.unsealed = true;
    this.refresh();
  }

  /** Before seal: forget everything (storage is unreadable until the next unseal). */
  stop(): void {
    this.unsealed = false;
    this.refresh();
  }

  /** Re-check whether this node should revoke (replication calls this when its mode changes). */
  refresh(): void {
    const want = this.unsealed && this.opts.active();
    if (want === this.running) return;
    this.clear();
    if (!want) return;
    this.running = true;
    for (const { key, expireTime } of this.tokens.expiries()) this.push(key, expireTime);
    this.arm();
  }

  get size(): number {
    return this.due.size;
  }

  schedule(key: string, expireTime: number): void {
    if (!this.running) return;
    this.push(key, expireTime);
    this.arm();
  }

  cancel(key: string): void {
    this.due.delete(key);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.heap = [];
    this.due.clear();
    this.running = false;
  }

  private push(key: string, at: number): void {
    this.due.set(key, at);
    if (this.heap.length > 2 * this.due.size + COMPACT_SLACK) this.compact();
    else heapPush(this.heap, { at, key });
  }

  private compact(): void {
    this.heap = [];
    for (const [key, at] of this.due) heapPush(this.heap, { at, key });
  }

  private isLive(s: Slot): boolean {
    return this.due.get(s.key) === s.at;
  }

  private arm(): void {
    while (this.heap.length && !this.isLive(this.heap[0])) heapPop(this.heap);
    const next = this.heap.length ? this.heap[0].at : Infinity;
    if (this.timer && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    if (next === Infinity) return;
    const delay = Math.min(Math.max(next - Date.now(), 0), MAX_TIMER_DELAY_MS);
    this.timerAt = Date.now() + delay;
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (!this.running) return;
    const now = Date.now();
    while (this.heap.length && this.heap[0].at <= now) {
      const slot = heapPop(this.heap)!;
      if (!this.isLive(slot)) continue;
      this.due.delete(slot.key);
      try {
        const later = this.tokens.expire(slot.key, now);
        if (later !== null) this.push(slot.key, later);
      } catch (err) {
        this.opts.logger.error({ err }, 'revoking an expired token failed; trying again later');
        this.push(slot.key, now + RETRY_DELAY_MS);
      }
    }
    this.arm();
  }
}

function heapPush(h: Slot[], s: Slot): void {
  h.push(s);
  let i = h.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent].at <= h[i].at) break;
    [h[parent], h[i]] = [h[i], h[parent]];
    i = parent;
  }
}

function heapPop(h: Slot[]): Slot | undefined {
  const top = h[0];
  const last = h.pop();
  if (!h.length || !last) return top;
  h[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let min = i;
    if (l < h.length && h[l].at < h[min].at) min = l;
    if (r < h.length && h[r].at < h[min].at) min = r;
    if (min === i) return top;
    [h[min], h[i]] = [h[i], h[min]];
    i = min;
  }
}
