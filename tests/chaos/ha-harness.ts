import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkHa, type HaCheckOptions, type HaVerdict } from './check-ha';
import { HaClients } from './ha-clients';
import { DR_NAME, HaDrSecondary } from './ha-dr';
import { emptyHaRecord } from './ha-history';
import { HaMonitor } from './ha-monitor';
import { HaNemesis } from './ha-nemesis';
import { HaWorld } from './ha-world';
import { emptyHistory, type History } from './history';
import { sleep, until } from './http';
import { readAllAt } from './readback';
import type { Fault } from './schedule';

// One chaos run on an HA cluster (`npm run chaos -- --ha`): start three nodes
// over etcd, run the clients and the sys/leader monitor, let the nemesis hit
// the active with the schedule, stop the clients, heal everything, time the
// merkle roots' agreement, read every acknowledged write back from every
// node, and hand the history to check-ha.ts. With `drSecondary`, a single
// node follows the HA cluster as DR secondary all along and must end with its
// merkle root. With `outDir`, the history and each node's log are written
// there for a post-mortem.
const WARM_UP_MS = 1_000;
const CONVERGE_WAIT_MS = 60_000;
const ACTIVE_WAIT_MS = 60_000;

export interface HaRunOptions extends HaCheckOptions {
  seed: number;
  schedule: Fault[];
  /** A DR secondary (one node) follows the HA cluster through the faults. */
  drSecondary?: boolean;
  /** Pause between one writer's operations (bounds the write rate on a small box). */
  writePauseMs?: number;
  outDir?: string;
  log?: (line: string) => void;
}

export async function runHaChaos(o: HaRunOptions): Promise<{ history: History; verdict: HaVerdict }> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const clock = () => Date.now() - t0;
  const h = emptyHistory(o.seed);
  const [world, drNode] = await Promise.allSettled([HaWorld.start(), o.drSecondary ? HaDrSecondary.spawn() : Promise.resolve(null)]);
  if (world.status === 'rejected' || drNode.status === 'rejected') {
    if (world.status === 'fulfilled') await world.value.destroy();
    if (drNode.status === 'fulfilled') await drNode.value?.destroy();
    throw world.status === 'rejected' ? world.reason : (drNode as PromiseRejectedResult).reason;
  }
  const w = world.value;
  const rec = (h.ha = emptyHaRecord(w.names));
  log(`HA cluster up in ${clock()} ms: ${w.names.join(', ')}, active ${await w.agreedActive()}`);
  let dr: HaDrSecondary | undefined;
  if (drNode.value) {
    dr = await HaDrSecondary.start(w, drNode.value).catch(async (err) => {
      await w.destroy();
      throw err;
    });
    rec.dr = { node: DR_NAME, samples: [], merkleSyncs: 0, root: '' };
    dr.sample(w, rec.dr.samples, clock);
    log(`DR secondary streaming at +${clock()} ms`);
  }
  const monitor = new HaMonitor(w, rec, clock);
  const clients = new HaClients(w, h, clock, o.writePauseMs ?? 10);
  try {
    await sleep(WARM_UP_MS);
    await new HaNemesis(w, h, clock, log, dr).run(o.schedule);
    await clients.stop();
    await w.heal();
    h.healedAt = clock();
    const active = await until('an agreed active after heal', () => w.agreedActive(), ACTIVE_WAIT_MS, 100);
    log(`healed at +${h.healedAt} ms: active ${active}`);
    await converge(w, h, active, clock, dr);
    for (const node of w.names) {
      try {
        h.readbacks.push({ node, values: await readAllAt({ addr: w.addr(node), token: w.rootToken }) });
      } catch (err) {
        h.driverErrors.push(`reading back ${node}: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    h.driverErrors.push(`harness: ${(err as Error).stack ?? err}`);
  } finally {
    await clients.stop();
    await monitor.stop();
    await dr?.stop();
    if (dr) rec.dr!.merkleSyncs = dr.merkleSyncs() - dr.syncsAtStart;
    if (o.outDir) dump(o.outDir, h, w, dr);
    await dr?.destroy();
    await w.destroy();
  }
  return { history: h, verdict: checkHa(h, o) };
}

/**
 * Poll every node's merkle root (and the DR secondary's) until all agree or the wait passes; record the
 * roots and, per standby and for the secondary, how long it took.
 */
async function converge(w: HaWorld, h: History, active: string, clock: () => number, dr?: HaDrSecondary): Promise<void> {
  const since = clock();
  const read = async () => ({ roots: await w.roots(), drRoot: dr ? await dr.root() : '' });
  let now = await read();
  const haAgree = () => now.roots.every((r) => r.root && r.root === now.roots[0].root && r.applied === now.roots[0].applied);
  const drAgrees = () => !dr || (haAgree() && now.drRoot === now.roots[0].root);
  let haMs: number | null = haAgree() ? 0 : null;
  while (!(haAgree() && drAgrees()) && clock() - since < CONVERGE_WAIT_MS) {
    await sleep(100);
    now = await read();
    if (haMs === null && haAgree()) haMs = clock() - since;
  }
  h.ha!.roots = now.roots;
  for (const node of w.names) if (node !== active) h.convergence.push({ after: 'heal', mode: 'dr', primary: active, secondary: node, ms: haMs });
  if (dr) {
    h.ha!.dr!.root = now.drRoot;
    h.convergence.push({ after: 'heal', mode: 'dr', primary: active, secondary: DR_NAME, ms: drAgrees() ? clock() - since : null });
  }
}

function dump(dir: string, h: History, w: HaWorld, dr?: HaDrSecondary): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'history.json'), JSON.stringify(h));
  for (const n of w.names) writeFileSync(join(dir, `${n}.log`), w.output(n));
  if (dr) writeFileSync(join(dir, `${DR_NAME}.log`), dr.node.output());
}
