#!/usr/bin/env bash
# Make sure PostgreSQL's server binaries (initdb, postgres) are installed: Debian's postgresql
# package. The store tests (test/store-conformance.test.ts, test/postgres-*.test.ts) start a
# throwaway cluster of their own from them (test/helpers/pg-cluster.ts); the package's own
# service is not Wharf's and is stopped if the install started it. Safe to run again and again.
# Prints the bin directory on stdout.
set -euo pipefail
. "$(dirname "$0")/lib/ensure-packages.sh"

find_bin() {
  if [ -n "${WHARF_PG_BIN:-}" ] && [ -x "$WHARF_PG_BIN/postgres" ]; then echo "$WHARF_PG_BIN"; return 0; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$d/postgres" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if bin=$(find_bin); then echo "$bin"; exit 0; fi

install_debian_packages "Install PostgreSQL ≥ 13 (e.g. 'sudo apt-get install postgresql'), or set WHARF_PG_BIN to its bin directory." postgresql
bin=$(find_bin) || { log "postgresql installed but no initdb/postgres found under /usr/lib/postgresql"; exit 1; }
log "$("$bin/postgres" --version)"
echo "$bin"
