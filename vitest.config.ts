import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Unit tests sit beside the code; integration tests spawn real `coffer server`
// processes (tests/**), run by the same runner.

// Files run on two workers; a long file started last keeps one worker busy
// while the other idles. A clean clone has no timing cache, so order by what
// makes a file long: real etcd/HA clusters and labs first, then the other
// real-process files under tests/, then unit tests; larger files first within
// each tier (longest-first keeps the tail short).
const HEAVY = [/^tests\/ha\//, /^tests\/chaos\//, /^tests\/integration\/lab-/, /^tests\/replication-safety\/large-values/];
const tier = (path: string) => (HEAVY.some((re) => re.test(path)) ? 0 : path.startsWith('tests/') ? 1 : 2);

class HeavyFirstSequencer extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const keyed = files.map((s) => {
      const path = relative(s.project.config.root, s.moduleId);
      return { s, tier: tier(path), size: statSync(s.moduleId).size, path };
    });
    keyed.sort((a, b) => a.tier - b.tier || b.size - a.size || a.path.localeCompare(b.path));
    return keyed.map((k) => k.s);
  }
}

export default defineConfig({
  resolve: { alias: { '@': new URL('.', import.meta.url).pathname } },
  test: {
    include: ['server/**/*.test.ts', 'lib/**/*.test.ts', 'bin/**/*.test.ts', 'tests/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Real-process files mostly wait on servers, etcd and timers, so two files
    // at a time fit a 2-core box (vitest's default there is one: cores - 1).
    maxWorkers: 2,
    sequence: { sequencer: HeavyFirstSequencer },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
