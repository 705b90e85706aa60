import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration tests spawn real `coffer server`
// processes and live in server/**/*.itest.ts (run by the same runner, serially).
export default defineConfig({
  resolve: { alias: { '@': new URL('.', import.meta.url).pathname } },
  test: {
    include: ['server/**/*.test.ts', 'lib/**/*.test.ts', 'bin/**/*.test.ts', 'tests/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
