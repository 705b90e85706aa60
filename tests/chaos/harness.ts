import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, type CheckOptions, type Verdict } from './checker';
import { Clients } from './clients';
import { ClusterDriver } from './cluster-driver';
import { measureConvergence } from './convergence';
import { emptyHistory, type History, type NodeName } from './history';
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
    h.convergence.push(...(await measureConvergence(d, clock, 'heal', CONVERGE_WAIT_MS)));
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

function dump(dir: string, h: History, d: ClusterDriver): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'history.json'), JSON.stringify(h));
  for (const n of d.nodes.values()) writeFileSync(join(dir, `${n.name}.log`), n.output());
}
