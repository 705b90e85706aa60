// Figures for the HA log (prints, asserts nothing):
//   node_modules/.bin/tsx tests/ha/ha-log-measure.ts
// 1,000 single-write transactions, one at a time, each acknowledged (flushed())
// by a node leading a 3-member etcd: append latency p50/p99; the same on a
// lone SQLite node without the log; then 2,000 writes with 64 in flight
// (group commits queue up behind an append and go out together): writes/s;
// and how far behind a follower node is when the leader's last write is acknowledged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from '../../server/storage/sqlite';
import { startEtcd } from './etcd-cluster';
import { lead, startNode, stopNodes } from './ha-log-nodes';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function sequential(write: (i: number) => Promise<void>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await write(i);
    out.push(performance.now() - t);
  }
  return out;
}

async function concurrent(write: (i: number) => Promise<void>, n: number, inFlight: number): Promise<number> {
  const t = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) await write(next++);
  }));
  return (n / (performance.now() - t)) * 1000;
}

async function main(): Promise<void> {
  const value = Buffer.alloc(200, 7);
  const dir = mkdtempSync(join(tmpdir(), 'coffer-halog-measure-'));
  const lone = new SqliteBackend({ path: join(dir, 'lone.db'), groupCommit: true });
  const loneWrite = async (i: number) => {
    lone.put(`logical/m/k${i % 500}`, value);
    await lone.flushed();
  };
  const loneLat = await sequential(loneWrite, 1000);
  const loneRate = await concurrent(loneWrite, 2000, 64);
  lone.close();

  const etcd = await startEtcd(3, 'm');
  try {
    const a = await startNode(etcd, 0, 'measure/', 'a');
    await lead(a);
    const b = await startNode(etcd, 1, 'measure/', 'b');
    const haWrite = async (i: number) => {
      a.storage.put(`logical/m/k${i % 500}`, value);
      await a.storage.flushed();
    };
    const haLat = await sequential(haWrite, 1000);
    const haRate = await concurrent(haWrite, 2000, 64);
    const lag = a.log.committedIndex - b.log.appliedIndex;
    const t = performance.now();
    await b.log.waitApplied(a.log.committedIndex, 60_000);
    const catchUp = performance.now() - t;
    console.log('HA log figures (3-member etcd on this machine, 200-byte values)');
    console.log(`  single writes, one at a time (1,000): HA p50 ${fmt(pct(haLat, 50))} p99 ${fmt(pct(haLat, 99))} | lone SQLite p50 ${fmt(pct(loneLat, 50))} p99 ${fmt(pct(loneLat, 99))}`);
    console.log(`  64 in flight (2,000 writes): HA ${haRate.toFixed(0)} writes/s | lone SQLite ${loneRate.toFixed(0)} writes/s | ratio ${(haRate / loneRate).toFixed(2)}`);
    console.log(`  follower behind by ${lag} batches at the last ack; caught up ${fmt(catchUp)} later; batches: ${a.log.committedIndex} for ${3000} writes`);
  } finally {
    await stopNodes();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
