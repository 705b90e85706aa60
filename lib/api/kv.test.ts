import { describe, expect, it } from 'vitest';
import { dataPath, listPath, mountPath, parentDir, sortKeys, type KvMount } from './kv';

const v2: KvMount = { path: 'secret/', type: 'kv', version: 2 };
const v1: KvMount = { path: 'kv1/', type: 'kv', version: 1 };

describe('KV paths', () => {
  it('puts v2 data under data/ and listings under metadata/, v1 at the plain path', () => {
    expect(dataPath(v2, 'app/db')).toBe('secret/data/app/db');
    expect(listPath(v2, 'app/')).toBe('secret/metadata/app/');
    expect(dataPath(v1, 'app/db')).toBe('kv1/app/db');
    expect(listPath(v1, '')).toBe('kv1/');
  });
  it('encodes each segment but keeps the slashes', () => {
    expect(dataPath(v2, 'team a/p?w')).toBe('secret/data/team%20a/p%3Fw');
  });
  it('normalises mount names', () => {
    expect(mountPath('/secret/')).toBe('secret/');
    expect(mountPath('secret')).toBe('secret/');
  });
  it('lists folders first, then secrets, each alphabetically', () => {
    expect(sortKeys(['b', 'a/', 'c', 'A/', 'a'])).toEqual(['a/', 'A/', 'a', 'b', 'c']);
  });
  it('finds the parent folder', () => {
    expect(parentDir('a/b/c')).toBe('a/b/');
    expect(parentDir('top')).toBe('');
    expect(parentDir('a/b/')).toBe('a/');
  });
});
