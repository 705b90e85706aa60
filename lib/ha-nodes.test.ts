import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeNodeOf, haNodesOf, haSummary, nextFeedAddr, type HaEcho } from './ha-nodes';

const member = (id: string) => ({ node_id: id, api_address: `http://${id}:8200` });
const echo = (id: string, role?: HaEcho['role']): HaEcho => ({ ...member(id), ...(role ? { role } : {}) });

describe('haNodesOf', () => {
  it('marks the leader key holder active, the other live members standby, a member without an echo down', () => {
    const nodes = haNodesOf({ members: ['dallas-1', 'dallas-2', 'dallas-3'].map(member), echoes: [echo('dallas-1'), echo('dallas-2')], activeId: 'dallas-2' });
    expect(nodes.map((n) => [n.node_id, n.state])).toEqual([
      ['dallas-1', 'standby'],
      ['dallas-2', 'active'],
      ['dallas-3', 'down'],
    ]);
    expect(activeNodeOf(nodes)?.node_id).toBe('dallas-2');
    expect(haSummary(nodes)).toBe('3 nodes · 1 down');
  });

  it('a sealed node is sealed even while the leader key still names it', () => {
    const nodes = haNodesOf({ members: null, echoes: [echo('a'), echo('b')], activeId: 'a', self: echo('a', 'sealed') });
    expect(nodes.map((n) => n.state)).toEqual(['sealed', 'standby']);
    expect(haSummary(nodes)).toBe('2 nodes · no active node · 1 sealed');
  });

  it('without a membership list the members are the nodes that echo, this node included, sorted by name', () => {
    const nodes = haNodesOf({ members: [], echoes: [echo('n-10'), echo('n-2')], activeId: null, self: echo('n-1', 'standby') });
    expect(nodes.map((n) => n.node_id)).toEqual(['n-1', 'n-2', 'n-10']);
  });

  it('a removed peer that still echoes is not listed once a membership exists', () => {
    const nodes = haNodesOf({ members: [member('a'), member('b')], echoes: [echo('a'), echo('b'), echo('gone')], activeId: 'a' });
    expect(nodes.map((n) => n.node_id)).toEqual(['a', 'b']);
  });

  it('invariant: every member listed once, at most one active, never an active without an echo or sealed', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const role = fc.option(fc.constantFrom<NonNullable<HaEcho['role']>>('active', 'promoting', 'standby', 'sealed'), { nil: undefined });
    fc.assert(
      fc.property(
        fc.option(fc.array(id.map(member), { maxLength: 6 }), { nil: null }),
        fc.array(fc.tuple(id, role).map(([i, r]) => echo(i, r)), { maxLength: 6 }),
        fc.option(id, { nil: null }),
        fc.option(fc.tuple(id, role).map(([i, r]) => echo(i, r)), { nil: undefined }),
        (members, echoes, activeId, self) => {
          const nodes = haNodesOf({ members, echoes, activeId, self });
          const ids = nodes.map((n) => n.node_id);
          expect(new Set(ids).size).toBe(ids.length);
          const expected = new Set(members?.length ? members.map((m) => m.node_id) : [...echoes.map((e) => e.node_id), ...(self ? [self.node_id] : [])]);
          expect(new Set(ids)).toEqual(expected);
          const active = nodes.filter((n) => n.state === 'active');
          expect(active.length).toBeLessThanOrEqual(1);
          for (const a of active) {
            expect(a.node_id).toBe(activeId);
            const own = self?.node_id === a.node_id ? self : [...echoes].reverse().find((e) => e.node_id === a.node_id);
            expect(own?.role).not.toBe('sealed');
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('nextFeedAddr', () => {
  const n = (id: string, state: 'active' | 'standby' | 'sealed' | 'down') => ({ node_id: id, api_address: `http://${id}`, state });
  it('goes through the watched node and the nodes not down, in turn', () => {
    const nodes = [n('a', 'standby'), n('b', 'active'), n('c', 'down'), n('d', 'sealed')];
    expect(nextFeedAddr('http://a', 'http://a', nodes)).toBe('http://b');
    expect(nextFeedAddr('http://b', 'http://a', nodes)).toBe('http://d');
    expect(nextFeedAddr('http://d', 'http://a', nodes)).toBe('http://a');
    // A single node, or an address no longer listed: back to the watched one.
    expect(nextFeedAddr('http://a', 'http://a', null)).toBe('http://a');
    expect(nextFeedAddr('http://gone', 'http://a', nodes)).toBe('http://a');
  });

  it('property: every candidate is reached within one round from anywhere', () => {
    const node = fc.record({ node_id: fc.constantFrom('a', 'b', 'c', 'd'), api_address: fc.constantFrom('http://a', 'http://b', 'http://c', 'http://d'), state: fc.constantFrom<'active' | 'standby' | 'sealed' | 'down'>('active', 'standby', 'sealed', 'down') });
    fc.assert(
      fc.property(fc.array(node, { maxLength: 5 }), fc.constantFrom('http://a', 'http://b', 'http://x'), (nodes, start) => {
        const candidates = new Set(['http://a', ...nodes.filter((x) => x.state !== 'down').map((x) => x.api_address)]);
        const seen = new Set<string>();
        let at: string = start;
        for (let i = 0; i <= candidates.size; i++) seen.add((at = nextFeedAddr(at, 'http://a', nodes)));
        expect(seen).toEqual(candidates);
      }),
    );
  });
});
