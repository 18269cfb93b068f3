#!/usr/bin/env bash
# Make sure the DNS tools the tests and the bench use are installed: dig (Debian's dnsutils;
# test/dns-server.test.ts asks Wharf's DNS server with it) and dnsmasq (bench/dns.ts's baseline,
# run as the bench's own child, never the system service). Safe to run again and again.
set -euo pipefail
. "$(dirname "$0")/lib/ensure-packages.sh"

want=()
command -v dig >/dev/null 2>&1 || want+=(dnsutils)
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || want+=(dnsmasq)
[ ${#want[@]} -gt 0 ] || exit 0
install_debian_packages "Install them (e.g. 'sudo apt-get install dnsutils dnsmasq'); the DNS tests and bench need dig and dnsmasq." "${want[@]}"
log "$(dig -v 2>&1 | head -1); $( (dnsmasq --version 2>/dev/null || /usr/sbin/dnsmasq --version) | head -1)"
