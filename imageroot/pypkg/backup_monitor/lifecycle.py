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

import re

from backup_monitor import plan_policies
from backup_monitor.settings import MANIFEST, Invalid, _encode, clean

# Characters an env-file line cannot carry (systemd EnvironmentFile=, agent.read_envfile).
UNSAFE = ('\n', '\r', '\x00')
# Settings an administrator chooses: configure-module's, and the ones documented as set by hand
# in the module environment (settings.json `source`). NS8's own (MODULE_ID, TCP_PORT) and the
# derived ones belong to the new instance.
ADMIN_SOURCES = ('action', 'environment')
_TRUE = ('1', 'true', 'yes', 'on')
_FALSE = ('0', 'false', 'no', 'off', '')


def admin_settings():
    return [s for s in MANIFEST['settings'] if s['source'] in ADMIN_SOURCES]


def _parse(spec, raw):
    """Environment text -> the JSON value configure-module would take; Invalid if unreadable."""
    kind = spec['type']
    if kind == 'int':
        if not re.fullmatch(r'-?\d+', raw.strip()):
            raise Invalid('not_readable')
        return int(raw)
    if kind == 'bool':
        low = raw.strip().lower()
        if low not in _TRUE + _FALSE:
            raise Invalid('not_readable')
        return low in _TRUE
    if kind == 'emails':
        return [a.strip() for a in raw.split(',') if a.strip()]
    if kind == 'plan_policies':
        try:
            return plan_policies.decode(raw, strict=True)
        except ValueError:
            raise Invalid('not_readable') from None
    return raw


def restored_settings(original):
    """From the backed-up environment: (values to set, warnings, errors).

    - errors: values that cannot be one env-file line (or are not text): the restore stops with
      a field-level error and nothing is written;
    - warnings: values this release would refuse (the manifest's rules, as configure-module):
      they are left out, so the setting takes its default, and the task log says which;
    - values: {VARIABLE: text} as configure-module would have written them.
    """
    errors, warnings, values = [], [], {}
    present = [(spec, original[spec['env']]) for spec in admin_settings() if spec['env'] in original]
    for spec, raw in present:
        if not isinstance(raw, str) or any(c in raw for c in UNSAFE):
            errors.append({'field': f"environment.{spec['env']}", 'parameter': 'environment', 'value': raw,
                           'error': 'unsafe_environment_value'})
    if errors:
        return {}, [], errors
    for spec, raw in present:
        try:
            values[spec['env']] = _encode(spec, clean(spec, _parse(spec, raw)))
        except Invalid as ex:
            item = f' (item {ex.index + 1})' if ex.index is not None else ''
            warnings.append(f"{spec['env']}={raw!r} refused{item}: {ex.code}; the default applies")
    return values, warnings, []
