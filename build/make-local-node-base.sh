#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Make a minimal Node base image from the official build of the image's Node version (unpacked by
# scripts/shipped-node.sh; this machine's node if given as $2) and the shared libraries it links,
# so build-images.sh can run where no container registry is reachable (CI here):
#   NODE_BASE_IMAGE=$(build/make-local-node-base.sh) ./build-images.sh
# Prints the image name. Not for production: publish with the official Node image.

set -euo pipefail

cd "$(dirname "$0")/.."
version=$(node scripts/entrypoint.mjs --node-version)
image="${1:-localhost/backup-monitor-node-base:${version}}"
if [[ -n "${2:-}" ]]; then
    node_bin=$(readlink -f "$2")
else
    bash scripts/shipped-node.sh >&2
    node_bin=$(node scripts/entrypoint.mjs --node-path)
fi
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "${rootfs}/usr/bin" "${rootfs}/etc" "${rootfs}/tmp"
chmod 1777 "${rootfs}/tmp"
cp "$node_bin" "${rootfs}/usr/bin/node"
# The dynamic loader and every library ldd resolves, at the same paths.
while read -r lib; do
    cp -L --parents "$lib" "$rootfs"
done < <(ldd "$node_bin" | grep -o '/[^ ]*' | sort -u)
printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000:node:/home/node:/sbin/nologin\n' > "${rootfs}/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' > "${rootfs}/etc/group"
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    cp -L --parents /etc/ssl/certs/ca-certificates.crt "$rootfs"
fi

container=$(buildah from scratch)
trap 'buildah rm "$container" >/dev/null 2>&1 || :; rm -rf "$rootfs"' EXIT
buildah add "$container" "$rootfs" / >/dev/null
buildah config --env=PATH=/usr/local/bin:/usr/bin:/bin "$container"
buildah commit --quiet "$container" "$image" >/dev/null
echo "$image"
