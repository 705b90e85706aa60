import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';
import { runCoffer } from '../support/cli';
import { filesUnder, initAndUnseal } from '../support/disk-scan';

// Item 9: the data directory is 0700 and every file in it 0600, whatever the
// umask; files Coffer writes that hold keys (the CLI's ~/.coffer-token) too.
// The server is spawned under umask 000 (the CLI inherits this process's).
const modeOf = (p: string) => statSync(p).mode & 0o777;
const root = mkdtempSync(join(tmpdir(), 'coffer-modes-'));
let fresh: ConfiguredServer;
let loose: ConfiguredServer;

afterAll(async () => {
  await Promise.all([fresh?.stop(), loose?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('file modes', () => {
  let oldUmask = 0;
  beforeAll(() => {
    oldUmask = process.umask(0);
  });
  afterAll(() => {
    process.umask(oldUmask);
  });

  it('data dir 0700 and files 0600 under umask 000', async () => {
    const dataDir = join(root, 'not-yet', 'data'); // Coffer creates it
    fresh = await startConfiguredServer({ name: 'modes', dataDir, configDir: root, umask: '000' });
    const init = await initAndUnseal(fresh);
    expect((await api(fresh.addr, 'POST', 'sys/mounts/secret', { token: init.rootToken, body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
    expect((await api(fresh.addr, 'POST', 'secret/data/x', { token: init.rootToken, body: { data: { v: 1 } } })).status).toBe(200);

    const check = () => {
      expect(modeOf(dataDir)).toBe(0o700);
      const files = filesUnder(dataDir);
      expect(files.map((f) => f.slice(dataDir.length + 1))).toEqual(expect.arrayContaining(['coffer.db', 'coffer.db-wal', 'coffer.db-shm']));
      for (const f of files) expect(modeOf(f), f).toBe(0o600);
    };
    check(); // running: WAL and shared memory present
    await fresh.stop();
    for (const f of filesUnder(dataDir)) expect(modeOf(f), f).toBe(0o600);
    expect(modeOf(dataDir)).toBe(0o700);
  });

  it('an existing world-readable data dir is tightened to 0700, and the server says so', async () => {
    const dataDir = join(root, 'loose');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o777);
    loose = await startConfiguredServer({ name: 'loose', dataDir, configDir: root, umask: '000' });
    expect(modeOf(dataDir)).toBe(0o700);
    for (const f of filesUnder(dataDir)) expect(modeOf(f), f).toBe(0o600);
    await waitForOutput(loose, /permissions tightened/);
    expect(loose.output()).toMatch(/"was":"777"/);
  });

  it('the CLI writes ~/.coffer-token 0600 under umask 000', async () => {
    const home = mkdtempSync(join(root, 'home-'));
    const init = await initAndUnseal(loose);
    const r = await runCoffer(['login', init.rootToken], { addr: loose.addr, home });
    expect(r.code, r.stderr).toBe(0);
    expect(modeOf(join(home, '.coffer-token'))).toBe(0o600);
  });
});

async function waitForOutput(s: ConfiguredServer, re: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(s.output())) {
    if (Date.now() > deadline) throw new Error(`no ${re} in the server output:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
