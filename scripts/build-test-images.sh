#!/usr/bin/env bash
# Build the small local images tests and examples use (no registry is reachable):
#   wharf-test/busybox:latest  - Debian's static busybox with every applet linked
#   nginx:alpine, httpd:2.4    - stand-ins for the seed's images: the same busybox image,
#                                whose default command serves HTTP on port 80
# Only tags that are missing are built, so this is cheap to call again.
set -euo pipefail
log() { printf '[wharf] %s\n' "$*" >&2; }

need() { ! docker image inspect "$1" >/dev/null 2>&1; }
if ! need wharf-test/busybox:latest && ! need nginx:alpine && ! need httpd:2.4; then exit 0; fi

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
tar -C "$root" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["httpd","-f","-p","80","-h","/www"]' - nginx:alpine >/dev/null
tar -C "$root" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["httpd-foreground"]' - httpd:2.4 >/dev/null
log "test images ready"
