#!/usr/bin/env bash
# build-cluster-bins.sh: builds the local control plane binaries (etcd, kube-apiserver, kube-scheduler,
# kube-controller-manager, kubectl, kwok) from Go modules at pinned versions, once, into a cache
# directory outside the clone keyed by version. Prints the directory on its last line.
# If $KUBEBUILDER_ASSETS holds etcd and kube-apiserver, those are used instead (envtest convention)
# and only the missing ones (kube-controller-manager, kwok) are built.
set -euo pipefail
K8S_VERSION="${CAPSTAN_K8S_VERSION:-v1.35.4}"
ETCD_VERSION="${CAPSTAN_ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${CAPSTAN_KWOK_VERSION:-v0.7.0}"
CACHE="${CAPSTAN_CACHE_DIR:-$HOME/.cache/capstan}"
OUT="$CACHE/bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
mkdir -p "$OUT"
log() { printf '[build-cluster-bins %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
need() { [ -x "$OUT/$1" ] || { [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$1" ] && ln -sf "$KUBEBUILDER_ASSETS/$1" "$OUT/$1"; }; [ ! -x "$OUT/$1" ]; }
command -v go >/dev/null || { log "go is required to build the control plane binaries"; exit 1; }
export GOFLAGS=-mod=mod CGO_ENABLED=0

# Kubernetes: k8s.io/kubernetes pins its staging modules at v0.0.0 and replaces them locally, so a
# module that depends on it must replace each staging module with the matching published v0.X.Y.
if need kube-apiserver || need kube-controller-manager || need kube-scheduler || need kubectl; then
  work="$CACHE/src/k8s-$K8S_VERSION"; mkdir -p "$work"; cd "$work"
  if [ ! -f go.sum ]; then
    log "resolving k8s.io/kubernetes $K8S_VERSION and its staging modules"
    staging_v="v0.${K8S_VERSION#v1.}"
    rm -f go.mod; go mod init capstan.local/k8sbins >/dev/null 2>&1
    go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >/tmp/capstan-k8s-dl.json
    gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    for m in $(grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" | awk '{print $1}' | sort -u); do
      echo "replace $m => $m $staging_v" >> go.mod
    done
    echo "require k8s.io/kubernetes $K8S_VERSION" >> go.mod
    cat > tools.go <<'GO'
//go:build tools
package tools
import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
    go mod tidy -e >/dev/null 2>&1 || true
  fi
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    if need "$b"; then
      log "building $b $K8S_VERSION from Go modules (first time takes several minutes)"
      go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)" -o "$OUT/$b.tmp" "k8s.io/kubernetes/cmd/$b"
      mv "$OUT/$b.tmp" "$OUT/$b"
    fi
  done
fi

# etcd: the server's main lives in go.etcd.io/etcd/server/v3/etcdmain; a two-line main calls it.
if need etcd; then
  work="$CACHE/src/etcd-$ETCD_VERSION"; mkdir -p "$work"; cd "$work"
  if [ ! -f go.sum ]; then
    rm -f go.mod; go mod init capstan.local/etcd >/dev/null 2>&1
    printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' > main.go
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null 2>&1
    go mod tidy >/dev/null 2>&1
  fi
  log "building etcd $ETCD_VERSION from Go modules"
  go build -trimpath -ldflags "-s -w" -o "$OUT/etcd.tmp" . && mv "$OUT/etcd.tmp" "$OUT/etcd"
fi

if need kwok; then
  log "building kwok $KWOK_VERSION from Go modules"
  GOBIN="$OUT/.gobin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv "$OUT/.gobin/kwok" "$OUT/kwok"; rmdir "$OUT/.gobin"
fi
log "binaries ready in $OUT"
echo "$OUT"
