# Sourced by scripts/up.sh and scripts/test.sh: the Node.js version check, the same one
# bin/wharf.js makes (bin/check-node.cjs), against package.json "engines" (stated only there).
if ! command -v node >/dev/null 2>&1; then
  required=unknown
  engines_re='"node": *">=([0-9.]+)"'
  [[ $(<package.json) =~ $engines_re ]] && required=${BASH_REMATCH[1]}
  printf 'wharf: Wharf needs Node.js %s or newer (package.json "engines"); none is installed. Install Node.js %s (e.g. from https://nodejs.org or your distribution'"'"'s nodejs package) and run it again.\n' "$required" "${required%%.*}" >&2
  exit 1
fi
node bin/check-node.cjs || exit 1
