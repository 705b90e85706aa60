import { describe, expect, it } from 'vitest';
import { SYNCING_STATES, clusterState, isOkState, roleLabel, summaryState } from './cluster-states';

describe('cluster state table (§7.8)', () => {
  it('gives OK states a check, syncing states a spinner, error states an x', () => {
    for (const s of ['running', 'ready', 'stream-wals']) expect(clusterState(s)).toMatchObject({ label: s, tone: 'ok', glyph: 'check' });
    for (const s of ['merkle-diff', 'merkle-sync', 'connecting', 'bootstrapping']) expect(clusterState(s)).toMatchObject({ tone: 'syncing', glyph: 'sync' });
    expect(clusterState('idle')).toMatchObject({ tone: 'error', glyph: 'x-square' });
    for (const s of ['transient_failure', 'shutdown']) expect(clusterState(s)).toMatchObject({ tone: 'error', glyph: 'x-circle' });
  });
  it('shows anything else neutrally, by its own name', () => {
    expect(clusterState('reindexing')).toEqual({ label: 'reindexing', meaning: 'reindexing', glyph: 'dot', tone: 'neutral' });
    expect(clusterState(undefined)).toMatchObject({ label: 'unknown', tone: 'neutral' });
  });
  it('says "Everything is in sync" for stream-wals, as Vault’s tooltip does', () => {
    expect(clusterState('stream-wals').meaning).toBe('Everything is in sync');
    expect(isOkState('stream-wals')).toBe(true);
    expect(isOkState('merkle-sync')).toBe(false);
  });
  it('puts the syncing banner on merkle-diff, merkle-sync and connecting only', () => {
    expect([...SYNCING_STATES].sort()).toEqual(['connecting', 'merkle-diff', 'merkle-sync']);
  });
  it('names roles the way the wall shows them', () => {
    expect(roleLabel('dr', { mode: 'primary' })).toBe('DR primary');
    expect(roleLabel('performance', { mode: 'secondary' })).toBe('Perf secondary');
    expect(roleLabel('dr', { mode: 'disabled' })).toBeNull();
    expect(summaryState({ mode: 'bootstrapping', state: 'idle' })).toBe('bootstrapping');
    expect(summaryState({ mode: 'disabled' })).toBeUndefined();
  });
});
