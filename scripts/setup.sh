#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what the demo and the tests run for real (Debian packages in .ci/apt-packages, npm
# dependencies of the service and of the admin page). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t packages < <(grep -v '^#' .ci/apt-packages | grep -v '^$')
missing=""
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
done
if [ -n "${missing// /}" ] || [ "${CI:-}" = true ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages:$missing — run this script as root (or with sudo)." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # With recommends, as on the developers' machines: podman --init needs catatonit, for one.
  apt-get install -y -qq "${packages[@]}" >/dev/null
fi
# Carbon's packages start IBM's telemetry collector from their postinstall; it stays behind as a
# background process (~95 MB each). Opt out, as their README describes.
export IBM_TELEMETRY_DISABLED=true
# npm ci wipes node_modules: only when the lock file changed since the last install.
install_npm() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}
install_npm .
if [ -f ui/package-lock.json ]; then install_npm ui; fi
# The image's Node build: the tests and the benchmark run the service on it (scripts/shipped-node.sh).
bash scripts/shipped-node.sh
