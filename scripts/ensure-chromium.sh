#!/usr/bin/env bash
# Make sure Chromium is installed for the web console's browser tests (test/console.test.ts drives
# it headless with playwright-core): Debian's chromium package, /usr/bin/chromium. Safe to run
# again and again. Without root on Debian/Ubuntu it only says what is missing (the tests then skip).
set -euo pipefail
. "$(dirname "$0")/lib/ensure-packages.sh"

command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "chromium not found and I cannot install it here (need root on Debian/Ubuntu); the console's browser tests will skip."
  exit 0
fi
install_debian_packages "Install Chromium (e.g. 'sudo apt-get install chromium'); the console's browser tests need it." chromium
log "$(chromium --version 2>/dev/null || echo 'chromium installed')"
