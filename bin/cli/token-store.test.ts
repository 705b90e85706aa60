import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStoredToken, storeToken, tokenFilePath } from './token-store';

describe('~/.coffer-token', () => {
  let home = '';
  let oldUmask = 0;
  beforeEach(() => {
    oldUmask = process.umask(0); // vitest pool: forks, so this process's umask is ours
    home = mkdtempSync(join(tmpdir(), 'coffer-home-'));
  });
  afterEach(() => {
    process.umask(oldUmask);
    rmSync(home, { recursive: true, force: true });
  });

  it('is written 0600 under umask 000', () => {
    storeToken({ HOME: home }, 'hvs.first');
    expect(statSync(tokenFilePath({ HOME: home })).mode & 0o777).toBe(0o600);
    expect(readStoredToken({ HOME: home })).toBe('hvs.first');
  });

  it('tightens a world-readable file and replaces a longer token entirely', () => {
    const path = tokenFilePath({ HOME: home });
    writeFileSync(path, 'hvs.a-much-longer-old-token-value', { mode: 0o644 });
    storeToken({ HOME: home }, 'hvs.new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('hvs.new');
  });
});
