#!/usr/bin/env bash
# test.sh: the README's test command. Installs what the tests need (idempotently), type-checks,
# lints, then runs every unit and integration test against one shared local control plane and
# local registries. `scripts/test.sh unit` or `scripts/test.sh integration` runs one half.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[test] type-check and lint" >&2
npm run --silent typecheck
npm run --silent lint
exec node --import tsx test/support/run.ts "${1:-all}"
