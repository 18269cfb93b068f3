#!/usr/bin/env bash
# Make sure the distribution registry (the ECR data plane behind Wharf's registry front,
# src/registry/) is installed: Debian's docker-registry package. Wharf runs it as its own child
# on a loopback port (never the system service). Safe to run again and again.
set -euo pipefail
log() { printf '[wharf] %s\n' "$*" >&2; }

command -v docker-registry >/dev/null 2>&1 && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "docker-registry not found and I cannot install it here (need root on Debian/Ubuntu)."
  log "Install the distribution registry 2.x (e.g. 'sudo apt-get install docker-registry'), or point WHARF_REGISTRY_BINARY at a 'registry' binary; ECR image pushes and pulls need it."
  exit 1
fi
log "installing docker-registry (Debian package) ..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq docker-registry >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq docker-registry >/dev/null; }
# The package's own service is not Wharf's: stop it if the package started one.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
log "docker-registry $(docker-registry --version 2>/dev/null | awk '{print $NF}')"
