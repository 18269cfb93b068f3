#!/usr/bin/env bash
# Install what is missing and start Wharf with embedded defaults:
#   npm packages (npm ci), Docker Engine (Debian's docker.io, started in the background),
#   HAProxy (Debian's haproxy, the load balancer data plane),
#   the distribution registry (Debian's docker-registry, behind Wharf's ECR registry front),
#   then `wharf up` (control plane on 127.0.0.1:4700 + agents for this Docker host; state in the
#   per-user data dir, ~/.local/share/wharf, unless WHARF_DATA_DIR or --data-dir say otherwise).
# Extra arguments go to `wharf up` (e.g. --port 4800 --data-dir /var/lib/wharf).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[wharf] %s\n' "$*" >&2; }

. scripts/check-node.sh
if [ ! -d node_modules ] || [ ! -f dist/src/cli/main.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages and building (npm ci) ..."
  npm ci --no-audit --no-fund >/dev/null
fi
if ! bash scripts/ensure-docker.sh; then
  log "continuing without Docker: the API works, but tasks cannot run until a Docker Engine answers."
fi
if ! bash scripts/ensure-haproxy.sh; then
  log "continuing without HAProxy: load balancer listeners cannot listen until it is installed."
fi
if ! bash scripts/ensure-registry.sh; then
  log "continuing without docker-registry: ECR repositories work, but images cannot be pushed or pulled until it is installed."
fi
exec node bin/wharf.js up "$@"
