import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Barrier } from '../barrier/barrier';
import type { Core } from '../core/core';
import { createLogger } from '../log';
import { SqliteBackend } from '../storage/sqlite';
import type { ReplicationContext } from './context';
import type { Frame, FrameOf } from './frames';
import { memoryConnectionPair, type Direction, type MemoryLink } from './memory-connection';
import { PrimaryStream } from './primary';
import { memorySecondaryRunner } from './memory-runner';
import type { SecondaryRunner } from './secondary';
import { ReplicationStore, type Mode } from './state';

// The data plane (PrimaryStream ⇄ SecondaryRunner) over an in-memory
// connection pair, with real SQLite backends: merkle sync, streaming, frames
// cut by encoded size, continuity, error frames and liveness — without TLS or
// processes. Every frame goes through the real codec (memory-connection.ts).

const SET = 'set-1';
const SECONDARY_ID = 'sec-1';
const logger = createLogger({ level: 'silent' });

interface Node {
  physical: SqliteBackend;
  store: ReplicationStore;
  ctx: ReplicationContext;
}

function node(name: string, heartbeatIntervalMs?: number): Node {
  const physical = new SqliteBackend({ path: ':memory:' });
  // The data plane reads positions only; the barrier is for sealed replication state it never touches.
  const store = new ReplicationStore(physical, {} as Barrier);
  const ctx: ReplicationContext = { core: {} as Core, physical, store, logger, apiAddr: `http://${name}`, clusterAddr: `https://${name}:8201`, devRootTokenId: '', heartbeatIntervalMs };
  return { physical, store, ctx };
}

interface Seen {
  frame: Frame;
  dir: Direction;
  bytes: number;
}

interface Plane {
  primary: Node;
  secondary: Node;
  runner: SecondaryRunner;
  streams: PrimaryStream[];
  seen: Seen[];
  /** Replace to drop (null) or rewrite frames in flight. */
  tap: (f: Frame, dir: Direction) => Frame | null;
  /** A frozen primary: every link, present and future, holds its frames until thaw. */
  freeze(): void;
  thaw(): void;
  /** A new runner for the same secondary node (the node restarted). */
  restart(): Promise<void>;
}

const planes: Plane[] = [];
afterEach(async () => {
  for (const p of planes.splice(0)) {
    p.thaw();
    await p.runner.stop();
    for (const s of p.streams) s.stop();
  }
});

function plane(opts: { mode?: Mode; maxFrameBytes?: number; heartbeatIntervalMs?: number; primary?: Node } = {}): Plane {
  const mode = opts.mode ?? 'performance';
  const primary = opts.primary ?? node('primary', opts.heartbeatIntervalMs);
  const secondary = node('secondary', opts.heartbeatIntervalMs);
  const links: MemoryLink[] = [];
  let frozen = false;
  const p: Plane = {
    primary,
    secondary,
    runner: null as unknown as SecondaryRunner,
    streams: [],
    seen: [],
    tap: (f) => f,
    freeze: () => {
      frozen = true;
      for (const l of links) l.freeze();
    },
    thaw: () => {
      frozen = false;
      for (const l of links) l.thaw();
    },
    restart: async () => {
      await p.runner.stop();
      p.runner = newRunner();
    },
  };
  const connect = async () => {
    const link = memoryConnectionPair({
      maxFrameBytes: opts.maxFrameBytes,
      alpn: mode === 'dr' ? 'replication_dr_v1' : 'replication_v1',
      peerOfA: SECONDARY_ID,
      tap: (frame, dir, bytes) => {
        p.seen.push({ frame, dir, bytes });
        return p.tap(frame, dir);
      },
    });
    if (frozen) link.freeze();
    links.push(link);
    const stream = new PrimaryStream(primary.ctx, mode, link.a, link.a.peer, () => 0, () => SET, async () => null, async () => {});
    p.streams.push(stream);
    void stream.run();
    return link.b;
  };
  const newRunner = () =>
    memorySecondaryRunner({ ctx: secondary.ctx, mode, clusterId: SET, secondaryId: SECONDARY_ID, connect });
  p.runner = newRunner();
  planes.push(p);
  return p;
}

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const write = (n: Node, key: string, value: Buffer | string) => n.physical.put(`logical/m1/${key}`, Buffer.isBuffer(value) ? value : Buffer.from(value));

/** Same replicated tree, the secondary caught up to the primary's tip and streaming. */
const inSync = (p: Plane) =>
  p.runner.state === 'stream-wals' &&
  p.runner.coveredIndex === p.primary.physical.committedIndex &&
  p.secondary.physical.merkleRoot('replicated') === p.primary.physical.merkleRoot('replicated');

const framesOf = <T extends Frame['type']>(p: Plane, type: T, dir: Direction = 'a→b') =>
  p.seen.filter((s) => s.dir === dir && s.frame.type === type) as (Seen & { frame: FrameOf<T> })[];

/** Record every value a field takes (status flips back once the link heals; the test wants to see it happened). */
function history<T extends object, K extends keyof T>(obj: T, key: K): T[K][] {
  const seen: T[K][] = [];
  let value = obj[key];
  Object.defineProperty(obj, key, {
    get: () => value,
    set: (v: T[K]) => {
      value = v;
      seen.push(v);
    },
  });
  return seen;
}

describe('data plane over an in-memory connection', () => {
  it('a new secondary merkle-syncs, then streams live writes', async () => {
    const primary = node('primary');
    for (let i = 0; i < 50; i++) write(primary, `k${i}`, `v${i}`);
    const p = plane({ primary });
    await until('initial sync', () => inSync(p));
    expect(framesOf(p, 'sync-required')).toHaveLength(1);
    for (let i = 0; i < 20; i++) write(primary, `live${i}`, `v${i}`);
    primary.physical.delete('logical/m1/k3');
    await until('live writes', () => inSync(p));
    expect(p.secondary.physical.get('logical/m1/live19')?.toString()).toBe('v19');
    expect(p.secondary.physical.get('logical/m1/k3')).toBeNull();
    // Every batch named the position it follows, each the end of the one before.
    const wals = framesOf(p, 'wals').map((s) => s.frame);
    for (let i = 1; i < wals.length; i++) expect(wals[i].follows).toEqual({ index: wals[i - 1].lastIndex, guard: wals[i - 1].lastGuard });
    expect(p.runner.lastError).toBe('');
  });

  it('DR ships both trees: local keys (tokens) follow by sync and by stream, and every record is chain-checked', async () => {
    const primary = node('primary');
    write(primary, 'a', '1');
    primary.physical.put('sys/token/id/t1', Buffer.from('token-1'));
    const p = plane({ primary, mode: 'dr' });
    const bothTrees = () => inSync(p) && p.secondary.physical.merkleRoot('local') === primary.physical.merkleRoot('local');
    await until('DR sync', bothTrees);
    primary.physical.put('sys/token/id/t2', Buffer.from('token-2'));
    write(primary, 'b', '2');
    await until('DR stream', () => bothTrees() && p.secondary.physical.get('sys/token/id/t2'));
    expect(framesOf(p, 'wals').some((s) => s.frame.records.some((r) => r.cls === 'local'))).toBe(true);
  });

  it('large values: merkle-sync and catch-up travel in frames cut by encoded size, none over the limit', async () => {
    const LIMIT = 256 * 1024;
    const primary = node('primary');
    const big = () => randomBytes(60 * 1024); // base64: ~80 KiB each, so three to a frame
    for (let i = 0; i < 12; i++) write(primary, `big${i}`, big());
    const p = plane({ primary, maxFrameBytes: LIMIT });
    await until('bootstrap of large entries', () => inSync(p));
    const chunks = framesOf(p, 'fetch-keys');
    expect(chunks.length).toBeGreaterThan(3);
    // The secondary falls behind by many large records (it is down), then catches up from the log.
    await p.runner.stop();
    const before = p.seen.length;
    for (let i = 0; i < 30; i++) write(primary, `big${i % 12}`, big());
    await p.restart();
    await until('catch-up of large records', () => inSync(p));
    const catchUp = p.seen.slice(before).filter((s) => s.dir === 'a→b');
    expect(catchUp.some((s) => s.frame.type === 'sync-required')).toBe(false); // streamed from the log
    const batches = catchUp.filter((s) => s.frame.type === 'wals' && (s.frame as FrameOf<'wals'>).records.length > 0);
    expect(batches.length).toBeGreaterThanOrEqual(10);
    for (const s of p.seen) expect(s.bytes).toBeLessThanOrEqual(LIMIT);
    expect(p.secondary.physical.get('logical/m1/big5')).toEqual(primary.physical.get('logical/m1/big5'));
  });

  it('a record no frame can carry: the primary gives up with the reason, and both ends show it', async () => {
    const primary = node('primary');
    write(primary, 'small', 'v');
    const p = plane({ primary, maxFrameBytes: 64 * 1024 });
    await until('initial sync', () => inSync(p));
    write(primary, 'huge', randomBytes(100 * 1024));
    const reason = /shipping failed: record \d+ \(logical\/m1\/huge\) encodes to \d+ bytes, more than a 65536-byte frame can carry/;
    await until('the secondary to show the reason', () => reason.test(p.runner.lastError));
    expect(p.runner.lastError).toMatch(/^primary error: /);
    expect(p.streams.some((s) => reason.test(s.link.lastError))).toBe(true);
    expect(framesOf(p, 'error').length).toBeGreaterThan(0);
  });

  it('continuity: a lost batch stops the apply, the secondary says why, and resumes from its stored position', async () => {
    const p = plane();
    write(p.primary, 'a', '1');
    await until('initial sync', () => inSync(p));
    const errors = history(p.runner, 'lastError');
    let dropped: FrameOf<'wals'> | null = null;
    p.tap = (f) => {
      if (!dropped && f.type === 'wals' && f.records.length) {
        dropped = f;
        return null; // lost in flight
      }
      return f;
    };
    write(p.primary, 'b', '2'); // this batch is lost…
    await until('the loss', () => dropped);
    write(p.primary, 'c', '3'); // …so this one follows a position the secondary never reached
    await until('resync after the gap', () => inSync(p) && p.secondary.physical.get('logical/m1/c'));
    const gap = errors.find((e) => /continuity check failed: gap: batch follows index \d+ but this secondary holds only up to \d+/.test(e));
    expect(gap).toBeDefined();
    expect(p.streams.some((s) => s.link.lastError === `secondary gave up: ${gap}`)).toBe(true);
    // Nothing after the gap was applied before the resume: the lost record arrived, in order.
    expect(p.secondary.physical.get('logical/m1/b')?.toString()).toBe('2');
  });

  it('continuity: a batch from another history (guard mismatch) is refused, then the secondary resumes', async () => {
    const p = plane();
    write(p.primary, 'a', '1');
    await until('initial sync', () => inSync(p));
    const errors = history(p.runner, 'lastError');
    let forged = false;
    p.tap = (f) => {
      if (!forged && f.type === 'wals' && f.records.length) {
        forged = true;
        return { ...f, follows: { ...f.follows, guard: 'f'.repeat(32) } };
      }
      return f;
    };
    write(p.primary, 'b', '2');
    await until('resync', () => forged && inSync(p) && p.secondary.physical.get('logical/m1/b'));
    expect(errors.some((e) => /continuity check failed: guard mismatch at index \d+/.test(e))).toBe(true);
  });

  it('a secondary whose stored position is not in the primary\'s history resumes by merkle-diff', async () => {
    const primary = node('primary');
    for (let i = 0; i < 10; i++) write(primary, `k${i}`, `v${i}`);
    const p = plane({ primary });
    await until('initial sync', () => inSync(p));
    await p.runner.stop();
    p.secondary.physical.applyShipped([p.secondary.store.positionOp('performance', { index: primary.physical.committedIndex, guard: 'e'.repeat(32) })]);
    write(primary, 'after', 'x');
    const syncs = framesOf(p, 'sync-required').length;
    await p.restart();
    await until('resync by merkle diff', () => inSync(p) && p.secondary.physical.get('logical/m1/after'));
    expect(framesOf(p, 'sync-required').length).toBe(syncs + 1);
  });

  it('a failed apply on the secondary: it tells the primary why, and recovers once storage works again', async () => {
    const p = plane();
    write(p.primary, 'a', '1');
    await until('initial sync', () => inSync(p));
    p.secondary.physical.faults.failPut = true;
    write(p.primary, 'b', '2');
    await until('the primary to hear why', () => p.streams.some((s) => /^secondary gave up: storage fault injected: put failed/.test(s.link.lastError)));
    expect(p.runner.lastError).toMatch(/storage fault injected: put failed/);
    p.secondary.physical.faults.failPut = false;
    await until('recovery', () => inSync(p) && p.secondary.physical.get('logical/m1/b'));
  });

  it('liveness: a silent link leaves ready on both sides within three heartbeats, lag grows, and it recovers by itself', async () => {
    const p = plane({ heartbeatIntervalMs: 100 });
    write(p.primary, 'a', '1');
    await until('initial sync', () => inSync(p) && p.runner.connectionState === 'ready');
    const frozenAt = Date.now();
    p.freeze();
    await until('the secondary to notice', () => p.runner.connectionState !== 'ready');
    expect(p.runner.lastError).toMatch(/^no heartbeat from the primary for \d+ ms \(3 missed heartbeats at 100 ms intervals\)/);
    // The timeout runs from the last heartbeat, which may have arrived up to one interval before the freeze.
    expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(200);
    const lag1 = p.runner.lagMs;
    await new Promise((r) => setTimeout(r, 50));
    expect(p.runner.lagMs).toBeGreaterThan(lag1);
    expect(lag1).toBeGreaterThanOrEqual(300);
    const first = p.streams[0];
    await until('the primary to notice', () => !first.link.connected);
    expect(first.link.lastError).toMatch(/^no heartbeat from the secondary for \d+ ms \(3 missed heartbeats/);
    p.thaw();
    write(p.primary, 'after-thaw', 'x');
    await until('recovery', () => p.runner.connectionState === 'ready' && inSync(p) && p.secondary.physical.get('logical/m1/after-thaw'));
    await until('last_error cleared once caught up', () => p.runner.lastError === '');
    expect(p.runner.lagMs).toBeLessThan(1_000);
  });

  it('F3: a secondary that connects and then goes silent (no hello) is given up by the liveness watch, not shown connected until the hello timeout', async () => {
    const primary = node('primary', 100);
    const link = memoryConnectionPair({ peerOfA: SECONDARY_ID });
    const stream = new PrimaryStream(primary.ctx, 'performance', link.a, link.a.peer, () => 0, () => SET, async () => null, async () => {});
    const done = stream.run();
    expect(stream.link.connected).toBe(true);
    // The far end never speaks: not even a heartbeat-ack. (Before, the watch began after hello/bootstrap and this waited 15 s for the hello.)
    await until('the primary to give the silent secondary up', () => !stream.link.connected);
    expect(stream.link.lastError).toMatch(/^no heartbeat from the secondary for \d+ ms \(3 missed heartbeats at 100 ms intervals\)/);
    await done;
  });

  it('F3 (mirror): a primary that accepts and then goes silent is noticed by the secondary mid-hello, not after the hello-ack timeout', async () => {
    const secondary = node('secondary', 100);
    const runner = memorySecondaryRunner({
      ctx: secondary.ctx,
      mode: 'performance',
      clusterId: SET,
      secondaryId: SECONDARY_ID,
      connect: async () => memoryConnectionPair({ peerOfA: SECONDARY_ID }).b, // nobody on the a end
    });
    try {
      await until('the secondary to notice', () => /^no heartbeat from the primary for \d+ ms \(3 missed heartbeats at 100 ms intervals\)/.test(runner.lastError));
      expect(runner.connectionState).not.toBe('ready');
    } finally {
      await runner.stop();
    }
  });
});
