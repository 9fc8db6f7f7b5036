# SPDX-License-Identifier: GPL-3.0-or-later
"""The module settings: one table maps each action field to its environment variable.

configure-module writes them with agent.mset_env (the module environment is the source of
truth, docs/ARCHITECTURE.md); get-configuration reads them back with the same table, so the
two cannot drift. Defaults match src/config.ts.
"""

import re

# (field, environment variable, kind, default)
SETTINGS = (
    ('mail_to', 'MAIL_TO', 'emails', []),
    ('mail_from', 'MAIL_FROM', 'str', ''),
    ('subject_prefix', 'MAIL_SUBJECT_PREFIX', 'str', '[NS8 Backup]'),
    ('language', 'MAIL_LANGUAGE', 'str', 'en'),
    ('notify_on_success', 'NOTIFY_ON_SUCCESS', 'bool', True),
    ('wait_seconds', 'WAIT_SECONDS', 'int', 30),
    ('recent_window', 'RECENT_WINDOW_SECONDS', 'int', 3600),
    ('missed_run_grace', 'MISSED_RUN_GRACE_SECONDS', 'int', 7200),
    ('stale_age', 'STALE_AGE_SECONDS', 'int', 691200),
    ('reminder_interval', 'REMINDER_INTERVAL_SECONDS', 'int', 86400),
    ('repo_check_enabled', 'REPO_CHECK_ENABLED', 'bool', True),
    ('repo_check_timeout', 'REPO_CHECK_TIMEOUT_SECONDS', 'int', 60),
)

CHOICES = {'language': ('en', 'it')}

# Stricter than RFC 5322 on purpose: no quotes, `$`, backslashes or spaces, which systemd's
# EnvironmentFile= parser would reinterpret; every address accepted here the service accepts.
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#%&*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def is_email(value):
    return isinstance(value, str) and len(value) <= 254 and EMAIL_RE.match(value) is not None


def defaults():
    return {field: (list(default) if isinstance(default, list) else default)
            for field, _env, _kind, default in SETTINGS}


def _encode(kind, value):
    if kind == 'emails':
        return ','.join(value)
    if kind == 'bool':
        return '1' if value else '0'
    return str(value)


def _decode(kind, raw, default):
    """Lenient: a value that does not parse falls back to the default (never crash a read)."""
    if kind == 'emails':
        return [a.strip() for a in raw.split(',') if a.strip()]
    if kind == 'bool':
        low = raw.strip().lower()
        return low in ('1', 'true', 'yes', 'on') if low in ('1', 'true', 'yes', 'on', '0', 'false', 'no', 'off', '') else default
    if kind == 'int':
        return int(raw) if re.fullmatch(r'-?\d+', raw.strip()) else default
    return raw


def to_environment(request):
    """Action input (validated) -> {VARIABLE: text}; missing fields take their default."""
    values = defaults()
    values.update({k: v for k, v in request.items() if k in values})
    return {env: _encode(kind, values[field]) for field, env, kind, _default in SETTINGS}


def from_environment(env):
    """Module environment -> settings with every field present."""
    out = {}
    for field, var, kind, default in SETTINGS:
        out[field] = _decode(kind, env[var], default) if var in env else (list(default) if isinstance(default, list) else default)
        if field in CHOICES and out[field] not in CHOICES[field]:
            out[field] = default
    return out


def missing_defaults(env):
    """Variables absent from the environment, with their default text (create/update)."""
    return {var: _encode(kind, default) for _field, var, kind, default in SETTINGS if var not in env}
