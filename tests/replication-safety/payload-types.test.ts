// Issue 8 item 10, "one place for each truth": the status and status-feed
// payloads are defined once, in lib/types, and the server builds them against
// those types. The type assertions below fail `tsc` if the server's builders
// drift from lib/types; the field lists are exhaustive (a field added to or
// renamed in lib/types must be added here too, or tsc fails), and the runtime
// cases check that every field a real server sends is declared there.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { HealthResponse, SealStatusResponse } from '../../lib/types/cluster-status';
import type { FeedMessage, FeedSnapshot } from '../../lib/types/replication-feed';
import type { ReplicationModeStatus, ReplicationPeer, ReplicationStatusPair } from '../../lib/types/replication';
import type { StatusSnapshot, FeedMessage as ServerFeedMessage } from '../../server/http/status-feed';
import type { SealManager } from '../../server/core/seal-manager';
import type { healthOf } from '../../server/engines/sys/health';
import type { modeStatus, replicationStatus } from '../../server/replication/status';
import { api, startDevServer, type DevServer } from '../support/cluster';
import { pair } from '../support/replication';

const MODE_STATUS_FIELDS = {
  mode: true, state: true, connection_state: true, cluster_id: true, known_secondaries: true, secondaries: true, primaries: true,
  known_primary_cluster_addrs: true, last_wal: true, last_dr_wal: true, last_performance_wal: true, last_remote_wal: true,
  merkle_root: true, primary_cluster_addr: true, secondary_id: true, last_start: true, last_reindex_epoch: true,
  last_corruption_check_epoch: true, corrupted_merkle_tree: true, ssct_generation_counter: true, merkle_sync_progress: true,
  lag_ms: true, last_error: true, superseded_by: true, stale_primary_warning: true, promoted_at: true, epoch: true,
  last_applied_at_ms: true, last_applied_primary_commit_ms: true, recent_applies: true, reindex_in_progress: true, reindex_stage: true,
  reindex_building_progress: true, reindex_building_total: true,
} satisfies Record<keyof ReplicationModeStatus, true>;

const PEER_FIELDS = {
  node_id: true, api_address: true, cluster_address: true, connection_status: true, last_heartbeat: true,
  last_heartbeat_duration_ms: true, clock_skew_ms: true, replication_primary_canary_age_ms: true, acked_wal: true, last_error: true,
} satisfies Record<keyof ReplicationPeer, true>;

const HEALTH_FIELDS = {
  initialized: true, sealed: true, standby: true, performance_standby: true, replication_performance_mode: true,
  replication_dr_mode: true, server_time_utc: true, version: true, cluster_name: true, cluster_id: true, enterprise: true,
  clock_skew_ms: true, echo_duration_ms: true, last_wal: true, removed_from_cluster: true, ha_connection_healthy: true,
  last_request_forwarding_heartbeat_ms: true,
} satisfies Record<keyof HealthResponse, true>;

const SEAL_FIELDS = {
  type: true, initialized: true, sealed: true, t: true, n: true, progress: true, nonce: true, version: true, build_date: true,
  migration: true, recovery_seal: true, storage_type: true, cluster_name: true, cluster_id: true,
} satisfies Record<keyof SealStatusResponse, true>;

function undeclared(body: Record<string, unknown>, declared: Record<string, true>): string[] {
  return Object.keys(body).filter((k) => !(k in declared));
}

function undeclaredInStatus(s: Record<string, unknown>): string[] {
  const peers = [...((s.secondaries as Record<string, unknown>[]) ?? []), ...((s.primaries as Record<string, unknown>[]) ?? [])];
  return [...undeclared(s, MODE_STATUS_FIELDS), ...peers.flatMap((p) => undeclared(p, PEER_FIELDS).map((k) => `peer.${k}`))];
}

describe('one place for each truth: status and feed payload types (issue 8 item 10)', () => {
  it('the server builds its payloads with the lib/types definitions (checked by tsc)', () => {
    expectTypeOf<ReturnType<typeof modeStatus>>().toEqualTypeOf<ReplicationModeStatus>();
    expectTypeOf<ReturnType<typeof replicationStatus>>().toEqualTypeOf<ReplicationStatusPair>();
    expectTypeOf<ReturnType<typeof healthOf>['body']>().toEqualTypeOf<HealthResponse>();
    expectTypeOf<ReturnType<SealManager['status']>>().toEqualTypeOf<SealStatusResponse>();
    expectTypeOf<StatusSnapshot>().toEqualTypeOf<FeedSnapshot>();
    expectTypeOf<ServerFeedMessage>().toEqualTypeOf<FeedMessage>();
  });

  describe('a real primary and performance secondary send only declared fields', () => {
    let p: DevServer;
    let s: DevServer;
    beforeAll(async () => {
      [p, s] = await Promise.all([startDevServer(), startDevServer()]);
      await pair({ addr: p.addr, token: p.rootToken }, { addr: s.addr, token: s.rootToken }, 'performance', 'types-b');
      const w = await api(p.addr, 'POST', 'secret/data/types', { token: p.rootToken, body: { data: { v: 1 } } });
      expect(w.status).toBe(200);
    }, 90_000);
    afterAll(async () => {
      await Promise.all([p?.stop(), s?.stop()]);
    });

    it('sys/replication/status on both sides', async () => {
      for (const node of [p, s]) {
        const r = await api(node.addr, 'GET', 'sys/replication/status');
        expect(r.status).toBe(200);
        expect(undeclaredInStatus(r.body.data.performance), `${node.addr} performance`).toEqual([]);
        expect(undeclaredInStatus(r.body.data.dr), `${node.addr} dr`).toEqual([]);
      }
    });

    it('sys/health and sys/seal-status', async () => {
      for (const node of [p, s]) {
        const h = await api(node.addr, 'GET', 'sys/health');
        expect(undeclared(h.body, HEALTH_FIELDS)).toEqual([]);
        const seal = await api(node.addr, 'GET', 'sys/seal-status');
        expect(undeclared(seal.body, SEAL_FIELDS)).toEqual([]);
      }
    });
  });
});
