#!/usr/bin/env bash
# Make sure HAProxy (the load balancer data plane, src/lb/) is installed: Debian's haproxy
# package. Wharf runs it as its own child (never the system service). Safe to run again and again.
# WHARF_ENSURE_NGINX=1 also installs nginx (bench/lb.ts compares against it).
set -euo pipefail
. "$(dirname "$0")/lib/ensure-packages.sh"

want=()
command -v haproxy >/dev/null 2>&1 || want+=(haproxy)
if [ "${WHARF_ENSURE_NGINX:-0}" = 1 ] && ! command -v nginx >/dev/null 2>&1; then want+=(nginx); fi
[ ${#want[@]} -gt 0 ] || exit 0
install_debian_packages "Install HAProxy ≥ 2.6 (e.g. 'sudo apt-get install haproxy' or 'brew install haproxy'); load balancer listeners need it." "${want[@]}"
log "$(haproxy -v | head -1)"
