import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { FeedSnapshot } from '@/lib/types/replication-feed';
import { REPLICATION_STATUS_KEY, clockSkewMs, knownSecondaryCount, lagMs, lastWal, shortId, toReplicationStatus, type ReplicationStatus } from './replication';
import { dropEmpty } from './replication-actions';
import { writeSnapshotToCache } from './status-feed';

describe('toReplicationStatus', () => {
  it('reads data.dr and data.performance (Enterprise shape)', () => {
    const s = toReplicationStatus({ data: { dr: { mode: 'primary', state: 'running' }, performance: { mode: 'disabled' } } });
    expect(s).toEqual({ dr: { mode: 'primary', state: 'running' }, performance: { mode: 'disabled' }, unsupported: false });
  });
  it('treats the CE shape as both disabled, and data.mode=unsupported as unsupported', () => {
    expect(toReplicationStatus({ data: { mode: 'disabled' } })).toMatchObject({ dr: { mode: 'disabled' }, unsupported: false });
    expect(toReplicationStatus({ data: { mode: 'unsupported' } }).unsupported).toBe(true);
  });
});

describe('status helpers', () => {
  it('leads with the WAL index that matters for the mode', () => {
    expect(lastWal({ mode: 'primary', last_wal: 57 })).toBe(57);
    expect(lastWal({ mode: 'secondary', last_wal: 90, last_remote_wal: 88 })).toBe(88);
    expect(lastWal({ mode: 'disabled' })).toBeNull();
  });
  it('parses lag and clock skew (strings on the wire), and says null when absent', () => {
    expect(lagMs({ mode: 'secondary', lag_ms: '35' })).toBe(35);
    expect(lagMs({ mode: 'secondary' })).toBeNull();
    expect(clockSkewMs({ mode: 'secondary', primaries: [{ clock_skew_ms: '-2' }] })).toBe(-2);
    expect(clockSkewMs({ mode: 'secondary', primaries: [] })).toBeNull();
  });
  it('counts known secondaries and shortens ids like Vault', () => {
    expect(knownSecondaryCount({ mode: 'primary', known_secondaries: ['a', 'b'] })).toBe(2);
    expect(shortId('1c6a90e2-7d0b-4f3e-9b1a-52d7c0a4e811')).toBe('1c6a90e2');
  });
  it('drops empty fields from action bodies', () => {
    expect(dropEmpty({ token: 't', primary_api_addr: '', ca_file: undefined, force: false, x: 0 })).toEqual({ token: 't', x: 0 });
  });
});

describe('writeSnapshotToCache', () => {
  const snapshot: FeedSnapshot = {
    cluster: { name: 'a', id: 'c', apiAddr: 'http://a' },
    health: { initialized: true, sealed: false, standby: false, performance_standby: false, version: '1', replication_dr_mode: 'primary' },
    seal: { type: 'shamir', initialized: true, sealed: false, t: 1, n: 1, progress: 0, nonce: '', version: '1', migration: false, recovery_seal: false },
    replication: { dr: { mode: 'primary', state: 'running' }, performance: { mode: 'disabled' } },
  };
  it('puts an init into the keys the pages read', () => {
    const qc = new QueryClient();
    writeSnapshotToCache(qc, snapshot, { type: 'init', seq: 1, at: 0, snapshot });
    expect(qc.getQueryData<ReplicationStatus>(REPLICATION_STATUS_KEY)?.dr.state).toBe('running');
    expect(qc.getQueryData<{ replication_dr_mode: string }>(['sys', 'health'])?.replication_dr_mode).toBe('primary');
    expect(qc.getQueryData<{ sealed: boolean }>(['sys', 'seal-status'])?.sealed).toBe(false);
  });
  it('writes only the changed sections of a delta, and never a half-empty health body', () => {
    const qc = new QueryClient();
    qc.setQueryData(['sys', 'health'], { initialized: true, sealed: false, cluster_name: 'kept' });
    const next = { ...snapshot, health: {} as FeedSnapshot['health'], replication: { ...snapshot.replication, dr: { mode: 'primary', state: 'idle' as const } } };
    writeSnapshotToCache(qc, next, { type: 'delta', seq: 2, at: 0, changes: [{ path: 'replication.dr', value: next.replication.dr }, { path: 'health', value: next.health }] });
    expect(qc.getQueryData<ReplicationStatus>(REPLICATION_STATUS_KEY)?.dr.state).toBe('idle');
    expect(qc.getQueryData<{ cluster_name: string }>(['sys', 'health'])?.cluster_name).toBe('kept');
    expect(qc.getQueryData(['sys', 'seal-status'])).toBeUndefined();
  });
});
