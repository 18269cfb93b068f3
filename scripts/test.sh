#!/usr/bin/env bash
# The test command: installs what is missing (npm packages, Docker Engine, local test images),
# builds, and runs every test with node's test runner. Then the leak check: every container,
# image, network and volume the Docker Engine has after the run but did not have before it
# (the wharf-test/* images excepted), every temp file the tests left, and any change to what
# nginx:alpine and httpd:2.4 point at, is printed as "left behind: …" and fails the run.
# WHARF_LEAK_CHECK=0 skips the check (for a machine whose Docker Engine others use meanwhile).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[wharf] %s\n' "$*" >&2; }
. scripts/check-node.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci) ..."
  npm ci --no-audit --no-fund >/dev/null
fi
bash scripts/ensure-docker.sh
bash scripts/ensure-haproxy.sh
bash scripts/ensure-dns-tools.sh
bash scripts/ensure-registry.sh
bash scripts/ensure-postgres.sh >/dev/null || log "PostgreSQL not installed: the PostgreSQL store tests will be skipped"
bash scripts/ensure-chromium.sh
bash scripts/build-test-images.sh
log "building (tsc, and the web console with vite) ..."
npx tsc -p tsconfig.json
npm run --silent build:console
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  # Every test file, the longest first (the Terraform ones spend minutes in provider start-up and
  # waits), so the run does not end with one long file going alone.
  mapfile -t slow < <(find dist/test -name 'terraform-*.test.js' | sort)
  mapfile -t rest < <(find dist/test -name '*.test.js' ! -name 'terraform-*.test.js' | sort)
  files=("${slow[@]}" "${rest[@]}")
fi

check=${WHARF_LEAK_CHECK:-1}
# Every temp dir and file the tests make goes below one directory of this run's own.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/wharf-run-XXXXXX")
snap=$(mktemp -d "${TMPDIR:-/tmp}/wharf-snap-XXXXXX")
trap 'rm -rf "$snap"' EXIT
snapshot() { # DIR: what the Engine holds now, one id per line per kind
  docker ps -aq --no-trunc | sort >"$1/containers"
  docker images -q --no-trunc | sort -u >"$1/images"
  docker network ls -q --no-trunc | sort >"$1/networks"
  docker volume ls -q | sort >"$1/volumes"
  for ref in nginx:alpine httpd:2.4; do
    printf '%s %s\n' "$ref" "$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null || echo absent)"
  done >"$1/refs"
}
if [ "$check" != 0 ]; then mkdir -p "$snap/before" "$snap/after" && snapshot "$snap/before"; fi

log "running tests ..."
rc=0
started=$SECONDS
# Bounded: a test file (and any test without its own timeout) fails after 10 min, a file whose tests are done exits even
# if a failed hook left a handle open (--test-force-exit), and the whole run stops after 45 min.
TMPDIR="$run_tmp" timeout -k 30 "${WHARF_TEST_RUN_LIMIT:-45m}" node --test --test-force-exit --test-timeout=600000 \
  --test-concurrency="${WHARF_TEST_CONCURRENCY:-2}" "${files[@]}" || rc=$?
[ "$rc" != 124 ] || log "the test run passed its ${WHARF_TEST_RUN_LIMIT:-45m} limit and was stopped"
log "the tests took $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s (concurrency ${WHARF_TEST_CONCURRENCY:-2})"

if [ "$check" = 0 ]; then
  rm -rf "$run_tmp"
  exit "$rc"
fi
snapshot "$snap/after"
left=()
new() { comm -13 "$snap/before/$1" "$snap/after/$1"; }
while read -r id; do
  [ -n "$id" ] || continue
  left+=("container $(docker inspect -f '{{.Name}} ({{.Config.Image}}, {{.State.Status}}) cluster={{index .Config.Labels "com.amazonaws.ecs.cluster"}}' "$id" 2>/dev/null || echo "$id")")
done < <(new containers)
while read -r id; do
  [ -n "$id" ] || continue
  tags=$(docker image inspect -f '{{join .RepoTags " "}}' "$id" 2>/dev/null || true)
  own=true
  for t in $tags; do case "$t" in wharf-test/*) ;; *) own=false ;; esac; done
  [ -n "$tags" ] || own=false
  $own || left+=("image $id ${tags:-<untagged>}")
done < <(new images)
while read -r id; do
  [ -n "$id" ] || continue
  left+=("network $(docker network inspect -f '{{.Name}} {{json .Labels}}' "$id" 2>/dev/null || echo "$id")")
done < <(new networks)
while read -r v; do
  [ -n "$v" ] && left+=("volume $v")
done < <(new volumes)
while read -r ref was; do
  now=$(awk -v r="$ref" '$1 == r { print $2 }' "$snap/after/refs")
  [ "$now" = "$was" ] || left+=("image tag $ref now $now (was $was)")
done <"$snap/before/refs"
while read -r f; do
  [ -n "$f" ] && left+=("temp ${f#"$run_tmp"/}")
done < <(find "$run_tmp" -mindepth 1 -maxdepth 1 2>/dev/null)
rm -rf "$run_tmp"

if [ ${#left[@]} -gt 0 ]; then
  for l in "${left[@]}"; do printf 'left behind: %s\n' "$l" >&2; done
  log "the tests left ${#left[@]} thing(s) behind (listed above); fix the test that made them"
  [ "$rc" != 0 ] || rc=3
else
  log "leak check: the machine is as the tests found it"
fi
exit "$rc"
