#!/usr/bin/env bash
# Install what is missing and start Wharf with embedded defaults:
#   npm packages (npm ci), Docker Engine (Debian's docker.io, started in the background),
#   then `wharf up` (control plane on 127.0.0.1:4700 + an agent for this Docker host, state in ./.wharf).
# Extra arguments go to `wharf up` (e.g. --port 4800 --data-dir /var/lib/wharf).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[wharf] %s\n' "$*" >&2; }

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  log "Wharf needs Node.js 20 or newer (found: $(node -v 2>/dev/null || echo none))."
  log "Install it (e.g. from https://nodejs.org or your distribution's nodejs 20 package), then run this again."
  exit 1
fi
if [ ! -d node_modules ] || [ ! -f dist/src/cli/main.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages and building (npm ci) ..."
  npm ci --no-audit --no-fund >/dev/null
fi
if ! bash scripts/ensure-docker.sh; then
  log "continuing without Docker: the API works, but tasks cannot run until a Docker Engine answers."
fi
exec node bin/wharf.js up "$@"
