import { describe, expect, it } from 'vitest';
import { clustersSearch, initialClusters, normalizeClusterAddr, parseClusterList } from './status-feed-wall';

describe('wall cluster list', () => {
  it('normalises addresses people type', () => {
    expect(normalizeClusterAddr(' 127.0.0.1:8200/ ')).toBe('http://127.0.0.1:8200');
    expect(normalizeClusterAddr('https://vault.example:8200/ui/')).toBe('https://vault.example:8200');
    expect(normalizeClusterAddr('ftp://x')).toBeNull();
    expect(normalizeClusterAddr('')).toBeNull();
  });
  it('reads ?clusters= first, else localStorage, without duplicates', () => {
    expect(initialClusters('?clusters=http://127.0.0.1:8200,http://127.0.0.1:8300,127.0.0.1:8200', '["http://x:1"]')).toEqual([
      'http://127.0.0.1:8200',
      'http://127.0.0.1:8300',
    ]);
    expect(initialClusters('', '["http://x:1"]')).toEqual(['http://x:1']);
    expect(initialClusters('', 'not json')).toEqual([]);
    expect(parseClusterList(',,')).toEqual([]);
  });
  it('writes a shareable, readable query string', () => {
    expect(clustersSearch(['http://127.0.0.1:8200', 'http://127.0.0.1:8300'])).toBe('?clusters=http://127.0.0.1:8200,http://127.0.0.1:8300');
    expect(clustersSearch([])).toBe('');
  });
});
