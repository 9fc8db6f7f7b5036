#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Unpacks the runtime image's exact Node build (the version of build-images.sh's default
# NODE_BASE_IMAGE) into .cache/node-v<version>/bin/node, so the tests, the benchmark and the
# locally made image base run what ships even where no container registry is reachable.
# The binary comes from npm's node-linux-<arch> package: the official Node.js release build,
# checked against the registry's integrity hash by `npm pack`. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node scripts/entrypoint.mjs --node-version)
bin=$(node scripts/entrypoint.mjs --node-path)
if [[ -x "$bin" && "$("$bin" --version)" == "v${version}" ]]; then
  exit 0
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "shipped-node.sh: no Node ${version} build for $(uname -m)" >&2; exit 1 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --silent --pack-destination "$tmp" "node-linux-${arch}@${version}" >/dev/null
tar -xzf "$tmp"/node-linux-"${arch}"-"${version}".tgz -C "$tmp" package/bin/node
got=$("$tmp/package/bin/node" --version)
[[ "$got" == "v${version}" ]] || { echo "shipped-node.sh: the package holds node ${got}, not v${version}" >&2; exit 1; }
rm -f "$bin"
mkdir -p "$(dirname "$bin")"
mv "$tmp/package/bin/node" "$bin"
echo "Node ${version} (the image's runtime) is in ${bin}"
