#!/usr/bin/env bash
# Make sure a Docker Engine answers on this machine. Installs Debian's docker.io and
# starts dockerd in the background when none answers. Safe to run again and again.
set -euo pipefail
. "$(dirname "$0")/lib/ensure-packages.sh"

if docker info >/dev/null 2>&1; then exit 0; fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "No Docker Engine answers and I cannot install one here (need root on Debian/Ubuntu)."
    log "Install Docker Engine (https://docs.docker.com/engine/install/) and start it, then run this again."
    exit 1
  fi
  log "installing Docker Engine (Debian package docker.io) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  logfile="${WHARF_DOCKERD_LOG:-/var/log/wharf-dockerd.log}"
  log "starting dockerd in the background (log: $logfile) ..."
  # Its own session (setsid): the Engine outlives the shell, job or CI step that started it.
  setsid nohup dockerd >"$logfile" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
fi
if ! docker info >/dev/null 2>&1; then
  log "dockerd did not answer within 30 s; see ${WHARF_DOCKERD_LOG:-/var/log/wharf-dockerd.log}"
  exit 1
fi
log "Docker Engine is up ($(docker version --format '{{.Server.Version}}'))"
