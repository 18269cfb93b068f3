#!/usr/bin/env bash
# Build the small local images tests and examples use (no registry is reachable), all under
# Wharf's own names so no image a user may pull is ever replaced:
#   wharf-test/busybox:latest  - Debian's static busybox with every applet linked
#   wharf-test/nginx:latest    - the same image, whose default command serves /www over HTTP on port 80
#   wharf-test/httpd:latest    - the same image, with httpd:2.4's httpd-foreground and htdocs directory
# Only images that are missing are built, so this is cheap to call again.
#
#   --offline-standins   also tag wharf-test/nginx as nginx:alpine and wharf-test/httpd as httpd:2.4
#                        where those tags are missing, so the examples run unchanged on a machine
#                        without a registry. Never done by the tests: only when you ask for it.
set -euo pipefail
log() { printf '[wharf] %s\n' "$*" >&2; }

standins=false
for a in "$@"; do
  case "$a" in
    --offline-standins) standins=true ;;
    *) echo "usage: $0 [--offline-standins]" >&2; exit 2 ;;
  esac
done

need() { ! docker image inspect "$1" >/dev/null 2>&1; }
standin() { # TAG SOURCE: tag SOURCE as TAG unless TAG exists
  if need "$1"; then docker tag "$2" "$1"; log "tagged $2 as $1 (offline stand-in)"; fi
}
if ! need wharf-test/busybox:latest && ! need wharf-test/nginx:latest && ! need wharf-test/httpd:latest; then
  if $standins; then standin nginx:alpine wharf-test/nginx:latest; standin httpd:2.4 wharf-test/httpd:latest; fi
  exit 0
fi

bb=$(command -v busybox || true)
if [ -z "$bb" ] || ! file -L "$bb" 2>/dev/null | grep -q static; then
  if [ -x /bin/busybox ] && ldd /bin/busybox 2>&1 | grep -q 'not a dynamic'; then bb=/bin/busybox
  else
    log "installing busybox-static ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq busybox-static >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq busybox-static >/dev/null; }
    bb=/bin/busybox
  fi
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/www" "$root/usr/local/apache2/htdocs"
chmod 1777 "$root/tmp"
cp "$bb" "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
  [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
echo '<html><body><h1>Welcome to Wharf</h1></body></html>' >"$root/www/index.html"
cat >"$root/bin/httpd-foreground" <<'SH'
#!/bin/sh
exec httpd -f -p 80 -h /usr/local/apache2/htdocs
SH
chmod +x "$root/bin/httpd-foreground"

log "building wharf-test/busybox:latest ..."
tar -C "$root" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - wharf-test/busybox:latest >/dev/null
tar -C "$root" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["httpd","-f","-p","80","-h","/www"]' - wharf-test/nginx:latest >/dev/null
tar -C "$root" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["httpd-foreground"]' - wharf-test/httpd:latest >/dev/null
if $standins; then standin nginx:alpine wharf-test/nginx:latest; standin httpd:2.4 wharf-test/httpd:latest; fi
log "test images ready"
