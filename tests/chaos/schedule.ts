import type { Mode } from './history';

// The nemesis's plan, drawn from a seed: the same seed gives the same faults
// in the same order with the same durations (timing of the processes under
// test still varies, so the seed replays the plan, not the interleaving).

export type FaultKind = 'kill' | 'freeze' | 'cut' | 'stall' | 'delay' | 'recover' | 'failover' | HaFaultKind;
/** The replication world's kinds (`npm run chaos` without --ha). */
export const ALL_KINDS: FaultKind[] = ['kill', 'freeze', 'cut', 'stall', 'delay', 'recover', 'failover'];
/** Faults on the active node of an HA cluster (issue 9 item 5): kill -9, SIGSTOP past the lease, cut off from etcd, sys/step-down. */
export type HaFaultKind = 'kill-active' | 'freeze-active' | 'partition-active' | 'step-down';
export const HA_KINDS: HaFaultKind[] = ['kill-active', 'freeze-active', 'partition-active', 'step-down'];
/** Past the leader lease (election.ts DEFAULT_LEASE_TTL_SECONDS, 3 s) with room for a loaded box: the term surely expires. */
export const PAST_LEASE_MS = 4_500;
/** Whom a fault hits; 'dr' picks one of the DR secondaries at run time (with `pick`); 'active': the HA cluster's active node. */
export type Role = 'primary' | 'perf' | 'dr' | 'active';
export type Isolation = 'kill' | 'freeze' | 'partition';

export interface Fault {
  kind: FaultKind;
  role: Role;
  /**
   * kill: time down; freeze/stall: time frozen/stalled; delay: time slowed; failover: time on the new primary before fail-back;
   * kill-active / freeze-active / partition-active: time down / frozen / cut off from etcd.
   */
  ms: number;
  /** cut/stall/delay: which of the primary's links. */
  mode: Mode;
  latencyMs: number;
  isolation: Isolation;
  pick: number;
  /** Quiet time after the fault, writes still running. */
  gapMs: number;
}

export interface ScheduleOptions {
  faults: number;
  kinds: FaultKind[];
  roles: Role[];
  /** Put one of each kind first (shuffled), so a short schedule still covers every kind. */
  coverKinds?: boolean;
}

/** mulberry32: small, fast, and the same sequence on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeSchedule(seed: number, opts: ScheduleOptions): Fault[] {
  if (!opts.kinds.length || !opts.roles.length) throw new Error('a schedule needs at least one kind and one role');
  const r = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const one = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const kinds: FaultKind[] = [];
  if (opts.coverKinds) {
    const all = [...opts.kinds];
    while (all.length && kinds.length < opts.faults) kinds.push(all.splice(Math.floor(r() * all.length), 1)[0]);
  }
  while (kinds.length < opts.faults) kinds.push(one(opts.kinds));
  return kinds.map((kind) => {
    const f: Fault = {
      kind,
      role: one(opts.roles),
      ms: 0,
      mode: one(['dr', 'performance'] as const),
      latencyMs: 0,
      isolation: one(['kill', 'freeze', 'partition'] as const),
      pick: int(0, 1_000),
      gapMs: int(300, 1_500),
    };
    if (kind === 'kill') f.ms = int(200, 2_500);
    // Half the freezes and stalls outlast the link timeout (3 heartbeats), so liveness is tested.
    if (kind === 'freeze' || kind === 'stall') f.ms = r() < 0.5 ? int(500, 2_500) : int(6_000, 9_000);
    if (kind === 'delay') [f.ms, f.latencyMs] = [int(1_000, 4_000), int(20, 400)];
    if (kind === 'failover') f.ms = int(1_500, 5_000);
    if (kind === 'kill-active') f.ms = int(200, 4_000);
    if (kind === 'freeze-active') f.ms = int(PAST_LEASE_MS, 8_000);
    // A third of the partitions end within the lease (the active may keep its term), the rest outlast it (it must be fenced).
    if (kind === 'partition-active') f.ms = r() < 1 / 3 ? int(500, 2_000) : int(PAST_LEASE_MS, 9_000);
    return f;
  });
}

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'kill':
      return `kill -9 the ${f.role}, restart after ${f.ms} ms`;
    case 'freeze':
      return `SIGSTOP the ${f.role} for ${f.ms} ms`;
    case 'cut':
      return `cut the primary's ${f.mode} links`;
    case 'stall':
      return `stall the primary's ${f.mode} links for ${f.ms} ms`;
    case 'delay':
      return `delay the primary's ${f.mode} links by ${f.latencyMs} ms for ${f.ms} ms`;
    case 'recover':
      return `sys/replication/recover on the ${f.role}`;
    case 'failover':
      return `DR failover (old primary ${f.isolation === 'partition' ? 'partitioned' : f.isolation === 'kill' ? 'killed' : 'frozen'}), fail-back after ${f.ms} ms`;
    case 'kill-active':
      return `kill -9 the HA active, restart it on its data after ${f.ms} ms`;
    case 'freeze-active':
      return `SIGSTOP the HA active for ${f.ms} ms`;
    case 'partition-active':
      return `cut the HA active off from etcd for ${f.ms} ms`;
    case 'step-down':
      return `sys/step-down on the HA active (sent to ${f.pick % 2 ? 'a standby, forwarded' : 'the active'})`;
  }
}
