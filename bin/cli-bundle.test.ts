import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureBundle, freshEntry } from './cli-bundle.mjs';

// The builder pointed at a temp source tree: a stale bundle never runs, a
// touched-but-unchanged file does not rebuild, parallel first runs all get a
// whole bundle, and modules keep their own import.meta.url.
const run = promisify(execFile);
const BUILDER = pathToFileURL(join(import.meta.dirname, 'cli-bundle.mjs')).href;
const roots: string[] = [];

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'coffer-bundle-'));
  roots.push(root);
  write(root, { 'package.json': '{"type":"module"}', ...files });
  return root;
}

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

const MAIN = "import { msg } from './msg';\nconsole.log(msg);\n";
const opts = (root: string) => ({ root, name: 'client' as const });
const output = async (entry: string) => (await run(process.execPath, [entry])).stdout.trim();

afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('CLI bundle freshness', () => {
  it('a changed source makes the bundle stale and the next run rebuilds it', async () => {
    const root = tree({ 'bin/cli/main.ts': MAIN, 'bin/cli/msg.ts': "export const msg: string = 'one';\n" });
    const first = await ensureBundle(opts(root));
    expect(await output(first)).toBe('one');
    expect(await freshEntry(opts(root))).toBe(first);

    write(root, { 'bin/cli/msg.ts': "export const msg: string = 'two, longer';\n" });
    expect(await freshEntry(opts(root))).toBeNull();
    const second = await ensureBundle(opts(root));
    expect(second).not.toBe(first);
    expect(await output(second)).toBe('two, longer');
  });

  it('an edit that keeps the size is caught by the hash', async () => {
    const root = tree({ 'bin/cli/main.ts': MAIN, 'bin/cli/msg.ts': "export const msg = 'aaa';\n" });
    await ensureBundle(opts(root));
    write(root, { 'bin/cli/msg.ts': "export const msg = 'bbb';\n" });
    expect(await freshEntry(opts(root))).toBeNull();
    expect(await output(await ensureBundle(opts(root)))).toBe('bbb');
  });

  it('a touched but unchanged source does not rebuild', async () => {
    const root = tree({ 'bin/cli/main.ts': MAIN, 'bin/cli/msg.ts': "export const msg = 'same';\n" });
    const entry = await ensureBundle(opts(root));
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'bin/cli/msg.ts'), later, later);
    expect(await freshEntry(opts(root))).toBe(entry);
  });

  it('a deleted source or a newly imported file makes it stale', async () => {
    const root = tree({ 'bin/cli/main.ts': MAIN, 'bin/cli/msg.ts': "export const msg = 'x';\n" });
    await ensureBundle(opts(root));
    rmSync(join(root, 'bin/cli/msg.ts'));
    expect(await freshEntry(opts(root))).toBeNull();
    write(root, {
      'bin/cli/msg.ts': "export { msg } from './other';\n",
      'bin/cli/other.ts': "export const msg = 'from other';\n",
    });
    expect(await output(await ensureBundle(opts(root)))).toBe('from other');
    write(root, { 'bin/cli/other.ts': "export const msg = 'other changed';\n" });
    expect(await freshEntry(opts(root))).toBeNull();
  });

  it('parallel first runs all run a whole bundle of the current sources', async () => {
    const root = tree({ 'bin/cli/main.ts': MAIN, 'bin/cli/msg.ts': "export const msg = 'parallel';\n" });
    const script = `const { ensureBundle } = await import(${JSON.stringify(BUILDER)});
      const entry = await ensureBundle({ root: ${JSON.stringify(root)}, name: 'client' });
      await import(new URL('file://' + entry).href);`;
    const outs = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['--input-type=module', '-e', script]).then((r) => r.stdout.trim())),
    );
    expect(outs).toEqual(['parallel', 'parallel', 'parallel', 'parallel']);
    const stamp = JSON.parse(readFileSync(join(root, '.cache/cli/client/stamp.json'), 'utf8'));
    expect(statSync(join(root, '.cache/cli/client', stamp.dir, 'main.cjs')).isFile()).toBe(true);
    expect(await freshEntry(opts(root))).toBe(join(root, '.cache/cli/client', stamp.dir, 'main.cjs'));
  });

  it('each module keeps its own source file as import.meta.url', async () => {
    const root = tree({
      'bin/cli/main.ts': "import { where } from '../../server/where';\nconsole.log(where);\n",
      'server/where.ts': 'export const where = new URL(".", import.meta.url).pathname;\n',
    });
    expect(await output(await ensureBundle(opts(root)))).toBe(join(root, 'server') + '/');
  });
});

describe('CLI bundle build lock', () => {
  it('a lock left by a builder that was killed does not hold the next run up', async () => {
    const root = tree({ 'bin/cli/main.ts': MAIN, 'bin/cli/msg.ts': "export const msg = 'after a dead builder';\n" });
    const lock = join(root, '.cache/cli/client/lock');
    mkdirSync(lock, { recursive: true });
    const dead = await run(process.execPath, ['-p', 'process.pid']).then((r) => r.stdout.trim());
    writeFileSync(join(lock, 'pid'), dead); // that process has exited
    // The lock is fresh, so only the dead holder frees it: otherwise this waits
    // out the 60 s stale-lock age and the test's own timeout fails it.
    expect(await output(await ensureBundle(opts(root)))).toBe('after a dead builder');
  }, 45_000);
});
