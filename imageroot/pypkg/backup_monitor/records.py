# SPDX-License-Identifier: GPL-3.0-or-later
"""Read what the service keeps in module/<id>/... (src/domain/records.ts) and what NS8 keeps
about plans (contract §1.2), in a fixed number of pipelined round trips (never KEYS).

The service writes camelCase JSON; actions answer in snake_case, so every shape is mapped
here, in one place.
"""

import json
import re


def keys(module_id):
    base = f'module/{module_id}'
    return {
        'plans': f'{base}/plans', 'history': f'{base}/history', 'outbox': f'{base}/outbox',
        'health': f'{base}/health', 'report': lambda rid: f'{base}/report/{rid}',
    }


def loads(raw, default=None):
    """JSON text -> value; default when absent or not JSON (a record we cannot read is skipped)."""
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return default


def snake(name):
    return re.sub(r'(?<=[a-z0-9])([A-Z])', lambda m: '_' + m.group(1).lower(), name)


def snake_keys(value):
    """Recursively rename camelCase keys (RunReport rows) to the actions' snake_case."""
    if isinstance(value, dict):
        return {snake(k): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


def read_reports(rdb, module_id, report_ids):
    """report id -> StoredReport dict (absent ids, e.g. expired, are left out)."""
    if not report_ids:
        return {}
    pipe = rdb.pipeline(transaction=False)
    for rid in report_ids:
        pipe.get(keys(module_id)['report'](rid))
    out = {}
    for rid, raw in zip(report_ids, pipe.execute()):
        report = loads(raw)
        if isinstance(report, dict):
            out[rid] = report
    return out


def delivery_summary(delivery):
    d = delivery if isinstance(delivery, dict) else {}
    return {
        'status': d.get('status', 'pending'),
        'attempts': int(d.get('attempts') or 0),
        'sent_at': d.get('sentAt'),
        'recipients': list(d.get('recipients') or []),
        'last_error': d.get('lastError'),
    }


def report_summary(rid, report):
    """One list-reports row."""
    run = report.get('run') or {}
    return {
        'id': rid,
        'created_at': int(report.get('createdAt') or 0),
        'plan_id': int(run.get('planId') or 0),
        'plan_name': run.get('planName') or '',
        'outcome': run.get('outcome') or 'MISSING',
        'reason': report.get('reason') or '',
        'subject': report.get('subject') or '',
        'delivery': delivery_summary(report.get('delivery')),
    }


def report_detail(rid, report):
    """The whole stored report for get-report; run and delivery in snake_case."""
    delivery = delivery_summary(report.get('delivery'))
    raw = report.get('delivery') if isinstance(report.get('delivery'), dict) else {}
    delivery['next_attempt_at'] = raw.get('nextAttemptAt')
    delivery['last_error_code'] = raw.get('lastErrorCode')
    return {
        'id': rid,
        'created_at': int(report.get('createdAt') or 0),
        'reason': report.get('reason') or '',
        'language': report.get('language') or 'en',
        'subject': report.get('subject') or '',
        'text': report.get('text') or '',
        'html': report.get('html') or '',
        'run': snake_keys(report.get('run') or {}),
        'delivery': delivery,
    }
