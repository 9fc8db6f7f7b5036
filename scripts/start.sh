#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# npm start: the built service (npm run build) with exactly the image's command line
# (build-images.sh --entrypoint, read by scripts/entrypoint.mjs), from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -d '' -t argv < <(node scripts/entrypoint.mjs --print0)
[[ ${#argv[@]} -gt 1 ]] || { echo "start.sh: no entrypoint in build-images.sh" >&2; exit 1; }
# The image's Node build when scripts/setup.sh has unpacked it, this machine's node otherwise.
shipped=$(node scripts/entrypoint.mjs --node-path)
if [[ -x "$shipped" ]]; then argv[0]=$shipped; fi
exec "${argv[@]}" "$@"
