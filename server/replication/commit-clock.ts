// Lag telemetry: when a log index committed on the primary, and when the
// secondary applied it, each on its own process's clock with sub-millisecond
// precision. The primary stamps a wals batch with the commit time of its
// oldest record (the one that waited longest); the secondary reports that stamp
// beside its own apply time in status (`last_applied_primary_commit_ms`,
// `last_applied_at_ms`), so apply − commit − clock offset (heartbeats) is the
// write-acknowledged → applied lag of that batch. bench/replication.ts reads it.

/** Wall-clock ms since the epoch with sub-ms precision (Date.now() is whole ms). */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A clock difference rounded to whole microseconds (what a loopback round trip can resolve). */
export function toMicros(ms: number): number {
  return Math.round(ms * 1_000) / 1_000;
}

/** Commits remembered per stream; a batch older than these is stamped with its send time instead. */
export const COMMIT_TIMES_KEPT = 4_096;

/** When recent log indexes committed here: one mark per commit, oldest first. */
export class CommitTimes {
  private readonly marks: { first: number; last: number; at: number }[] = [];

  /** Record that indexes first..last committed at `at`. */
  note(first: number, last: number, at = preciseNowMs()): void {
    this.marks.push({ first, last, at });
    if (this.marks.length > COMMIT_TIMES_KEPT) this.marks.splice(0, this.marks.length - COMMIT_TIMES_KEPT);
  }

  /** When `index` committed, or `fallback` when no kept mark covers it. */
  of(index: number, fallback = preciseNowMs()): number {
    const m = this.marks;
    let lo = 0;
    let hi = m.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (m[mid].last >= index) hi = mid;
      else lo = mid + 1;
    }
    return lo < m.length && m[lo].first <= index ? m[lo].at : fallback;
  }

  /** Drop the marks of commits wholly at or below `index` (shipped). */
  forgetThrough(index: number): void {
    let n = 0;
    while (n < this.marks.length && this.marks[n].last <= index) n++;
    if (n) this.marks.splice(0, n);
  }
}
