#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# pyflakes over every Python file of the module (actions, events, bin, pypkg) and the agent shim.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'imageroot/**' 'test/sim/agent/**' | while read -r f; do
  case "$f" in *.py) echo "$f" ;; *) head -c 64 "$f" 2>/dev/null | grep -q '^#!/usr/bin/env python3' && echo "$f" ;; esac
done)
/usr/bin/python3 -m pyflakes "${files[@]}"
