// ONE table from a replication `state` / `connection_state` to what the
// console shows: label, glyph and tone (replication-api.md §7.8; vault
// core/addon/helpers/cluster-states.js). Dashboards, the Status menu and the
// status wall all read it, so a state looks the same everywhere.
import type { ReplicationKind, ReplicationModeStatus } from '@/lib/types/replication';

export type StateTone = 'ok' | 'syncing' | 'error' | 'neutral';
export type StateGlyph = 'check' | 'sync' | 'x-square' | 'x-circle' | 'dot';

export interface StateDisplay {
  /** The raw state name, as Vault's UI shows it ("stream-wals"). */
  label: string;
  /** Plain words for tooltips, the wall and screen readers. */
  meaning: string;
  glyph: StateGlyph;
  tone: StateTone;
}

const STATES: Record<string, Omit<StateDisplay, 'label'>> = {
  running: { meaning: 'Replication is running', glyph: 'check', tone: 'ok' },
  ready: { meaning: 'Connected to the primary', glyph: 'check', tone: 'ok' },
  'stream-wals': { meaning: 'Everything is in sync', glyph: 'check', tone: 'ok' },
  'merkle-diff': { meaning: 'Determining sync status', glyph: 'sync', tone: 'syncing' },
  'merkle-sync': { meaning: 'Syncing', glyph: 'sync', tone: 'syncing' },
  connecting: { meaning: 'Connecting to the primary', glyph: 'sync', tone: 'syncing' },
  bootstrapping: { meaning: 'Setting up replication', glyph: 'sync', tone: 'syncing' },
  idle: { meaning: 'Not replicating', glyph: 'x-square', tone: 'error' },
  transient_failure: { meaning: 'Connection failed; retrying', glyph: 'x-circle', tone: 'error' },
  shutdown: { meaning: 'Connection shut down', glyph: 'x-circle', tone: 'error' },
};

export function clusterState(state: string | undefined | null): StateDisplay {
  if (!state) return { label: 'unknown', meaning: 'State not reported', glyph: 'dot', tone: 'neutral' };
  const known = STATES[state];
  return known ? { label: state, ...known } : { label: state, meaning: state, glyph: 'dot', tone: 'neutral' };
}

export function isOkState(state: string | undefined): boolean {
  return clusterState(state).tone === 'ok';
}

/** A secondary too far behind for stream-wals: the dashboards show "Syncing in progress". */
export const SYNCING_STATES: ReadonlySet<string> = new Set(['merkle-diff', 'merkle-sync', 'connecting']);

/** Help under `connection_state` on a secondary's dashboard (§7.4). */
export const CONNECTION_STATE_HELP: Record<string, string> = {
  ready: 'The connection to the primary is healthy.',
  connecting: 'This cluster is dialing its primary.',
  idle: 'The connection is idle; it will connect when there is work to do.',
  transient_failure:
    'There has been a transient failure. This cluster will keep retrying the connection to its primary.',
  shutdown: 'The connection to the primary has been shut down and will not be retried. Check the server logs.',
};

export const KIND_TITLE: Record<ReplicationKind, string> = { dr: 'Disaster Recovery', performance: 'Performance' };
const KIND_SHORT: Record<ReplicationKind, string> = { dr: 'DR', performance: 'Perf' };

/** "DR primary", "Perf secondary"; null when that kind is disabled. */
export function roleLabel(kind: ReplicationKind, status: Pick<ReplicationModeStatus, 'mode'> | undefined): string | null {
  const mode = status?.mode;
  if (!mode || mode === 'disabled' || mode === 'unsupported') return null;
  return `${KIND_SHORT[kind]} ${mode}`;
}

/** The state a kind is in for a one-word summary: `state`, or the mode while it has none (bootstrapping). */
export function summaryState(status: ReplicationModeStatus | undefined): string | undefined {
  if (!status || status.mode === 'disabled') return undefined;
  if (status.mode === 'bootstrapping') return 'bootstrapping';
  return status.state;
}
