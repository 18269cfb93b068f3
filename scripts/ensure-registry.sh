#!/usr/bin/env bash
# Make sure the distribution registry (the ECR data plane behind Wharf's registry front,
# src/registry/) is installed: Debian's docker-registry package. Wharf runs it as its own child
# on a loopback port (never the system service). Safe to run again and again.
set -euo pipefail
. "$(dirname "$0")/lib/ensure-packages.sh"

command -v docker-registry >/dev/null 2>&1 && exit 0
install_debian_packages "Install the distribution registry 2.x (e.g. 'sudo apt-get install docker-registry'), or point WHARF_REGISTRY_BINARY at a 'registry' binary; ECR image pushes and pulls need it." docker-registry
log "docker-registry $(docker-registry --version 2>/dev/null | awk '{print $NF}')"
