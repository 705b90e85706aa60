import type { StorageOp } from '../storage/backend';
import type { SqliteBackend } from '../storage/sqlite';
import { LEAVES_PER_PAGE } from '../storage/merkle-index';
import { telemetry } from '../telemetry/metrics';
import type { FrameQueue } from './frame-queue';
import type { Frame, WirePosition } from './frames';
import { chunked } from './shipped-chunks';

// The secondary's side of a merkle reconciliation (two round trips to find
// the differing buckets, then one fetch): compare page hashes, then the
// differing pages' leaves, then fetch the differing buckets' keys and make
// local storage match — touching only the trees being synced, so a
// performance secondary's `local` keys survive.
const opBytes = (o: StorageOp) => o.key.length + (o.op === 'put' ? o.value.length : 0);

export interface SyncProgress {
  onPhase(phase: 'merkle-diff' | 'merkle-sync'): void;
  onProgress(done: number, total: number): void;
}

export interface SyncStats {
  roundTrips: number;
  bucketsDiffering: number;
  keysFetched: number;
  bytesFetched: number;
  position: WirePosition;
}

/**
 * Returns the primary's position when the diff began: streaming must resume
 * right after it, so writes made during the sync are replayed over the
 * fetched snapshot (replaying in order converges to the primary's state).
 */
export async function merkleSync(
  send: (f: Frame) => Promise<void>,
  q: FrameQueue,
  physical: SqliteBackend,
  trees: number[],
  progress: SyncProgress,
  positionOp: (p: WirePosition) => StorageOp,
): Promise<SyncStats> {
  const stats: SyncStats = { roundTrips: 0, bucketsDiffering: 0, keysFetched: 0, bytesFetched: 0, position: { index: 0, guard: '' } };
  progress.onPhase('merkle-diff');
  const diffStart = Date.now();
  const differing = new Map<number, number[]>();
  let snapshot: WirePosition | null = null;
  for (const tree of trees) {
    await send({ type: 'merkle-pages-request', tree });
    const pages = await q.expect('merkle-pages');
    stats.roundTrips += 1;
    snapshot ??= { index: pages.index, guard: pages.guard };
    const local = physical.merkle.pageHashes(tree).map((b) => b.toString('hex'));
    const pageIds = pages.hashes.map((h, i) => (h === local[i] ? -1 : i)).filter((i) => i >= 0);
    if (!pageIds.length) continue;
    await send({ type: 'merkle-leaves-request', tree, pages: pageIds });
    const leaves = await q.expect('merkle-leaves');
    stats.roundTrips += 1;
    const buckets: number[] = [];
    for (const { page, hashes } of leaves.leaves) {
      const mine = physical.merkle.leafHashes(tree, page).map((b) => b.toString('hex'));
      hashes.forEach((h, i) => h !== mine[i] && buckets.push(page * LEAVES_PER_PAGE + i));
    }
    if (buckets.length) differing.set(tree, buckets);
  }
  telemetry.observe('vault.replication.merkleDiff', Date.now() - diffStart);
  stats.position = snapshot!;

  progress.onPhase('merkle-sync');
  const syncStart = Date.now();
  stats.bucketsDiffering = [...differing.values()].reduce((n, b) => n + b.length, 0);
  for (const [tree, buckets] of differing) {
    await send({ type: 'fetch-keys-request', tree, buckets });
    // Apply each chunk as it arrives (no need to hold the whole snapshot in
    // memory); remember the keys seen so local-only keys can be deleted after.
    const seen = new Set<string>();
    let applied = 0;
    for (;;) {
      const f = await q.expect('fetch-keys', 120_000);
      const ops: StorageOp[] = [];
      for (const e of f.entries) {
        const v = Buffer.from(e.value, 'base64');
        seen.add(e.key);
        stats.bytesFetched += v.length + e.key.length;
        const mine = physical.get(e.key);
        if (!mine || !mine.equals(v)) ops.push({ op: 'put', key: e.key, value: v });
      }
      for (const run of chunked(ops, opBytes)) physical.applyShipped(run);
      applied += f.entries.length;
      progress.onProgress(applied, applied);
      if (f.done) break;
    }
    stats.roundTrips += 1;
    stats.keysFetched += seen.size;
    const stale = physical.entriesInBuckets(tree, buckets).filter(({ key }) => !seen.has(key));
    // Keys the primary no longer has: deleted by the applier (on a secondary only it may touch replicated keys).
    for (const run of chunked(stale, ({ key }) => key.length)) physical.applyShipped(run.map(({ key }) => ({ op: 'delete' as const, key })));
    await physical.flushed();
  }
  physical.transaction([positionOp(stats.position)]);
  await physical.flushed();
  telemetry.observe('vault.replication.merkleSync', Date.now() - syncStart);
  return stats;
}
