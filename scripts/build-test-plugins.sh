#!/usr/bin/env bash
# build-test-plugins.sh builds the WebAssembly test plugins in test/plugins/
# (Go, GOOS=wasip1 GOARCH=wasm, -buildmode=c-shared) into a content-addressed
# cache outside the clone, and prints one line per plugin: NAME<TAB>DIR, where
# DIR holds plugin.yaml and plugin.wasm.
#
#   scripts/build-test-plugins.sh            # all plugins
#   scripts/build-test-plugins.sh noop loop  # some plugins
#
# Cache: ${CAPSTAN_CACHE_DIR:-$HOME/.cache/capstan}/plugins/<content-hash>/, the
# hash covering the plugin's directory, the shared Go code, go.mod, go.sum,
# this script and `go version`. A warm cache costs no Go invocation.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/test/plugins"
cache="${CAPSTAN_CACHE_DIR:-$HOME/.cache/capstan}/plugins"

if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for d in "$src"/*/; do
    n="$(basename "$d")"
    [ -f "$d/plugin.yaml" ] && names+=("$n")
  done
fi

goversion="$(go version)"
shared_hash="$(
  cd "$src" &&
    { find internal go.mod go.sum -type f -print0 | sort -z | xargs -0 sha256sum; \
      sha256sum "$root/scripts/build-test-plugins.sh" | cut -d' ' -f1; echo "$goversion"; } |
    sha256sum | cut -c1-16
)"

for name in "${names[@]}"; do
  dir="$src/$name"
  if [ ! -f "$dir/plugin.yaml" ]; then
    echo "build-test-plugins: no plugin $name in $src" >&2
    exit 1
  fi
  hash="$(
    cd "$src" && { find "$name" -type f -print0 | sort -z | xargs -0 sha256sum; echo "$shared_hash"; } |
      sha256sum | cut -c1-16
  )"
  out="$cache/$hash/$name"
  if [ ! -f "$out/plugin.wasm" ]; then
    tmp="$(mktemp -d "$cache.tmp.XXXXXX" 2>/dev/null || { mkdir -p "$cache"; mktemp -d "$cache.tmp.XXXXXX"; })"
    (cd "$src" && GOOS=wasip1 GOARCH=wasm go build -trimpath -buildmode=c-shared \
      -ldflags='-s -w' -o "$tmp/plugin.wasm" "./$name") >&2
    cp "$dir/plugin.yaml" "$tmp/plugin.yaml"
    mkdir -p "$(dirname "$out")"
    # rename is atomic: concurrent builders race harmlessly.
    mv -T "$tmp" "$out" 2>/dev/null || rm -rf "$tmp"
  fi
  printf '%s\t%s\n' "$name" "$out"
done
