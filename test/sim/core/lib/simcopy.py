# SPDX-License-Identifier: GPL-3.0-or-later
# The rsync of core's transfer-state, as a copy: the module home minus core's hard-coded
# excludes (state/agent.env, state/environment, state/apitoken.cache), --delete semantics.
import os
import shutil

EXCLUDE = {'state/agent.env', 'state/environment', 'state/apitoken.cache'}


def send(home, dest):
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    for root, dirs, files in os.walk(home):
        rel_root = os.path.relpath(root, home)
        dirs[:] = [d for d in dirs if not d.endswith('.sim-bin')]
        for name in files:
            rel = os.path.normpath(os.path.join(rel_root, name))
            if rel in EXCLUDE:
                continue
            os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
            shutil.copy2(os.path.join(root, name), os.path.join(dest, rel))
