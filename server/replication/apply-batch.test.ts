import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Barrier } from '../barrier/barrier';
import { SqliteBackend } from '../storage/sqlite';
import { GENESIS_GUARD } from '../storage/wal-log';
import { applyBatches, ContinuityError } from './apply-batch';
import { recordToWire, type FrameOf } from './frames';
import { ReplicationStore } from './state';

// applyBatches: wals frames that queued up on a secondary apply in order, in
// one group commit (one COMMIT, one fsync), each still checked for
// continuity and written all-or-nothing; the first that fails stops the rest.

const dirs: string[] = [];
const stores: SqliteBackend[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function backend(groupCommit: boolean): SqliteBackend {
  const dir = mkdtempSync(join(tmpdir(), 'apply-batch-'));
  dirs.push(dir);
  const b = new SqliteBackend({ path: join(dir, 'coffer.db'), groupCommit });
  stores.push(b);
  return b;
}

/** A primary with `n` records, shipped as frames of `per` records each. */
function shippedFrames(n: number, per: number): FrameOf<'wals'>[] {
  const primary = backend(false);
  for (let i = 0; i < n; i++) primary.put(`logical/m1/k${i}`, Buffer.from(`v${i}`));
  const records = primary.reader.readFrom(1, n);
  const frames: FrameOf<'wals'>[] = [];
  let follows = { index: 0, guard: GENESIS_GUARD };
  for (let i = 0; i < records.length; i += per) {
    const part = records.slice(i, i + per);
    const last = part[part.length - 1];
    frames.push({ type: 'wals', follows, records: part.map(recordToWire), at: 0, lastIndex: last.index, lastGuard: last.guard });
    follows = { index: last.index, guard: last.guard };
  }
  return frames;
}

async function secondary(): Promise<{ physical: SqliteBackend; store: ReplicationStore; commits: () => number }> {
  const physical = backend(true);
  const store = new ReplicationStore(physical, {} as Barrier);
  physical.applyShipped([store.positionOp('performance', { index: 0, guard: GENESIS_GUARD })]);
  await physical.flushed();
  let commits = 0;
  physical.onFlush = () => commits++;
  return { physical, store, commits: () => commits };
}

describe('applyBatches', () => {
  it('applies queued batches in order with one commit, and the stored position ends at the last', async () => {
    const frames = shippedFrames(12, 3);
    const s = await secondary();
    const { applied, error } = await applyBatches(s.physical, s.store, 'performance', frames);
    expect(error).toBeNull();
    expect(applied).toHaveLength(4);
    expect(s.commits()).toBe(1);
    expect(s.store.position('performance')).toEqual({ index: frames[3].lastIndex, guard: frames[3].lastGuard });
    expect(s.physical.get('logical/m1/k11')?.toString()).toBe('v11');
  });

  it('a gap in the middle: the batches before it are applied and durable, nothing of it or after it is written', async () => {
    const frames = shippedFrames(12, 3);
    const s = await secondary();
    const { applied, error } = await applyBatches(s.physical, s.store, 'performance', [frames[0], frames[2], frames[3]]);
    expect(error).toBeInstanceOf(ContinuityError);
    expect((error as Error).message).toMatch(/gap: batch follows index 6 but this secondary holds only up to 3/);
    expect(applied).toEqual([frames[0]]);
    expect(s.store.position('performance')).toEqual({ index: 3, guard: frames[0].lastGuard });
    expect(s.physical.get('logical/m1/k2')?.toString()).toBe('v2');
    expect(s.physical.get('logical/m1/k6')).toBeNull();
    expect(s.physical.get('logical/m1/k9')).toBeNull();
  });
});
