// The console's live status: one feed connection per tab, shared by every
// component that calls useStatusFeed() (reference-counted). Each message is
// written into React Query's cache under the keys the pages already read
// (sys/replication/status, sys/health, sys/seal-status), so a page needs no
// special code to be live. The last ~60 lag samples per kind are kept for the
// dashboards' sparklines.
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import type { HealthResponse, SealStatusResponse } from '@/lib/types/cluster-status';
import type { ReplicationKind } from '@/lib/types/replication';
import type { FeedMessage, FeedSnapshot } from '@/lib/types/replication-feed';
import { HA_NODES_KEY } from './ha-nodes';
import { RAFT_KEY, LEADER_KEY } from './raft';
import { REPLICATION_STATUS_KEY, lagMs, type ReplicationStatus } from './replication';
import { useSession } from './session';
import { StatusFeedClient, type FeedConnection } from './status-feed-client';

export type { FeedConnection };

export const LAG_HISTORY_LENGTH = 60;
const HEALTH_KEY = ['sys', 'health'] as const;
const SEAL_KEY = ['sys', 'seal-status'] as const;

interface Shared {
  client: StatusFeedClient;
  token: string | null;
  refs: number;
  queryClient: QueryClient;
}

let shared: Shared | null = null;
let connection: FeedConnection = 'stopped';
const connectionListeners = new Set<() => void>();
let lagHistory: Record<ReplicationKind, number[]> = { dr: [], performance: [] };
const lagListeners = new Set<() => void>();

function notify(set: Set<() => void>) {
  for (const l of set) l();
}

export function writeSnapshotToCache(qc: QueryClient, s: FeedSnapshot, msg: FeedMessage): void {
  const changed = (path: string) =>
    msg.type === 'init' || ((msg.type === 'delta' || msg.type === 'patch') && msg.changes.some((c) => c.path === path || c.path.startsWith(`${path}.`)));
  if (changed('replication')) {
    qc.setQueryData<ReplicationStatus>(REPLICATION_STATUS_KEY, (prev) => ({
      dr: s.replication.dr,
      performance: s.replication.performance,
      unsupported: prev?.unsupported ?? false,
    }));
  }
  // Only bodies that look like the real thing: a partial snapshot must not blank the Status menu.
  if (changed('health') && typeof s.health?.initialized === 'boolean') qc.setQueryData(HEALTH_KEY, s.health as unknown as HealthResponse);
  if (changed('seal') && typeof s.seal?.sealed === 'boolean') qc.setQueryData(SEAL_KEY, s.seal as unknown as SealStatusResponse);
  if (changed('ha')) {
    qc.setQueryData(HA_NODES_KEY, s.ha ?? null);
    // A failover, a node gone or sealed: what the Raft Storage screen and sys/leader say has moved too.
    if (msg.type !== 'init') {
      void qc.invalidateQueries({ queryKey: RAFT_KEY });
      void qc.invalidateQueries({ queryKey: LEADER_KEY });
    }
  }
}

function recordLag(s: FeedSnapshot) {
  const next = { ...lagHistory };
  let any = false;
  for (const kind of ['dr', 'performance'] as const) {
    const lag = s.replication[kind]?.mode === 'secondary' ? lagMs(s.replication[kind]) : null;
    if (lag === null) continue;
    next[kind] = [...next[kind], lag].slice(-LAG_HISTORY_LENGTH);
    any = true;
  }
  if (any) {
    lagHistory = next;
    notify(lagListeners);
  }
}

function setConnection(s: FeedConnection) {
  connection = s;
  notify(connectionListeners);
}

function acquire(qc: QueryClient, token: string | null): void {
  if (shared && shared.token !== token) {
    // Signed in as someone else: start over with the new token.
    shared.client.stop();
    shared = { ...shared, token, client: makeClient(qc, token) };
    shared.client.start();
  }
  if (!shared) {
    shared = { client: makeClient(qc, token), token, refs: 0, queryClient: qc };
    shared.client.start();
  }
  shared.refs++;
}

function release(): void {
  if (!shared) return;
  if (--shared.refs > 0) return;
  const s = shared;
  // Navigating between pages unmounts and remounts subscribers: keep the socket a moment.
  setTimeout(() => {
    if (shared === s && s.refs === 0) {
      s.client.stop();
      shared = null;
      lagHistory = { dr: [], performance: [] };
    }
  }, 2000);
}

function makeClient(qc: QueryClient, token: string | null): StatusFeedClient {
  return new StatusFeedClient({
    clusterAddr: '',
    token,
    onConnection: setConnection,
    onSnapshot: (s, msg) => {
      writeSnapshotToCache(qc, s, msg);
    },
    // Every message, heartbeats included, samples the lag: the sparkline moves once a second.
    onMessage: () => {
      const s = shared?.client.snapshot;
      if (s) recordLag(s);
    },
  });
}

/** True while the feed delivers; pages poll only when it does not. */
export function feedIsLive(): boolean {
  return connection === 'live';
}

/** Subscribe this component to the live feed; returns the connection state. */
export function useStatusFeed(opts: { anonymous?: boolean } = {}): FeedConnection {
  const qc = useQueryClient();
  const session = useSession();
  const token = opts.anonymous || session.status !== 'signed-in' ? null : session.session.token;
  const known = session.status !== 'unknown';
  useEffect(() => {
    if (!known) return;
    acquire(qc, token);
    return release;
  }, [qc, token, known]);
  return useSyncExternalStore(
    (l) => {
      connectionListeners.add(l);
      return () => connectionListeners.delete(l);
    },
    () => connection,
    () => 'connecting' as FeedConnection,
  );
}

const EMPTY: number[] = [];

export function useLagHistory(kind: ReplicationKind): number[] {
  return useSyncExternalStore(
    (l) => {
      lagListeners.add(l);
      return () => lagListeners.delete(l);
    },
    () => lagHistory[kind],
    () => EMPTY,
  );
}
