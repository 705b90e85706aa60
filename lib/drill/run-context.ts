import type { CanaryWriter } from './canaries';
import type { DrillProgress } from './recovery';
import type { DrillCallbacks, DrillCheck, DrillClusterRef, DrillPlan, DrillStepId, DrillStepRecord, DrillVerification, RpoResult } from './types';
import { DRILL_STEPS } from './types';

// Everything one drill run knows while it runs: the resolved clusters, the
// step records, the canary writer, what it has changed so far (progress, for
// the account of the state an abort leaves) and the verification results.
export interface Cluster extends DrillClusterRef {
  name: string;
}

export interface OtherCluster extends Cluster {
  /** How it follows the primary. */
  mode: 'performance' | 'dr';
  /** Its secondary id at the primary (DR ones get a fresh activation token under this id). */
  secondaryId: string;
}

/** Thrown when confirm() says no or the signal aborts: the drill stops where it is. */
export class DrillAborted extends Error {}

export class DrillRun {
  readonly steps = new Map<DrillStepId, DrillStepRecord>(DRILL_STEPS.map((id) => [id, { id, state: 'pending' }]));
  readonly verifications: DrillVerification[] = [];
  progress: DrillProgress = 'untouched';
  writer: CanaryWriter | null = null;
  disasterAt: number | null = null;
  /** Planned: the merkle root both sides had when the primary was demoted. */
  rootAtDisaster: string | null = null;
  lagAtDisaster: { wals: number | null; ms: number | null } = { wals: null, ms: null };
  /** Frozen at verification after promotion: later acknowledgements belong to the fail back. */
  rpo: RpoResult | null = null;
  others: OtherCluster[] = [];
  /** Existing secrets read on the primary before the disaster: path → JSON of the data. */
  sample = new Map<string, string>();
  probeToken: { token: string; accessor: string } | null = null;
  secondaryId = '';
  mountCreated = false;
  readonly startedAt = new Date();

  constructor(
    readonly id: string,
    readonly plan: DrillPlan,
    readonly primary: Cluster,
    readonly secondary: Cluster,
    readonly cb: DrillCallbacks,
  ) {}

  get signal(): AbortSignal | undefined {
    return this.cb.signal;
  }

  emitStep(id: DrillStepId): void {
    this.cb.onEvent?.({ type: 'step', step: { ...this.steps.get(id)! } });
  }

  log(step: DrillStepId, message: string): void {
    this.cb.onEvent?.({ type: 'log', at: new Date().toISOString(), step, message });
  }

  update(id: DrillStepId, patch: Partial<DrillStepRecord>): void {
    Object.assign(this.steps.get(id)!, patch);
    this.emitStep(id);
  }

  check(step: DrillStepId, c: DrillCheck): void {
    const rec = this.steps.get(step)!;
    rec.checks = [...(rec.checks ?? []), c];
    this.emitStep(step);
  }

  verify(phase: DrillVerification['phase'], step: DrillStepId, name: string, ok: boolean, detail: string): void {
    this.verifications.push({ phase, name, ok, detail });
    this.check(step, { name, ok, detail });
  }

  /** Ask the caller before a destructive action; no means abort. */
  async confirm(step: DrillStepId, cluster: string, action: string): Promise<void> {
    this.signal?.throwIfAborted();
    const yes = await this.cb.confirm(step, cluster, action);
    if (!yes) throw new DrillAborted(`not confirmed: ${action}`);
    this.signal?.throwIfAborted();
    const rec = this.steps.get(step)!;
    if (!rec.clusters?.includes(cluster)) rec.clusters = [...(rec.clusters ?? []), cluster];
  }
}
