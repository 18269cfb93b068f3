#!/usr/bin/env bash
# Make sure HAProxy (the load balancer data plane, src/lb/) is installed: Debian's haproxy
# package. Wharf runs it as its own child (never the system service). Safe to run again and again.
# WHARF_ENSURE_NGINX=1 also installs nginx (bench/lb.ts compares against it).
set -euo pipefail
log() { printf '[wharf] %s\n' "$*" >&2; }

want=()
command -v haproxy >/dev/null 2>&1 || want+=(haproxy)
if [ "${WHARF_ENSURE_NGINX:-0}" = 1 ] && ! command -v nginx >/dev/null 2>&1; then want+=(nginx); fi
[ ${#want[@]} -gt 0 ] || exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "${want[*]} not found and I cannot install it here (need root on Debian/Ubuntu)."
  log "Install HAProxy ≥ 2.6 (e.g. 'sudo apt-get install haproxy' or 'brew install haproxy'); load balancer listeners need it."
  exit 1
fi
log "installing ${want[*]} (Debian packages) ..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "${want[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${want[@]}" >/dev/null; }
# The packages' own services are not Wharf's: stop them if the package started any.
for svc in "${want[@]}"; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
done
log "$(haproxy -v | head -1)"
