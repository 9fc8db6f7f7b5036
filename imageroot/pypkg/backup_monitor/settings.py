# SPDX-License-Identifier: GPL-3.0-or-later
"""The module settings, read from the manifest settings.json next to this file.

configure-module checks (10validate) and writes (20configure) them with agent.mset_env (the
module environment is the source of truth, docs/ARCHITECTURE.md); get-configuration reads them
back; create/update fill in missing ones. The service parses the same environment with the same
rules (src/settings.ts): test/settings-parity.test.ts runs both on one table of values, so what
this module accepts the service accepts too.
"""

import json
import math
import os
import re

from backup_monitor import plan_policies

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'settings.json'), encoding='utf-8') as _f:
    MANIFEST = json.load(_f)

# The fields of configure-module / get-configuration, in manifest order.
SETTINGS = tuple(s for s in MANIFEST['settings'] if s['source'] == 'action')
BY_NAME = {s['name']: s for s in SETTINGS}
# Issue #22: the channels' secrets. configure-module keeps them in a state file (backup_monitor.secrets),
# never in the environment, which Redis mirrors to every cluster user.
SECRET_SETTINGS = tuple(s for s in MANIFEST['settings'] if s['source'] == 'secret')
SECRET_BY_NAME = {s['name']: s for s in SECRET_SETTINGS}

# Stricter than RFC 5322 on purpose: no quotes, `$`, backslashes or spaces, which systemd's
# EnvironmentFile= parser would reinterpret; the service uses the same pattern.
EMAIL_RE = re.compile(MANIFEST['patterns']['email'])
_CONTROL = re.compile(r'[\x00-\x1f\x7f]')
_TRUE = ('1', 'true', 'yes', 'on')
_FALSE = ('0', 'false', 'no', 'off', '')


class Invalid(ValueError):
    """A value refused; `code` is the error the admin page translates, `index` a list item."""

    def __init__(self, code, index=None):
        super().__init__(code)
        self.code = code
        self.index = index


def is_email(value):
    # fullmatch: `$` would also match before a trailing newline, which splits the env line.
    return isinstance(value, str) and len(value) <= 254 and EMAIL_RE.fullmatch(value) is not None


def _email_item(value):
    if not isinstance(value, str) or _CONTROL.search(value):
        return None
    value = value.strip()
    return value if is_email(value) else None


def clean(spec, value):
    """A JSON value of setting `spec` -> its normalized value; raises Invalid."""
    kind = spec['type']
    if kind == 'int':
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid('invalid_type')
        if isinstance(value, float):
            # JSON 30.0 and 1e3 are integers for the NS8 validator: write them as 30 and 1000.
            if not math.isfinite(value) or not value.is_integer():
                raise Invalid('invalid_type')
            value = int(value)
        if value < spec['min']:
            raise Invalid('number_gte')
        if value > spec['max']:
            raise Invalid('number_lte')
        return value
    if kind == 'bool':
        if not isinstance(value, bool):
            raise Invalid('invalid_type')
        return value
    if kind == 'enum':
        if not isinstance(value, str):
            raise Invalid('invalid_type')
        if spec.get('ignoreCase'):
            value = value.strip().lower()
        value = spec.get('aliases', {}).get(value, value)
        if value not in spec['values']:
            raise Invalid('enum')
        return value
    if kind == 'text':
        if not isinstance(value, str):
            raise Invalid('invalid_type')
        if len(value) > spec['maxLength'] or '\r' in value or '\n' in value:
            raise Invalid('string_lte')
        pattern = spec.get('pattern')
        if pattern and re.fullmatch(MANIFEST['patterns'][pattern], value) is None:
            raise Invalid('pattern')
        if pattern in ('plan_rules', 'plan_seconds'):
            _check_plan_entries(value)
        return value
    if kind == 'email':
        if value == '':
            return ''
        address = _email_item(value)
        if not address:
            raise Invalid('invalid_email')
        return address
    if kind == 'emails':
        if not isinstance(value, list):
            raise Invalid('invalid_type')
        out, seen = [], set()
        for index, item in enumerate(value):
            address = _email_item(item)
            if address is None:
                raise Invalid('invalid_email', index)
            if plan_policies.mailbox(address) in seen:  # one mailbox, whatever its case
                raise Invalid('duplicate_email', index)
            seen.add(plan_policies.mailbox(address))
            out.append(address)
        if 'maxItems' in spec and len(out) > spec['maxItems']:
            raise Invalid('array_max_items')
        return out
    if kind == 'plan_policies':
        return _clean_plans(spec, value)
    raise Invalid('invalid_type')


def _check_plan_entries(text):
    """plan_escalation / plan_max_run_duration past their pattern (issue #24, hostile round H8): a
    plan listed twice is refused (the service would keep the last entry silently), and a plan's
    escalation time stays within what escalation_after allows for every plan. src/settings.ts
    planEntriesProblem says the same."""
    seen = set()
    for entry in text.split(',') if text else ():
        plan_id, *numbers = entry.split(':')
        if plan_id in seen:
            raise Invalid('duplicate_plan')
        seen.add(plan_id)
        if len(numbers) == 2 and int(numbers[1]) > BY_NAME['escalation_after']['max']:
            raise Invalid('number_lte')


def _clean_plans(spec, value):
    """[{plan_id, policy, mail_to}] (issue #14): shape and addresses; whether each plan exists is
    10validate's business (it needs Redis)."""
    if not isinstance(value, list) or len(value) > spec['maxItems']:
        raise Invalid('invalid_type' if not isinstance(value, list) else 'array_max_items')
    out, seen = [], set()
    for index, item in enumerate(value):
        if not isinstance(item, dict) or isinstance(item.get('plan_id'), bool) or not isinstance(item.get('plan_id'), int) \
                or item['plan_id'] < 1 or set(item) - {'plan_id', 'policy', 'mail_to'}:
            raise Invalid('invalid_type', index)
        if item['plan_id'] in seen:
            raise Invalid('duplicate_plan', index)
        seen.add(item['plan_id'])
        policy = item.get('policy', 'default')
        if policy not in plan_policies.PLAN_POLICIES:
            raise Invalid('unknown_policy', index)
        addresses = item.get('mail_to', [])
        if not isinstance(addresses, list) or len(addresses) > spec['maxRecipients']:
            raise Invalid('too_many_recipients' if isinstance(addresses, list) else 'invalid_type', index)
        clean_addresses = []
        for address in addresses:
            a = _email_item(address)
            if a is None:
                raise Invalid('invalid_email', index)
            clean_addresses.append(a)
        if policy != 'default' or clean_addresses:  # an entry that says nothing is no entry
            out.append({'plan_id': item['plan_id'], 'policy': policy, 'mail_to': plan_policies.dedupe(clean_addresses)})
    return out


def secret_errors(request):
    """A secret field is null (keep), "" (clear) or a new value checked like any text setting;
    a refused value is not repeated in the answer (task results are kept in Redis)."""
    errors = []
    for name, spec in SECRET_BY_NAME.items():
        value = request.get(name)
        if value is None or value == '':
            continue
        try:
            clean(spec, value)
        except Invalid as e:
            errors.append({'field': name, 'parameter': name, 'value': '', 'error': e.code})
    return errors


def validate(request):
    """configure-module input -> the agent's validation-failed items (empty: all good).

    Every bad list item gets its own item (field `mail_to.<index>`), in the request's order.
    """
    errors = secret_errors(request)
    for name, value in request.items():
        spec = BY_NAME.get(name)
        if spec is None:
            continue
        if spec['type'] == 'plan_policies' and isinstance(value, list):
            errors.extend(plan_policies.item_errors(name, value, _email_item))
            if any(e['parameter'] == name for e in errors):
                continue
        if spec['type'] == 'emails' and isinstance(value, list):
            seen = set()
            for index, item in enumerate(value):
                address = _email_item(item)
                key = None if address is None else plan_policies.mailbox(address)
                code = 'invalid_email' if address is None else 'duplicate_email' if key in seen else None
                seen.add(key)
                if code:
                    errors.append({'field': f'{name}.{index}', 'parameter': name, 'value': item, 'error': code})
        try:
            clean(spec, value)
        except Invalid as e:
            if e.index is None:
                errors.append({'field': name, 'parameter': name, 'value': value, 'error': e.code})
    return errors


def _copy(default):
    return list(default) if isinstance(default, list) else default


def defaults():
    return {s['name']: _copy(s['default']) for s in SETTINGS}


def _encode(spec, value):
    if spec['type'] == 'plan_policies':
        return plan_policies.encode(value)
    if spec['type'] == 'emails':
        return ','.join(value)
    if spec['type'] == 'bool':
        return '1' if value else '0'
    return str(value)


def _decode(spec, raw):
    """Lenient: a value that does not parse falls back to the default (never crash a read)."""
    kind = spec['type']
    default = _copy(spec['default'])
    if kind == 'emails':
        return [a.strip() for a in raw.split(',') if a.strip()]
    if kind == 'plan_policies':
        return plan_policies.decode(raw)
    if kind == 'bool':
        low = raw.strip().lower()
        return low in _TRUE if low in _TRUE + _FALSE else default
    if kind == 'int':
        return int(raw) if re.fullmatch(r'-?\d+', raw.strip()) else default
    if kind == 'enum':
        return raw if raw in spec['values'] else default
    return raw


def to_environment(request):
    """Action input (validated) -> {VARIABLE: text}; missing fields take their default."""
    values = defaults()
    values.update({k: clean(BY_NAME[k], v) for k, v in request.items() if k in BY_NAME})
    return {s['env']: _encode(s, values[s['name']]) for s in SETTINGS}


def from_environment(env):
    """Module environment -> settings with every field present."""
    return {s['name']: _decode(s, env[s['env']]) if s['env'] in env else _copy(s['default']) for s in SETTINGS}


def missing_defaults(env):
    """Variables absent from the environment, with their default text (create/update)."""
    return {s['env']: _encode(s, s['default']) for s in SETTINGS if s['env'] not in env}
