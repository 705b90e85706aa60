import { beforeEach, describe, expect, it } from 'vitest';
import { Barrier } from '../barrier/barrier';
import { SqliteBackend } from '../storage/sqlite';
import { PERFORMANCE_SET_PATH } from './performance-set';
import { emptyState, ReplicationStore, type ModeState } from './state';

// The DR-mirrored performance-set record as ReplicationStore keeps it, over
// real SQLite and a real barrier (issue 8 item 9).
const london = { id: 'london', serial: '4a', revoked: false, createdAt: 't0', bootstrappedAt: 't1' };
const ca = { certPem: 'CA', keyPem: 'CAKEY' };
const signingKey = { privateJwk: { kty: 'EC' }, publicJwk: { kty: 'EC' } };

let physical: SqliteBackend;
let store: ReplicationStore;
beforeEach(() => {
  physical = new SqliteBackend({ path: ':memory:' });
  const barrier = new Barrier(physical);
  barrier.unseal(barrier.initialize({ secret_shares: 1, secret_threshold: 1 }));
  store = new ReplicationStore(physical, barrier);
  store.adoptSetCredentials({ ca, signingKey });
});

const primary = (over: Partial<ModeState> = {}): ModeState => ({ ...emptyState(), mode: 'primary', clusterId: 'set-1', epoch: 1, ...over });

describe('ReplicationStore: the performance set a cluster leads, for its DR secondaries', () => {
  it('commits the sealed record with each change of the set, and removes it when the cluster stops leading', () => {
    store.saveState('performance', primary());
    expect(store.performanceSet()).toEqual({ clusterId: 'set-1', epoch: 1, secondaries: [], ca, signingKey });
    expect(physical.get(PERFORMANCE_SET_PATH)!.toString()).not.toContain('CAKEY'); // behind the barrier
    store.saveState('performance', primary({ secondaries: [london] }));
    expect(store.performanceSet()?.secondaries).toEqual([london]);
    store.saveState('performance', { ...primary(), mode: 'secondary', secondaries: [] });
    expect(store.performanceSet()).toBeNull();
  });

  it('a DR secondary never writes it: a demoted old primary, re-joined, keeps what its new DR primary shipped', () => {
    store.saveState('performance', primary());
    const shipped = { clusterId: 'set-1', epoch: 2, secondaries: [london], ca, signingKey };
    physical.applyShipped([store.sealedOp(PERFORMANCE_SET_PATH, shipped)]); // the new primary's record, as the DR applier writes it
    store.saveState('dr', { ...emptyState(), mode: 'secondary', clusterId: 'dr-set' });
    physical.setWriteMode('dr-secondary');
    expect(() => store.syncSetMirror()).not.toThrow(); // e.g. at start after unseal
    store.saveState('performance', primary({ lastError: 'stale' }));
    expect(store.performanceSet()).toEqual(shipped);
  });
});
