# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-plan notification policies and extra recipients (issue #14).

The action field `plan_notifications` is a list of {plan_id, policy, mail_to}; the module
environment carries it as one line, PLAN_POLICIES, in the format src/notify/policy.ts parses (parse()
below follows the same rules; test/fixtures/plan-policies.json holds the cases both run):

    PLAN_POLICIES=2:problems:a@x.org;b@y.org,3:digest,5:default:owner@x.org

Entries by `,`, fields by `:`, addresses by `;`: characters the accepted addresses (settings.py
EMAIL_RE) cannot contain, and nothing the systemd EnvironmentFile parser treats as syntax (quotes,
backslashes, `$`), so JSON -- which needs quotes -- is not used. A policy of `default` follows
NOTIFY_POLICY. Entries of plans that no longer exist are dropped when read and when plans change
(events/backup-schedule-changed): a removed plan's setting disappears with it.
"""

import json
import os
import re

from backup_monitor import records

POLICIES = ('always', 'problems', 'digest', 'off')
PLAN_POLICIES = POLICIES + ('default',)
MAX_PLANS = 500
# Policies whose plan is never mailed on its own: `digest` is told only in the digest, which covers
# every plan and goes to MAIL_TO (sending it to one plan's owner would show them every plan), `off`
# nowhere. Their own recipients would never get a mail, so configure-module refuses them
# (recipients_unused) instead of storing a promise it does not keep (issue #25 item 12). A `default`
# entry's recipients are kept: they are used whenever the default policy mails per run.
UNMAILED = ('digest', 'off')
MAX_RECIPIENTS = 20

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'settings.json'), encoding='utf-8') as _f:
    EMAIL_RE = re.compile(json.load(_f)['patterns']['email'])


def is_email(value):
    return isinstance(value, str) and len(value) <= 254 and EMAIL_RE.fullmatch(value) is not None


def encode(entries):
    """[{plan_id, policy, mail_to}] (validated) -> PLAN_POLICIES text; entries saying nothing are left out."""
    out = []
    for e in sorted(entries, key=lambda x: x['plan_id']):
        policy = e.get('policy') or 'default'
        recipients = dedupe(e.get('mail_to') or [])
        if policy == 'default' and not recipients:
            continue
        out.append(f"{e['plan_id']}:{policy}" + (':' + ';'.join(recipients) if recipients else ''))
    return ','.join(out)


MAX_CHARS = 32000
_PLAN_ID = re.compile(r'[1-9][0-9]{0,8}')  # [0-9], not \d: no other script's digits


def parse(text):
    """PLAN_POLICIES text -> (entries, problems), by the rules of src/notify/policy.ts
    parsePlanPolicies; test/fixtures/plan-policies.json holds the cases both codecs run.
    entries: those without a problem; problems: (plan id or None, error, value), in entry order."""
    text = (text or '').strip()
    length = len(text.encode('utf-16-le')) // 2  # counted as JavaScript counts it
    if length > MAX_CHARS:
        return [], [(None, 'too_long', f'{length} characters')]
    if text == '':
        return [], []
    raw = text.split(',')
    if len(raw) > MAX_PLANS:
        return [], [(None, 'too_long', f'{len(raw)} plans')]
    entries, problems, seen = [], [], set()
    for entry in raw:
        fields = entry.strip().split(':')
        if len(fields) > 3 or ':' not in entry:
            problems.append((None, 'bad_entry', entry))
            continue
        if not _PLAN_ID.fullmatch(fields[0]):
            problems.append((None, 'bad_plan_id', fields[0]))
            continue
        pid = int(fields[0])
        if pid in seen:
            problems.append((pid, 'duplicate_plan', fields[0]))
            continue
        seen.add(pid)
        found = len(problems)
        policy = fields[1] or 'default'
        if policy not in PLAN_POLICIES:
            problems.append((pid, 'unknown_policy', fields[1]))
        addresses = [a.strip() for a in (fields[2] if len(fields) == 3 else '').split(';') if a.strip()]
        if len(addresses) > MAX_RECIPIENTS:
            problems.append((pid, 'too_many_recipients', str(len(addresses))))
        problems.extend((pid, 'invalid_email', a) for a in addresses if not is_email(a))
        if len(problems) == found and (policy != 'default' or addresses):  # `2:default` says nothing
            entries.append({'plan_id': pid, 'policy': policy, 'mail_to': dedupe(addresses)})
    return sorted(entries, key=lambda e: e['plan_id']), problems


def decode(text, strict=False):
    """PLAN_POLICIES text -> [{plan_id, policy, mail_to}] by plan id. Lenient: a damaged entry is
    skipped; strict (a restored environment): any problem raises ValueError."""
    entries, problems = parse(text)
    if strict and problems:
        raise ValueError('; '.join(f'{error} {value!r}' for _pid, error, value in problems))
    return entries


def mailbox(address):
    """What makes two addresses the same mailbox, for every duplicate check (issue #25 item 11):
    surrounding spaces ignored, case ignored on the whole address. Domains are case-insensitive
    and every mail system we deliver to folds the local part too, so `Ops@x.org` and `ops@x.org`
    are one reader who must get one mail. Same rule as src/notify/policy.ts mailbox()."""
    return address.strip().lower()


def dedupe(addresses):
    """Each mailbox once, its first spelling kept (trimmed); empty items dropped."""
    seen, out = set(), []
    for a in addresses:
        key = mailbox(a)
        if key and key not in seen:
            seen.add(key)
            out.append(a.strip())
    return out


def item_errors(name, entries, email_item):
    """Field-level errors of the list's shape and addresses (no Redis), one per bad item or address."""
    errors = []
    seen = set()
    for i, e in enumerate(entries):
        def err(field, value, code):
            errors.append({'field': f'{name}.{i}{field}', 'parameter': name, 'value': value, 'error': code})
        if not isinstance(e, dict):
            err('', e, 'invalid_type')
            continue
        pid = e.get('plan_id')
        if isinstance(pid, bool) or not isinstance(pid, int) or pid < 1:
            err('.plan_id', pid, 'invalid_type')
        elif pid in seen:
            err('.plan_id', pid, 'duplicate_plan')
        seen.add(pid)
        if e.get('policy', 'default') not in PLAN_POLICIES:
            err('.policy', e.get('policy'), 'unknown_policy')
        addresses = e.get('mail_to', [])
        if not isinstance(addresses, list):
            err('.mail_to', addresses, 'invalid_type')
            continue
        if e.get('policy') in UNMAILED and addresses:
            err('.mail_to', addresses, 'recipients_unused')
        if len(addresses) > MAX_RECIPIENTS:
            err('.mail_to', len(addresses), 'too_many_recipients')
        for j, address in enumerate(addresses):
            if email_item(address) is None:
                err(f'.mail_to.{j}', address, 'invalid_email')
    return errors


def unknown_plans(name, entries, plan_ids):
    """Entries naming a plan that does not exist (anymore): error unknown_plan."""
    return [{'field': f'{name}.{i}.plan_id', 'parameter': name, 'value': e.get('plan_id'), 'error': 'unknown_plan'}
            for i, e in enumerate(entries) if isinstance(e, dict) and e.get('plan_id') not in plan_ids]


def unknown_rule_plans(name, text, plan_ids):
    """plan_escalation / plan_max_run_duration (`<plan id>:...` entries by `,`, their pattern
    checked) naming a plan that does not exist (anymore): one error unknown_plan, as for
    plan_notifications; plan ids are never reused, so such an entry could never apply."""
    ids = [int(e.split(':', 1)[0]) for e in text.split(',') if e.split(':', 1)[0].isdigit()]
    unknown = [i for i in ids if i not in plan_ids]
    return [{'field': name, 'parameter': name, 'value': text, 'error': 'unknown_plan'}] if unknown else []


def read_plans(rdb):
    """Current backup plans, for the admin page's table: the plan keys that exist (records.py,
    SCAN as NS8's list-backups), not 1..cluster/backup_sequence: ids are never reused (contract
    1.2), so a long-lived cluster passes any bound on them (issue #25 item 7: ids above 10,000 were
    refused and their settings dropped). Two round trips with the `default` user."""
    plans = records.read_plans(rdb)
    pipe = rdb.pipeline(transaction=False)
    for _pid, h in plans:
        pipe.hget(f"cluster/backup_repository/{h.get('repository', '')}", 'name')
    names = pipe.execute()
    out = []
    for (pid, h), dest in zip(plans, names):
        try:
            hint = json.loads(h.get('schedule_hint') or '{}')
        except ValueError:
            hint = {}
        out.append({
            'id': pid,
            'name': h.get('name') or f'Backup {pid}',
            'destination': dest or h.get('repository', ''),
            'schedule': h.get('schedule', ''),
            'schedule_hint': hint if isinstance(hint, dict) else {},
            'enabled': h.get('enabled') == '1',
            'instances': len((h.get('instances') or '').split()),
        })
    return out


def existing_plan_ids(rdb):
    return {p['id'] for p in read_plans(rdb)}
