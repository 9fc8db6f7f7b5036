# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings carried from an old instance to a new one (restore-module/06copyenv).

Core restores a module on a FRESH instance (cluster restore-module/50restore_module: add-module,
then the module's restore-module) and its base step 10restore skips `state/environment`: the
backed-up environment reaches the module only as request["environment"] (ns8-dokuwiki copies
its variables back in restore-module/06copyenv). create-module writes no setting, so the values
copied here are the only ones in the environment; a setting the old backup did not have stays
absent and the code default applies (the service's config and get-configuration fill it).

Clone and move need nothing from here: core's clone-module/10recvstate imports every variable
the fresh instance does not have, which, create-module writing none, is every setting.
"""

import json
import os

from backup_monitor.settings import CHOICES, SETTINGS, _decode, from_environment, is_email, to_environment

_UNREADABLE = object()

# Characters an env-file line cannot carry (systemd EnvironmentFile=, agent.read_envfile).
UNSAFE = ('\n', '\r', '\x00')


def admin_variables():
    """(field, VARIABLE, kind) of every setting the administrator chose."""
    return [(field, var, kind) for field, var, kind, _default in SETTINGS]


def _schema_errors(schema, request):
    import jsonschema  # in NS8's agent Python (core's add-repository uses it), and Debian's

    validator = jsonschema.Draft7Validator(schema)
    bad = set()
    for err in validator.iter_errors(request):
        if err.path:
            bad.add(err.path[0])
    return bad


def restored_settings(original, schema_path):
    """From the backed-up environment: (values to set, warnings, errors).

    - errors: values that cannot be one env-file line (or are not text): the restore stops with
      a field-level error and nothing is written;
    - warnings: values this release would refuse in configure-module (schema or address check):
      they are left out, so the setting takes its default, and the task log says which;
    - values: {VARIABLE: text} as configure-module would have written them.
    """
    errors, warnings, keep = [], [], {}
    for field, var, _kind in admin_variables():
        if var not in original:
            continue
        raw = original[var]
        if not isinstance(raw, str) or any(c in raw for c in UNSAFE):
            errors.append({'field': f'environment.{var}', 'parameter': 'environment', 'value': raw,
                           'error': 'unsafe_environment_value'})
            continue
        keep[var] = raw
    if errors:
        return {}, warnings, errors
    decoded = from_environment(keep)
    fields = {field: var for field, var, _kind in admin_variables() if var in keep}
    with open(schema_path) as f:
        schema = json.load(f)
    request = {field: decoded[field] for field in fields}
    request.setdefault('mail_to', decoded['mail_to'])
    invalid = _schema_errors(schema, request)
    for field, var in fields.items():
        reason = _why_refused(field, var, decoded[field], keep[var], invalid)
        if reason:
            warnings.append(f'{var}={keep[var]!r} {reason}: the default applies')
            del keep[var]
        else:
            keep[var] = to_environment({field: decoded[field]})[var]
    return keep, warnings, []


def _why_refused(field, var, value, raw, invalid):
    """None when configure-module would accept the value, else a few words why not."""
    if field in invalid:
        return 'refused by the configure-module schema'
    addresses = value if isinstance(value, list) else [value]
    if field in ('mail_to', 'mail_from') and any(a and not is_email(a) for a in addresses):
        return 'not a valid address'
    # from_environment falls back to the default on text it cannot parse: parse without one.
    kind = next(k for f, _v, k in admin_variables() if f == field)
    if _decode(kind, raw, _UNREADABLE) is _UNREADABLE:
        return 'not readable'
    if field in CHOICES and raw not in CHOICES[field]:
        return 'not one of ' + ', '.join(CHOICES[field])
    return None


def schema_path():
    return os.path.join(os.environ['AGENT_INSTALL_DIR'], 'actions', 'configure-module', 'validate-input.json')
