#!/usr/bin/env bash
# check-dockerfile.sh: a small linter for the rules of Capstan's image that matter, for places
# without a Docker engine or hadolint. It reads the Dockerfile, never builds it.
#
#   scripts/check-dockerfile.sh [Dockerfile] [.dockerignore]
#
# Rules (each prints "ok" or "FAIL: why"; exit status 1 when any fails):
#   pinned      every external FROM image has an explicit version tag (digits; not latest) or a digest
#   multistage  at least two stages, and the final stage copies from an earlier one
#   user        the final stage switches to a non-root USER (not root, not uid 0)
#   deps        the final stage installs production dependencies only: npm ci --omit=dev
#   no-build    the final stage does not compile (tsc, npm run build) or install build tools
#   health      a HEALTHCHECK, or a "probes" comment pointing at the Kubernetes probes
#   entrypoint  ENTRYPOINT ["node", "dist/cli/main.js"] and CMD ["controller"], exec form
#   context     .dockerignore keeps node_modules, dist and .git out of the build context
set -u
dockerfile=${1:-Dockerfile}
dockerignore=${2:-$(dirname "$dockerfile")/.dockerignore}
[[ -r $dockerfile ]] || { echo "check-dockerfile: cannot read $dockerfile" >&2; exit 2; }

failures=0
ok() { printf 'ok    %-10s %s\n' "$1" "$2"; }
fail() { printf 'FAIL  %-10s %s\n' "$1" "$2"; failures=$((failures + 1)); }

# Join continuation lines and drop comments, keeping one instruction per line.
instructions=$(sed -e 's/\r$//' "$dockerfile" | awk '
  /^[[:space:]]*#/ { next }
  { line = line $0 }
  /\\[[:space:]]*$/ { sub(/\\[[:space:]]*$/, "", line); line = line " "; next }
  { if (line ~ /[^[:space:]]/) print line; line = "" }
  END { if (line ~ /[^[:space:]]/) print line }')

# ARG defaults declared before the first FROM can appear in FROM lines.
declare -A args=()
while IFS= read -r l; do
  if [[ $l =~ ^[[:space:]]*ARG[[:space:]]+([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
    v=${BASH_REMATCH[2]}; v=${v%\"}; v=${v#\"}
    args[${BASH_REMATCH[1]}]=$v
  fi
  [[ $l =~ ^[[:space:]]*FROM[[:space:]] ]] && break
done <<<"$instructions"

expand() {
  local s=$1 name
  while [[ $s =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} || $s =~ \$([A-Za-z_][A-Za-z0-9_]*) ]]; do
    name=${BASH_REMATCH[1]}
    s=${s//"${BASH_REMATCH[0]}"/${args[$name]-}}
  done
  printf '%s' "$s"
}

# pinned, multistage
stages=()
pinned_ok=1
while IFS= read -r l; do
  [[ $l =~ ^[[:space:]]*FROM[[:space:]]+(--platform=[^[:space:]]+[[:space:]]+)?([^[:space:]]+)([[:space:]]+[Aa][Ss][[:space:]]+([^[:space:]]+))? ]] || continue
  image=$(expand "${BASH_REMATCH[2]}")
  alias=${BASH_REMATCH[4]:-}
  known=0
  for s in "${stages[@]}"; do [[ $s == "$image" ]] && known=1; done
  stages+=("${alias:-#${#stages[@]}}")
  [[ $known == 1 || $image == scratch ]] && continue
  if [[ $image == *@sha256:* ]]; then continue; fi
  tag=${image##*/}
  if [[ $tag != *:* ]]; then fail pinned "FROM $image has no tag (an implicit :latest)"; pinned_ok=0; continue; fi
  tag=${tag##*:}
  if [[ $tag == latest || $tag == lts* || $tag == current* || ! $tag =~ ^v?[0-9]+\.[0-9]+ ]]; then
    fail pinned "FROM $image is not pinned to a version (want e.g. node:22.20.0-bookworm-slim or @sha256:…)"
    pinned_ok=0
  fi
done <<<"$instructions"
[[ $pinned_ok == 1 && ${#stages[@]} -gt 0 ]] && ok pinned "every base image has a version"
[[ ${#stages[@]} -eq 0 ]] && fail pinned "no FROM instruction"

# The final stage: the lines after the last FROM.
final=$(awk '/^[[:space:]]*FROM[[:space:]]/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' <<<"$instructions")

if [[ ${#stages[@]} -ge 2 ]] && grep -Eq '^[[:space:]]*COPY[[:space:]]+(.*[[:space:]])?--from=' <<<"$final"; then
  ok multistage "${#stages[@]} stages; the final one copies from a build stage"
else
  fail multistage "want a build stage and a runtime stage that copies its output (COPY --from=…)"
fi

# user
user=$(grep -Ei '^[[:space:]]*USER[[:space:]]' <<<"$final" | tail -n1 | awk '{print $2}')
if [[ -z $user ]]; then
  fail user "the final stage runs as root (no USER)"
elif [[ ${user%%:*} == root || ${user%%:*} == 0 ]]; then
  fail user "USER $user is root"
else
  ok user "runs as $user"
fi

# deps
if grep -Eq '^[[:space:]]*RUN[[:space:]].*npm[[:space:]]+ci([[:space:]].*)?[[:space:]]--omit=dev' <<<"$final"; then
  ok deps "npm ci --omit=dev in the runtime stage"
else
  fail deps "the runtime stage should install production dependencies with npm ci --omit=dev"
fi

# no-build
bad=$(grep -Ei '^[[:space:]]*RUN[[:space:]]' <<<"$final" | grep -Ei \
  -e 'npm[[:space:]]+run[[:space:]]+build' -e '(^|[[:space:];&|])(npx[[:space:]]+)?tsc([[:space:]]|$)' \
  -e '(apt-get|apt|apk|yum|dnf)[[:space:]].*(install|add)[[:space:]].*(build-essential|build-base|gcc|g\+\+|make|python3?|git|typescript)([[:space:]]|$)' \
  -e 'npm[[:space:]]+(install|i)([[:space:]]|$)' || true)
npm_ci_dev=$(grep -Ei '^[[:space:]]*RUN[[:space:]].*npm[[:space:]]+ci' <<<"$final" | grep -v -- '--omit=dev' || true)
if [[ -n $bad || -n $npm_ci_dev ]]; then
  fail no-build "the runtime stage builds or installs build tools: $(printf '%s\n%s\n' "$bad" "$npm_ci_dev" | grep -m1 .)"
else
  ok no-build "no compiler, build step or dev dependencies in the runtime stage"
fi

# health
if grep -Eq '^[[:space:]]*HEALTHCHECK[[:space:]]+(--[^[:space:]]+[[:space:]]+)*CMD' <<<"$final"; then
  ok health "HEALTHCHECK present"
elif grep -Eiq '^[[:space:]]*#.*probes' "$dockerfile"; then
  ok health "probes documented in a comment"
else
  fail health "no HEALTHCHECK and no comment documenting the Kubernetes probes"
fi

# entrypoint
norm() { tr -d '[:space:]' <<<"$1"; }
ep=$(grep -E '^[[:space:]]*ENTRYPOINT[[:space:]]' <<<"$final" | tail -n1 | sed -E 's/^[[:space:]]*ENTRYPOINT[[:space:]]+//')
cmd=$(grep -E '^[[:space:]]*CMD[[:space:]]' <<<"$final" | tail -n1 | sed -E 's/^[[:space:]]*CMD[[:space:]]+//')
if [[ $(norm "$ep") == '["node","dist/cli/main.js"]' && $(norm "$cmd") == '["controller"]' ]]; then
  ok entrypoint 'node dist/cli/main.js controller (exec form)'
else
  fail entrypoint "want ENTRYPOINT [\"node\", \"dist/cli/main.js\"] and CMD [\"controller\"]; got ENTRYPOINT ${ep:-none}, CMD ${cmd:-none}"
fi

# context
if [[ ! -r $dockerignore ]]; then
  fail context "no $dockerignore"
else
  ignored=1
  # Either an allow-list (a bare `*` first) or explicit entries for each.
  if ! grep -Eq '^\*$' "$dockerignore"; then
    for p in node_modules dist .git; do grep -Eq "^/?${p//./\\.}/?(\*\*)?$" "$dockerignore" || ignored=0; done
  elif grep -Eq '^!(node_modules|dist|\.git)' "$dockerignore"; then
    ignored=0
  fi
  if [[ $ignored == 1 ]]; then ok context "$dockerignore keeps node_modules, dist and .git out"; else fail context "$dockerignore must exclude node_modules, dist and .git"; fi
fi

if [[ $failures -gt 0 ]]; then
  echo "$dockerfile: $failures rule(s) failed"
  exit 1
fi
echo "$dockerfile: all rules pass"
