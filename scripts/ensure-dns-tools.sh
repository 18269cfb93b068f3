#!/usr/bin/env bash
# Make sure the DNS tools the tests and the bench use are installed: dig (Debian's dnsutils;
# test/dns-server.test.ts asks Wharf's DNS server with it) and dnsmasq (bench/dns.ts's baseline,
# run as the bench's own child, never the system service). Safe to run again and again.
set -euo pipefail
log() { printf '[wharf] %s\n' "$*" >&2; }

want=()
command -v dig >/dev/null 2>&1 || want+=(dnsutils)
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || want+=(dnsmasq)
[ ${#want[@]} -gt 0 ] || exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "${want[*]} not found and I cannot install it here (need root on Debian/Ubuntu)."
  log "Install them (e.g. 'sudo apt-get install dnsutils dnsmasq'); the DNS tests and bench need dig and dnsmasq."
  exit 1
fi
log "installing ${want[*]} (Debian packages) ..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "${want[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${want[@]}" >/dev/null; }
# dnsmasq's own service is not Wharf's: stop it if the package started it (it would hold port 53).
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dnsmasq 2>/dev/null; then systemctl disable --now dnsmasq >/dev/null 2>&1 || true; fi
log "$(dig -v 2>&1 | head -1); $( (dnsmasq --version 2>/dev/null || /usr/sbin/dnsmasq --version) | head -1)"
