# SPDX-License-Identifier: GPL-3.0-or-later
"""The module's secrets, kept in the state directory (mode 600), never in state/environment or Redis.

- The receiver's bearer token: a random secret kept in state/receiver.token.
- Issue #22: the channels' secrets (bot token, webhook addresses, ntfy token, HMAC secret: the
  manifest's `"source": "secret"` settings) in state/channel-secrets.json, written by
  configure-module, passed to the service by bin/write-service-env. Being state files, they go
  with the module backup (etc/state-include.conf) and with clone and move (core rsyncs the state
  directory); an update leaves them alone.


It protects POST /alert and POST /test-notification on 127.0.0.1:$TCP_PORT from other local
processes (the container uses the host network). Never stored in state/environment or Redis,
which are world-readable (NS8.md §3, §8.3).
"""

import json
import os
import re
import secrets

from backup_monitor.settings import SECRET_BY_NAME

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


CHANNEL_SECRETS_FILE = 'channel-secrets.json'
# A value that would split the service's env-file line is never passed on (configure-module refuses it).
_UNSAFE = re.compile(r'[\x00-\x1f\x7f]')


def channel_secrets_path():
    return os.path.join(os.environ['AGENT_STATE_DIR'], CHANNEL_SECRETS_FILE)


def read_channel_secrets():
    """{setting name: value} of the stored channel secrets; unknown names and non-text dropped."""
    try:
        with open(channel_secrets_path(), encoding='utf-8') as f:
            doc = json.load(f)
    except (FileNotFoundError, ValueError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if k in SECRET_BY_NAME and isinstance(v, str) and v}


def _write_private_json(path, doc):
    fd = os.open(path + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as f:
        json.dump(doc, f, sort_keys=True)
        f.write('\n')
    os.replace(path + '.tmp', path)


def update_channel_secrets(request):
    """Apply configure-module's secret fields (validated): null or absent keeps, "" clears, text
    replaces. Returns whether anything changed."""
    changes = {k: request[k] for k in SECRET_BY_NAME if isinstance(request.get(k), str)}
    current = read_channel_secrets()
    wanted = dict(current)
    for name, value in changes.items():
        if value == '':
            wanted.pop(name, None)
        else:
            wanted[name] = value
    if wanted == current:
        return False
    _write_private_json(channel_secrets_path(), wanted)
    return True


def channel_secret_status():
    """For get-configuration: "set" or "not set" per secret, never the value."""
    stored = read_channel_secrets()
    return {name: 'set' if name in stored else 'not set' for name in SECRET_BY_NAME}


def channel_secret_env():
    """{VARIABLE: value} for the service's private env file."""
    stored = read_channel_secrets()
    return {SECRET_BY_NAME[k]['env']: v for k, v in stored.items() if not _UNSAFE.search(v)}
