#!/usr/bin/env bash
# The test command: installs what is missing (npm packages, Docker Engine, local test images),
# builds, and runs every test with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[wharf] %s\n' "$*" >&2; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci) ..."
  npm ci --no-audit --no-fund >/dev/null
fi
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
log "building (tsc) ..."
npx tsc -p tsconfig.json
log "running tests ..."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(dist/test/)
exec node --test --test-concurrency="${WHARF_TEST_CONCURRENCY:-2}" "${files[@]}"
