import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Barrier } from '../barrier/barrier';
import type { Core } from '../core/core';
import { createLogger } from '../log';
import { bucketOf } from '../storage/merkle-index';
import { SqliteBackend } from '../storage/sqlite';
import type { ReplicationContext } from './context';
import { memoryConnectionPair } from './memory-connection';
import { PrimaryStream } from './primary';
import { memorySecondaryRunner } from './memory-runner';
import { ReplicationStore } from './state';

// Issue 8 item 2: ship only what is committed. A primary used to answer merkle
// pages from its in-memory tree and fetch keys through its writer, which both
// see a group commit that is still open — so a sync could ship a write that a
// failed COMMIT then rolled back, and the secondary kept it for good. Here the
// primary holds an open batch (which then fails) at the very moment it reads
// for a merkle sync; the secondary must end identical to the primary.
const logger = createLogger({ level: 'silent' });
const SET = 'set-1';
const ID = 'sec-1';

function node(path: string): { physical: SqliteBackend; ctx: ReplicationContext } {
  const physical = new SqliteBackend({ path, groupCommit: true });
  const store = new ReplicationStore(physical, {} as Barrier);
  return { physical, ctx: { core: {} as Core, physical, store, logger, apiAddr: 'http://x', clusterAddr: 'https://x:8201', devRootTokenId: '' } };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A key that falls in the same merkle bucket as `key` (so a sync of that bucket would carry it). */
function neighbourOf(key: string): string {
  for (let i = 0; ; i++) if (bucketOf(`logical/m/ghost-${i}`) === bucketOf(key)) return `logical/m/ghost-${i}`;
}

describe('a primary ships only committed data', () => {
  it('a write in an open group commit that then fails never reaches a secondary syncing at that moment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-committed-'));
    const primary = node(join(dir, 'p.db'));
    const secondary = node(join(dir, 's.db'));
    for (let i = 0; i < 100; i++) primary.physical.put(`logical/m/k${i}`, Buffer.from(`v${i}`));
    await primary.physical.flushed();
    const ghost = neighbourOf('logical/m/k0');

    // Just before the primary reads anything it ships, a client write lands in
    // an open batch whose COMMIT will fail.
    let failures = 0;
    const writeGhost = () => {
      if (primary.physical.get(ghost)) return;
      primary.physical.faults.failCommit = true;
      primary.physical.put(ghost, Buffer.from('never committed'));
      primary.physical.flushed().catch(() => {
        failures += 1;
        primary.physical.faults.failCommit = false;
      });
    };
    const reader = primary.physical.reader;
    const pages = reader.pages.bind(reader);
    const leaves = reader.leaves.bind(reader);
    const entries = reader.entriesInBuckets.bind(reader);
    reader.pages = (t) => (writeGhost(), pages(t));
    reader.leaves = (t, p) => (writeGhost(), leaves(t, p));
    reader.entriesInBuckets = (t, b) => (writeGhost(), entries(t, b));

    const streams: PrimaryStream[] = [];
    const runner = memorySecondaryRunner({
      ctx: secondary.ctx,
      mode: 'performance',
      clusterId: SET,
      secondaryId: ID,
      connect: async () => {
        const link = memoryConnectionPair({ peerOfA: ID });
        const s = new PrimaryStream(primary.ctx, 'performance', link.a, link.a.peer, () => 0, () => SET, async () => null, async () => {});
        streams.push(s);
        void s.run();
        return link.b;
      },
    });
    cleanups.push(async () => {
      await runner.stop();
      for (const s of streams) s.stop();
      primary.physical.close();
      secondary.physical.close();
    });

    await until('the sync to finish and streaming to begin', () => runner.state === 'stream-wals' && runner.coveredIndex === primary.physical.committedIndex);
    expect(failures).toBeGreaterThan(0); // the ghost's batch really was open during the sync, and really failed
    expect(primary.physical.get(ghost)).toBeNull();
    expect(secondary.physical.get(ghost)).toBeNull();
    expect(secondary.physical.get('logical/m/k0')?.toString()).toBe('v0');
    // Identical: a later write streams on top of the same tree.
    primary.physical.put('logical/m/after', Buffer.from('x'));
    await primary.physical.flushed();
    await until('the secondary to apply the later write', () => runner.coveredIndex === primary.physical.committedIndex);
    await secondary.physical.flushed();
    expect(secondary.physical.merkleRoot('replicated')).toBe(primary.physical.merkleRoot('replicated'));
  });
});
