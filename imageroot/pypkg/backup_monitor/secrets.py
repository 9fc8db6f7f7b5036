# SPDX-License-Identifier: GPL-3.0-or-later
"""The receiver's bearer token: a random secret kept in state/receiver.token (mode 600).

It protects POST /alert and POST /test-notification on 127.0.0.1:$TCP_PORT from other local
processes (the container uses the host network). Never stored in state/environment or Redis,
which are world-readable (NS8.md §3, §8.3).
"""

import os
import secrets

TOKEN_FILE = 'receiver.token'


def token_path():
    return os.path.join(os.environ['AGENT_STATE_DIR'], TOKEN_FILE)


def read_receiver_token():
    """The token, or '' when none was made (e.g. a restored module before its first start)."""
    try:
        with open(token_path()) as f:
            return f.read().strip()
    except FileNotFoundError:
        return ''


def ensure_receiver_token():
    """Create the token once; an existing one is kept so configured webhooks keep working."""
    current = read_receiver_token()
    if current:
        return current
    token = secrets.token_urlsafe(32)
    path = token_path()
    fd = os.open(path + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(token + '\n')
    os.replace(path + '.tmp', path)
    return token
