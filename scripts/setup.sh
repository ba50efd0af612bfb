#!/usr/bin/env bash
# setup.sh: installs everything Capstan's tests and demo need, idempotently, on a fresh machine of
# this kind (Debian with Go, Node and Python): Debian packages, npm packages, the control plane
# binaries (built once from Go modules into ~/.cache/capstan), the helm oracle, the build of dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

APT_PACKAGES=(docker-registry apache2-utils openssl python3)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # hadolint is not in every Debian release; install what exists.
  avail=()
  for p in "${missing[@]}"; do apt-cache show "$p" >/dev/null 2>&1 && avail+=("$p") || log "package $p not available, skipping"; done
  [ ${#avail[@]} -gt 0 ] && apt-get install -y -qq --no-install-recommends "${avail[@]}" >/dev/null
fi
# Debian starts the registry as a system service on :5000; our tests start their own instances.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

log "control plane binaries"
bash scripts/build-cluster-bins.sh >/dev/null

log "helm oracle"
node --import tsx -e "import('./src/devcluster/oracle.ts').then(m => { m.helmBinary(); })"

log "building dist/"
npm run --silent build
log "ready"
