import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReplicationModeStatus, ReplicationPeer } from './types/replication';
import type { FeedHaNode, FeedSnapshot } from './types/replication-feed';
import { applyPatchChanges, diffSnapshot, stableJson } from './feed-patch';

const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const peer: fc.Arbitrary<ReplicationPeer> = fc.record(
  {
    node_id: fc.constantFrom('s1', 's2', 's3', 's4', 's5'),
    api_address: fc.constantFrom('http://a', 'http://b'),
    connection_status: fc.constantFrom('connected', 'disconnected'),
    last_heartbeat: fc.constantFrom('t1', 't2', 't3'),
    acked_wal: fc.nat(20),
  },
  { requiredKeys: [] },
);

const mode: fc.Arbitrary<ReplicationModeStatus> = fc.record(
  {
    mode: fc.constantFrom('disabled', 'primary', 'secondary'),
    state: fc.constantFrom('running', 'stream-wals', 'merkle-sync'),
    last_wal: fc.nat(50),
    last_remote_wal: fc.nat(50),
    known_secondaries: fc.array(fc.constantFrom('s1', 's2', 's3')),
    // A sliding window, as recent_applies is: often a shift of the previous one.
    recent_applies: fc.nat(4).chain((start) =>
      fc.nat(4).map((len) => Array.from({ length: len }, (_, i) => ({ last_remote_wal: start + i, applied_at_ms: start + i, primary_commit_ms: 1 }))),
    ),
    merkle_sync_progress: fc.record({ sync_progress: fc.nat(9), sync_total_keys: fc.nat(9) }),
    // Often with unique node_ids (row patches), sometimes not (sent whole).
    secondaries: fc.oneof(fc.uniqueArray(peer, { selector: (p) => p.node_id, maxLength: 5 }), fc.array(peer, { maxLength: 3 })),
    primaries: fc.uniqueArray(peer, { selector: (p) => p.node_id, maxLength: 2 }),
  },
  { requiredKeys: ['mode'] },
);

const haNode: fc.Arbitrary<FeedHaNode> = fc.record({
  node_id: fc.constantFrom('n1', 'n2', 'n3', 'n4'),
  api_address: fc.constantFrom('http://a', 'http://b'),
  state: fc.constantFrom('active', 'standby', 'sealed', 'down'),
});

const snapshot: fc.Arbitrary<FeedSnapshot> = fc.record({
  cluster: fc.record({ name: fc.constantFrom('a', 'b'), id: fc.constantFrom('1', '2'), apiAddr: fc.constant('http://x') }),
  health: fc.record({ initialized: fc.constant(true), sealed: fc.boolean(), standby: fc.boolean() }) as unknown as fc.Arbitrary<FeedSnapshot['health']>,
  seal: fc.record({ sealed: fc.boolean(), t: fc.nat(3) }) as unknown as fc.Arbitrary<FeedSnapshot['seal']>,
  replication: fc.record({ dr: mode, performance: mode }),
  // A single node (null) or an HA cluster's nodes, keyed by node_id.
  ha: fc.option(fc.uniqueArray(haNode, { selector: (n) => n.node_id, maxLength: 4 }), { nil: null }),
});

describe('status feed protocol 2 patches', () => {
  it('a sliding recent_applies window sends only the new entries', () => {
    const win = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ last_remote_wal: from + i, applied_at_ms: from + i, primary_commit_ms: 0 }));
    const a: ReplicationModeStatus = { mode: 'secondary', recent_applies: win(0, 512) };
    const b: ReplicationModeStatus = { mode: 'secondary', recent_applies: win(2, 512) };
    const snap = (performance: ReplicationModeStatus): FeedSnapshot => ({ cluster: { name: 'a', id: '1', apiAddr: 'x' }, health: {} as FeedSnapshot['health'], seal: {} as FeedSnapshot['seal'], replication: { dr: { mode: 'disabled' }, performance } });
    expect(diffSnapshot(snap(a), snap(b))).toEqual([{ path: 'replication.performance', patch: { slide: { recent_applies: { drop: 2, push: win(512, 2) } } } }]);
  });

  it('applying the patches of any sequence of states to the first snapshot gives the last state', () => {
    fc.assert(
      fc.property(fc.array(snapshot, { minLength: 1, maxLength: 8 }), (states) => {
        let client = wire(states[0]);
        for (let i = 1; i < states.length; i++) client = applyPatchChanges(client, wire(diffSnapshot(states[i - 1], states[i])));
        expect(stableJson(client)).toBe(stableJson(wire(states.at(-1))));
      }),
      { numRuns: 500 },
    );
  });

  it('an unchanged state yields no changes', () => {
    fc.assert(
      fc.property(snapshot, (s) => {
        expect(diffSnapshot(s, structuredClone(s))).toEqual([]);
      }),
    );
  });

  it('a failover sends the two HA rows whose state changed, by node_id', () => {
    const nodes = (active: string): FeedHaNode[] => ['d1', 'd2', 'd3'].map((id) => ({ node_id: id, api_address: `http://${id}`, state: id === active ? 'active' : 'standby' }));
    const snap = (ha: FeedHaNode[] | null | undefined): FeedSnapshot => ({ cluster: { name: 'a', id: '1', apiAddr: 'x' }, health: {} as FeedSnapshot['health'], seal: {} as FeedSnapshot['seal'], replication: { dr: { mode: 'disabled' }, performance: { mode: 'disabled' } }, ha });
    const changes = diffSnapshot(snap(nodes('d1')), snap(nodes('d2')));
    expect(changes).toEqual([{ path: 'ha', rows: { rows: { d1: { set: { state: 'standby' } }, d2: { set: { state: 'active' } } } } }]);
    expect(applyPatchChanges(snap(nodes('d1')), wire(changes)).ha).toEqual(nodes('d2'));
    // A server that predates the HA section: nothing to send, and a first list goes whole.
    expect(diffSnapshot(snap(undefined), snap(undefined))).toEqual([]);
    expect(diffSnapshot(snap(undefined), snap(nodes('d3')))).toEqual([{ path: 'ha', value: nodes('d3') }]);
  });

  it('one secondary among fifty changing one field sends only that row and field', () => {
    const rows = Array.from({ length: 50 }, (_, i): ReplicationPeer => ({ node_id: `s${i}`, api_address: `http://10.0.0.${i}:8200`, connection_status: 'connected', last_heartbeat: 't0' }));
    const base: FeedSnapshot = wire({
      cluster: { name: 'p', id: '1', apiAddr: 'http://p' },
      health: { initialized: true } as FeedSnapshot['health'],
      seal: { sealed: false } as FeedSnapshot['seal'],
      replication: { dr: { mode: 'disabled' }, performance: { mode: 'primary', last_wal: 7, secondaries: rows } },
    });
    const next = structuredClone(base);
    next.replication.performance.secondaries![17].connection_status = 'disconnected';
    expect(diffSnapshot(base, next)).toEqual([{ path: 'replication.performance', patch: { secondaries: { rows: { s17: { set: { connection_status: 'disconnected' } } } } } }]);
  });
});
