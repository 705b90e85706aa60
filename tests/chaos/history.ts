import type { HaRecord } from './ha-history';

// What a chaos run records, as plain data: the client operations, the status
// samples, the faults, the failovers and the end state. The checker reads
// only this, so every invariant can be tested on hand-built histories.
// Times are milliseconds since the run started, on the harness's clock.

/** A node of the run ('n1' … 'n4'); its role changes with failovers. */
export type NodeName = string;
export type Mode = 'dr' | 'performance';

export interface WriteOp {
  key: string;
  value: string;
  client: string;
  /** The node the request was sent to. */
  via: NodeName;
  /** The primary that acknowledges it: `via` for direct writes, the perf secondary's upstream for forwarded ones. */
  primary: NodeName;
  /** Forwarded through a performance secondary (no epoch is attributed to these). */
  forwarded: boolean;
  invokedAt: number;
  completedAt: number;
  /** `ok`: a 2xx, acknowledged. `fail`: refused with an HTTP error. `unknown`: no answer (timeout, reset). */
  outcome: 'ok' | 'fail' | 'unknown';
  detail?: string;
}

export interface ReadOp {
  key: string;
  node: NodeName;
  invokedAt: number;
  completedAt: number;
  /** The value read; null for a 404. Reads that got no answer are not recorded. */
  value: string | null;
}

/** One replication link as a node's status describes it. */
export interface LinkView {
  peer: NodeName;
  healthy: boolean;
}

export interface ModeView {
  mode: string;
  epoch: number;
  state?: string;
  supersededBy?: string;
  merkleRoot?: string;
  links: LinkView[];
}

export interface StatusSample {
  node: NodeName;
  sentAt: number;
  receivedAt: number;
  modes: Record<Mode, ModeView>;
}

export interface FaultEvent {
  n: number;
  kind: string;
  target: string;
  detail: string;
  startedAt: number;
  endedAt: number;
}

/**
 * A stretch of time in which `peer` sent nothing on its replication links
 * (frozen, killed, or its proxy stalled). With `mode`, only that mode's links;
 * with `observer`, only as seen from that node.
 */
export interface Silence {
  peer: NodeName;
  mode?: Mode;
  observer?: NodeName;
  from: number;
  to: number;
  cause: string;
}

export interface Failover {
  n: number;
  oldPrimary: NodeName;
  newPrimary: NodeName;
  oldEpoch: number;
  newEpoch: number;
  /** When the old primary was cut off (killed, frozen or partitioned). */
  startedAt: number;
  /** When the promote call returned. */
  promotedAt: number;
  /** When the old primary was demoted (fail-back); until then its late acks count against this failover. */
  demotedAt?: number;
  /** When the old primary came back (undemoted), and when its status first said it was superseded. */
  returnedAt?: number;
  fencedAt?: number;
  /** Keys (of every write ever acknowledged) present on the promoted node right after its promotion. */
  presentOnPromoted: string[];
}

export interface Convergence {
  /** 'heal' (the end of the run) or 'fail-back <n>' (writes paused right after failover n's fail-back). */
  after: string;
  mode: Mode;
  primary: NodeName;
  secondary: NodeName;
  /** ms until the roots were equal; null if they never were within the wait. */
  ms: number | null;
}

export interface Readback {
  node: NodeName;
  /** key → value as read back at the end (only keys that exist). */
  values: Record<string, string>;
}

export interface History {
  seed: number;
  writes: WriteOp[];
  reads: ReadOp[];
  samples: StatusSample[];
  faults: FaultEvent[];
  silences: Silence[];
  failovers: Failover[];
  healedAt: number;
  convergence: Convergence[];
  readbacks: Readback[];
  /** Problems the driver met that are violations by themselves (a re-point that failed, a node that never came back). */
  driverErrors: string[];
  /** A run whose primary is an HA cluster (--ha): its nodes' role samples and the faults on its active. */
  ha?: HaRecord;
}

/** A stalled proxy silences the links through it, and only those: each end stops hearing the other. */
export function recordPartition(h: History, primary: NodeName, mode: Mode, through: NodeName[], from: number, to: number, cause: string): void {
  for (const s of through) {
    h.silences.push({ peer: primary, mode, observer: s, from, to, cause });
    h.silences.push({ peer: s, mode, observer: primary, from, to, cause });
  }
}

export function emptyHistory(seed: number): History {
  return { seed, writes: [], reads: [], samples: [], faults: [], silences: [], failovers: [], healedAt: 0, convergence: [], readbacks: [], driverErrors: [] };
}
