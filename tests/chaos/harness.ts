import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, type CheckOptions, type Verdict } from './checker';
import { Clients } from './clients';
import { ClusterDriver } from './cluster-driver';
import { emptyHistory, type Convergence, type History, type Mode, type NodeName } from './history';
import { sleep } from './http';
import { Monitor } from './monitor';
import { Nemesis } from './nemesis';
import { readAll } from './readback';
import type { Fault } from './schedule';

// One chaos run: start the clusters, run clients and the status monitor,
// let the nemesis inject the schedule, stop the clients, heal everything,
// time the merkle roots' convergence, read every acknowledged write back,
// and hand the history to the checker. With `outDir`, the history and each
// node's log are written there for a post-mortem.
const WARM_UP_MS = 1_000;
const CONVERGE_WAIT_MS = 60_000;
const CONVERGE_POLL_MS = 100;

export interface RunOptions extends CheckOptions {
  seed: number;
  schedule: Fault[];
  /** Two DR secondaries (needed when failovers are scheduled), else one. */
  drSecondaries: 1 | 2;
  directWriters?: number;
  writePauseMs?: number;
  outDir?: string;
  /** Leave the nodes' data directories on disk (their paths are logged) for a post-mortem. */
  keepData?: boolean;
  log?: (line: string) => void;
}

export interface RunResult {
  history: History;
  verdict: Verdict;
}

export async function runChaos(o: RunOptions): Promise<RunResult> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const clock = () => Date.now() - t0;
  const h = emptyHistory(o.seed);
  const d = await ClusterDriver.start({ drSecondaries: o.drSecondaries });
  log(`clusters up in ${clock()} ms: primary ${d.primary}, performance secondary ${d.perfSecondary}, DR secondaries ${d.drSecondaries.join(', ')}`);
  const monitor = new Monitor(d, h, clock);
  const clients = new Clients(d, h, clock, { directWriters: o.directWriters ?? 2, pauseMs: o.writePauseMs ?? 10 });
  try {
    await sleep(WARM_UP_MS);
    await new Nemesis(d, clients, h, clock, log).run(o.schedule);
    await clients.stop();
    await d.heal();
    h.healedAt = clock();
    log(`healed at +${h.healedAt} ms: primary ${d.primary}, performance secondary ${d.perfSecondary ?? '(detached)'} following ${d.perfPrimary}, DR secondaries ${d.drSecondaries.join(', ')}`);
    h.convergence = await convergence(d, clock, h.healedAt);
    for (const node of [d.primary, d.perfSecondary].filter((n): n is NodeName => !!n)) {
      try {
        h.readbacks.push({ node, values: await readAll(d, node) });
      } catch (err) {
        h.driverErrors.push(`reading back ${node}: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    h.driverErrors.push(`harness: ${(err as Error).stack ?? err}`);
  } finally {
    await clients.stop();
    await monitor.stop();
    if (o.outDir) dump(o.outDir, h, d);
    if (o.keepData) for (const n of d.nodes.values()) log(`${n.name} data kept in ${n.server.dataDir}`);
    await d.destroy(o.keepData);
  }
  return { history: h, verdict: check(h, o) };
}

/** The pairs whose merkle roots must agree: the primary with each DR secondary (DR root) and with its performance secondary. */
function pairs(d: ClusterDriver): { mode: Mode; secondary: NodeName }[] {
  return [
    ...d.drSecondaries.map((s) => ({ mode: 'dr' as Mode, secondary: s })),
    ...(d.perfSecondary && d.perfPrimary === d.primary ? [{ mode: 'performance' as Mode, secondary: d.perfSecondary }] : []),
  ];
}

/** Poll every pair's roots until all agree (or the wait runs out); each pair's time is when it first agreed. */
async function convergence(d: ClusterDriver, clock: () => number, healedAt: number): Promise<Convergence[]> {
  const out: Convergence[] = pairs(d).map((p) => ({ ...p, primary: d.primary, ms: null }));
  while (clock() - healedAt < CONVERGE_WAIT_MS && out.some((c) => c.ms === null)) {
    await Promise.all(
      out
        .filter((c) => c.ms === null)
        .map(async (c) => {
          try {
            const [p, s] = await Promise.all([d.status(c.primary, c.mode), d.status(c.secondary, c.mode)]);
            if (p.merkle_root && p.merkle_root === s.merkle_root) c.ms = clock() - healedAt;
          } catch {
            /* not answering yet */
          }
        }),
    );
    await sleep(CONVERGE_POLL_MS);
  }
  return out;
}

function dump(dir: string, h: History, d: ClusterDriver): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'history.json'), JSON.stringify(h));
  for (const n of d.nodes.values()) writeFileSync(join(dir, `${n.name}.log`), n.output());
}
