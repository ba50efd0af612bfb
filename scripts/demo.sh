#!/usr/bin/env bash
# demo.sh: the README's main-job command. Installs what is missing (idempotently), then starts a local
# control plane, a local OCI registry and the Capstan controller in the background, pushes the sample
# chart, applies a sample HelmRelease and waits until it is Ready. Re-running replaces the running
# demo; `scripts/demo.sh --stop` (or `npm run demo -- --stop`) ends it.
set -euo pipefail
cd "$(dirname "$0")/.."
state="${CAPSTAN_CACHE_DIR:-$HOME/.cache/capstan}/demo"
if [ "${1:-}" = "--stop" ]; then
  exec node --import tsx src/devcluster/demo.ts stop
fi
bash scripts/setup.sh
node --import tsx src/devcluster/demo.ts stop
mkdir -p "$state"
echo "[demo] starting; background log: $state/demo.log" >&2
nohup node --import tsx src/devcluster/demo.ts serve >"$state/demo.log" 2>&1 </dev/null &
node --import tsx src/devcluster/demo.ts status 300 || { tail -n 30 "$state/demo.log" >&2; exit 1; }
