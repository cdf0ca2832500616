#!/usr/bin/env bash
# The one test command (`npm test`): installs/checks dependencies, then typecheck, vitest, pytest, Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "== typecheck"; npx tsc -b
echo "== vitest";    npx vitest run
echo "== pytest";    bash scripts/test-python.sh
echo "== playwright"; npx playwright test
