# Sourced by scripts/ensure-*.sh: the one way they install what is missing.
#   install_debian_packages "HINT" PKG...
# installs the Debian packages (needs root and apt-get; otherwise prints HINT — what to install by hand —
# and exits 1), then stops any system service the packages started: Wharf runs these programs as its
# own children, never as the system's services.
log() { printf '[wharf] %s\n' "$*" >&2; }

install_debian_packages() {
  local hint="$1"; shift
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "$* not found and I cannot install it here (need root on Debian/Ubuntu)."
    log "$hint"
    exit 1
  fi
  log "installing $* (Debian packages) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "$@" >/dev/null; }
  local svc
  for svc in "$@"; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
  done
}
