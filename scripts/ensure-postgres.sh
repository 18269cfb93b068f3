#!/usr/bin/env bash
# Make sure PostgreSQL's server binaries (initdb, postgres) are installed: Debian's postgresql
# package. The store tests (test/store-conformance.test.ts, test/postgres-*.test.ts) start a
# throwaway cluster of their own from them (test/helpers/pg-cluster.ts); the package's own
# service is not Wharf's and is stopped if the install started it. Safe to run again and again.
# Prints the bin directory on stdout.
set -euo pipefail
log() { printf '[wharf] %s\n' "$*" >&2; }

find_bin() {
  if [ -n "${WHARF_PG_BIN:-}" ] && [ -x "$WHARF_PG_BIN/postgres" ]; then echo "$WHARF_PG_BIN"; return 0; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$d/postgres" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if bin=$(find_bin); then echo "$bin"; exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "PostgreSQL not found and I cannot install it here (need root on Debian/Ubuntu)."
  log "Install PostgreSQL ≥ 13 (e.g. 'sudo apt-get install postgresql'), or set WHARF_PG_BIN to its bin directory."
  exit 1
fi
log "installing postgresql (Debian package) ..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null; }
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet postgresql 2>/dev/null; then systemctl disable --now postgresql >/dev/null 2>&1 || true; fi
bin=$(find_bin) || { log "postgresql installed but no initdb/postgres found under /usr/lib/postgresql"; exit 1; }
log "$("$bin/postgres" --version)"
echo "$bin"
