#!/usr/bin/env bash
# Provides AWS CLI v2 (for `aws logs tail`, which v1 lacks) WITHOUT installing it system-wide:
# Debian's awscli 2.x package and its Python dependencies are downloaded with `apt-get download`
# and unpacked under node_modules/.cache/aws-cli-v2, with a wrapper `aws2` that runs them on
# Debian's python3. Prints the wrapper's path. Idempotent; fast once unpacked.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/node_modules/.cache/aws-cli-v2"
wrapper="$dir/aws2"
if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then echo "$wrapper"; exit 0; fi
pkgs=(awscli python3-awscrt python3-prompt-toolkit python3-wcwidth python3-ruamel.yaml python3-ruamel.yaml.clib
      python3-distro python3-urllib3 python3-dateutil python3-six python3-jmespath python3-colorama python3-docutils
      python3-pyasn1 python3-roman)
mkdir -p "$dir/debs" "$dir/root"
(
  cd "$dir/debs"
  apt-get download "${pkgs[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1; apt-get download "${pkgs[@]}" >/dev/null 2>&1; }
)
for f in "$dir"/debs/*.deb; do dpkg -x "$f" "$dir/root"; done
cat >"$wrapper" <<WRAP
#!/bin/sh
# AWS CLI v2 from Debian's awscli package, unpacked (not installed) by scripts/ensure-aws-cli-v2.sh.
D="$dir/root/usr/lib/python3/dist-packages"
PYTHONPATH="\$D" exec /usr/bin/python3 -s -c "import sys; sys.path.insert(0, '\$D'); from awscli.clidriver import main; sys.exit(main())" "\$@"
WRAP
chmod +x "$wrapper"
"$wrapper" --version >/dev/null
echo "$wrapper"
