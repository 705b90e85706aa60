#!/usr/bin/env bash
# The whole suite: type check, unit + integration tests (vitest, real server
# processes), console build, end-to-end tests (Playwright + Debian Chromium).
# Ends with one summary line over every runner: "tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p reports
status=0

echo "==> type check"
node_modules/.bin/tsc --noEmit || status=1

# Before vitest: tests/security/ui-headers.test.ts needs the console build and
# would otherwise run next build itself, a second time, beside other test files.
echo "==> console build (next build)"
node_modules/.bin/next build > reports/next-build.log 2>&1 || { cat reports/next-build.log; status=1; }

echo "==> unit and integration tests (vitest)"
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json || status=1

echo "==> end-to-end tests (playwright, chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json node_modules/.bin/playwright test --reporter=list,json || status=1

node scripts/summary.mjs reports/vitest.json reports/playwright.json || status=1
exit $status
