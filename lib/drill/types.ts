// The DR drill's contract: the plan a caller hands the engine, the steps it
// walks, the events it emits while it runs and the report it returns. The
// engine (lib/drill/engine.ts) runs in the caller — a console tab or the
// `coffer drill` CLI — and talks to each cluster's Vault API with fetch only,
// so this file and the engine import nothing from node: or server/.

export type DrillKind = 'planned' | 'unplanned';

/** A cluster the drill acts on. `token` never leaves the caller: reports carry DrillClusterPublic. */
export interface DrillClusterRef {
  /** Display name, used for type-to-confirm; default: the cluster's own cluster_name (sys/health). */
  name?: string;
  /** API address, e.g. http://127.0.0.1:8200 */
  addr: string;
  /** A token valid on this cluster (for the DR secondary: a primary token, which DR replicates). */
  token: string;
}

export type DrillClusterPublic = { name: string; addr: string };

export interface DrillTargets {
  /** Recovery point objective: the newest lost write may be at most this old at the disaster (0 = no loss). */
  rpoMs: number;
  /** Recovery time objective: disaster → first canary acknowledged by the new primary. */
  rtoMs: number;
}

export interface DrillPlan {
  kind: DrillKind;
  /** The DR primary (the cluster that is "lost"). */
  primary: DrillClusterRef;
  /** The DR secondary that is promoted. */
  secondary: DrillClusterRef;
  /**
   * Other secondaries that must follow the new primary (performance secondaries of the
   * primary, its other DR secondaries), each with the token the caller chose for it. Default:
   * discovered from the primary's replication status; a discovered DR secondary follows with
   * the DR operation token alone, a discovered performance secondary fails the preflight (it
   * reports its own address: it is never sent a token nobody chose for it).
   */
  others?: DrillClusterRef[];
  /** DR operation token for promote / update-primary on DR secondaries (batch DR token or one from the wizard). */
  drOperationToken: string;
  targets: DrillTargets;
  /** Canary writes per second (default DEFAULT_CANARY_RATE). */
  canaryRate?: number;
  /** KV v2 mount the drill creates for its canaries (default "drill-canaries"). */
  canaryMount?: string;
  /** Keep the canary mount at the end (default false: removed). */
  keepCanaries?: boolean;
  /** Fail back to the original primary after verification (default true). */
  failBack?: boolean;
  /** How many existing secrets to compare by value on the new primary (default 20). */
  sampleSize?: number;
  /** Where the report is stored in sys/drills (default: the primary's address and token). */
  recordOn?: { addr: string; token: string };
  /** Unplanned drills: the cluster whose sys/lab/clusters endpoint stops/starts the primary (default: first of `others`, else the secondary once promoted / the primary). */
  labControl?: DrillClusterRef;
}

/** The plan as reports keep it: no tokens. */
export interface DrillPlanPublic {
  kind: DrillKind;
  primary: DrillClusterPublic;
  secondary: DrillClusterPublic;
  others: DrillClusterPublic[];
  targets: DrillTargets;
  canaryRate: number;
  canaryMount: string;
  keepCanaries: boolean;
  failBack: boolean;
  sampleSize: number;
  drTokenSource: 'batch' | 'operation';
}

/** Steps in the order they run. Each destructive action in them asks `confirm` first (run-context.ts). */
export const DRILL_STEPS = [
  'preflight', // tokens, link healthy, lag, merkle roots, secondaries listed, lab (unplanned)
  'prepare', // canary mount, sample of existing secrets, canaries start
  'disaster', // planned: demote the primary; unplanned: stop it through the lab
  'promote', // the DR secondary becomes the DR primary
  'update-primary', // other secondaries follow the new primary
  'verify', // canaries, sample by value, merkle roots, a replicated token
  'failback-rejoin', // old primary re-joins as DR secondary of the new one (no wipe)
  'failback-sync', // wait until it streams with equal merkle roots
  'failback-switch', // demote the new primary, promote the old one, re-point everyone
  'failback-verify',
  'report', // RPO/RTO, store in sys/drills, remove the canary mount
] as const;
export type DrillStepId = (typeof DRILL_STEPS)[number];

export const STEP_TITLES: Record<DrillStepId, string> = {
  preflight: 'Preflight',
  prepare: 'Prepare canaries',
  disaster: 'Disaster',
  promote: 'Promote DR secondary',
  'update-primary': 'Re-point other secondaries',
  verify: 'Verify new primary',
  'failback-rejoin': 'Re-join old primary',
  'failback-sync': 'Wait for sync',
  'failback-switch': 'Switch roles back',
  'failback-verify': 'Verify after fail back',
  report: 'Report',
};

export type DrillStepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'aborted';

export interface DrillCheck {
  name: string;
  ok: boolean;
  /** What was seen. */
  detail: string;
  /** How to fix it, when !ok. */
  fix?: string;
  /** A warning does not stop the drill. */
  severity?: 'error' | 'warning';
}

export interface DrillStepRecord {
  id: DrillStepId;
  state: DrillStepState;
  startedAt?: string;
  endedAt?: string;
  /** One line: what happened (or why it failed). */
  summary?: string;
  /** Preflight and verification checks made in this step. */
  checks?: DrillCheck[];
  /** Clusters this step acted on, by name. */
  clusters?: string[];
}

/** One second of the drill as the canary writer saw it. */
export interface CanarySecond {
  /** Seconds since the canaries started. */
  t: number;
  at: string;
  /** Writes acknowledged in this second. */
  acked: number;
  /** Writes that failed (timeouts, refusals) in this second. */
  failed: number;
  /** Which primary acknowledged them: old / new. */
  ackedByOld: number;
  ackedByNew: number;
  /** Replication lag sampled this second: the primary's last WAL minus the DR secondary's last remote WAL (null when not measurable). */
  lagWals: number | null;
}

/** One acknowledged canary, as kept for the RPO computation. */
export interface CanaryAck {
  seq: number;
  /** ms since epoch when the acknowledgement arrived. */
  at: number;
  by: 'old' | 'new';
}

export interface RpoResult {
  /** Canaries acknowledged by the old primary but absent on the new one. */
  lost: number;
  lostSeqs: number[];
  /** Acknowledgement times of the first and last lost canary (ISO), when any. */
  firstLostAt: string | null;
  lastLostAt: string | null;
  /** disaster − oldest lost acknowledgement (0 when nothing was lost). */
  windowMs: number;
  targetMs: number;
  met: boolean;
  /** Lag at the moment of the disaster, for comparison. */
  lagAtDisasterWals: number | null;
  lagAtDisasterMs: number | null;
}

export interface RtoResult {
  disasterAt: string | null;
  firstNewAckAt: string | null;
  /** null when the new primary never acknowledged a canary. */
  ms: number | null;
  targetMs: number;
  met: boolean;
}

export interface DrillVerification {
  phase: 'after-promotion' | 'after-failback';
  name: string;
  ok: boolean;
  detail: string;
}

/** What the drill left behind when it stopped early, and how to get back. */
export interface DrillLeftState {
  description: string;
  /** Exact commands (coffer CLI, Vault grammar) to restore the original roles. */
  recovery: string[];
}

export type DrillOutcome = 'passed' | 'failed' | 'aborted';

export interface DrillReport {
  id: string;
  version: 1;
  plan: DrillPlanPublic;
  startedAt: string;
  endedAt: string;
  outcome: DrillOutcome;
  /** Why it failed or aborted. */
  reason?: string;
  steps: DrillStepRecord[];
  canaries: {
    written: number;
    acknowledged: number;
    ackedByOld: number;
    ackedByNew: number;
    series: CanarySecond[];
  };
  rpo: RpoResult;
  rto: RtoResult;
  verifications: DrillVerification[];
  /** Present when the drill did not run to its end. */
  leftState?: DrillLeftState;
  /** Where sys/drills keeps it (null when storing failed). */
  storedOn: string | null;
}

/** sys/drills LIST answers keys plus key_info with this summary per id. */
export interface DrillSummary {
  kind: DrillKind;
  outcome: DrillOutcome;
  started_at: string;
  primary: string;
  secondary: string;
  rpo_met: boolean;
  rto_met: boolean;
  rto_ms: number | null;
  rpo_lost: number;
}

export type DrillEvent =
  | { type: 'step'; step: DrillStepRecord }
  | { type: 'log'; at: string; step: DrillStepId; message: string }
  | { type: 'canary'; second: CanarySecond }
  | { type: 'done'; report: DrillReport };

export interface DrillCallbacks {
  onEvent?: (e: DrillEvent) => void;
  /**
   * Asked before every destructive action on a cluster (type-to-confirm lives in the caller).
   * `action` says what will happen, e.g. "demote the DR primary dallas". false aborts the drill.
   */
  confirm: (step: DrillStepId, clusterName: string, action: string) => Promise<boolean>;
  /** Abort at any step: the report's leftState says what state is left and how to get back. */
  signal?: AbortSignal;
}

/** The engine: lib/drill/engine.ts exports `runDrill: RunDrill`. Never throws: failures end in the report. */
export type RunDrill = (plan: DrillPlan, callbacks: DrillCallbacks) => Promise<DrillReport>;

export const DEFAULT_CANARY_RATE = 20;
export const DEFAULT_CANARY_MOUNT = 'drill-canaries';
export const DEFAULT_SAMPLE_SIZE = 20;
