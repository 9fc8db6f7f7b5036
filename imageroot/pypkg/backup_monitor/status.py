# SPDX-License-Identifier: GPL-3.0-or-later
"""get-monitor-status: current plans joined with what the service last reported."""

from .records import keys, loads, read_plans, read_reports, read_rows
from .plan_policies import decode as decode_plan_policies, dedupe
from .settings import from_environment

HISTORY_SCAN = 50  # recent reports searched for failed deliveries
# The links the admin page shows: src/domain/link.ts PAGE_LINKS (test/domain/link.test.ts keeps them equal).
LINKS = ('redis', 'smtp', 'alertmanager')
ITEMS_MAX = 20


def module_row(row):
    return {
        'module_id': row.get('moduleId', ''),
        'ui_name': row.get('uiName') or '',
        'node': row.get('node'),
        'result': row.get('result', 'not_run'),
        'start': row.get('start'),
        'end': row.get('end'),
        'total_size': row.get('totalSize'),
        'errors': row.get('errors'),
    }


def _json_object(raw):
    v = loads(raw, {})
    return v if isinstance(v, dict) else {}


def _int_or_none(v):
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def notify_settings(env):
    """(default policy, {plan id: (policy or None, extra recipients)}) from the module environment:
    NOTIFY_POLICY and PLAN_POLICIES (issue #14, src/notify/policy.ts), with the manifest's default."""
    default = from_environment(env)['notify_policy']
    plans = {e['plan_id']: (None if e['policy'] == 'default' else e['policy'], e['mail_to'])
             for e in decode_plan_policies(env.get('PLAN_POLICIES') or '')}
    return default, plans


def plan_policy(notify, pid):
    """(policy, extra recipients) of a plan."""
    default, plans = notify
    own, extra = plans.get(pid, (None, []))
    return own or default, list(extra)


def plan_entry(pid, plan, destination_name, state, report, watch=None, settings=None, module_node=None, notify=None):
    run = (report or {}).get('run') or {}
    delivery = (report or {}).get('delivery') or {}
    state = state or {}
    watch = watch or {}
    settings = settings or {}
    module_node = module_node or {}
    policy, extra = plan_policy(notify or ('problems', {}), pid)
    recipients = dedupe(list(settings.get('mail_to') or []) + extra)  # the envelope's rule
    instances = (plan.get('instances') or '').split()
    nodes = sorted({int(module_node[m]) for m in instances if str(module_node.get(m, '')).isdigit()})
    return {
        'id': pid,
        'name': plan.get('name', ''),
        'enabled': plan.get('enabled') == '1',
        'destination_name': destination_name or '',
        'last_outcome': state.get('lastOutcome') or run.get('outcome'),
        'last_run_start': run.get('start'),
        'last_run_end': run.get('end'),
        'last_report_id': state.get('lastReportId') or None,
        'last_notified_at': state.get('lastNotifiedAt') or None,
        'last_recipients': list(delivery.get('recipients') or []),
        'failing_since': state.get('failingSince'),
        'last_success_at': _int_or_none(state.get('lastSuccessAt')),
        'schedule': plan.get('schedule', ''),
        'schedule_hint': _json_object(plan.get('schedule_hint')) or None,
        'next_run_at': _int_or_none(watch.get('nextRunAt')),
        'policy': policy,
        'recipients': recipients,
        'nodes': nodes,
        'instances': instances,
        'modules': [module_row(r) for r in run.get('modules') or [] if isinstance(r, dict)],
    }


def link(raw):
    v = loads(raw, {})
    v = v if isinstance(v, dict) else {}
    return {'ok': v.get('ok'), 'checked_at': v.get('checkedAt'), 'error': v.get('error')}


def deliveries(rdb, module_id):
    k = keys(module_id)
    pipe = rdb.pipeline(transaction=False)
    pipe.hgetall(k['outbox'])
    pipe.lrange(k['history'], 0, HISTORY_SCAN - 1)
    outbox, recent = pipe.execute()
    rows = read_rows(rdb, module_id, list(outbox) + recent)
    failed = [rid for rid in recent if rid in rows and rows[rid]['delivery']['status'] == 'failed']
    shown = (list(outbox) + failed)[:ITEMS_MAX]
    full = read_reports(rdb, module_id, shown)  # the next attempt lives in the report only
    items = []
    for rid in shown:
        row = rows.get(rid) or {'subject': '', 'delivery': {'status': 'pending', 'attempts': 0, 'last_error': None}}
        next_at = outbox.get(rid)
        items.append({
            'report_id': rid,
            'subject': row['subject'],
            'status': row['delivery']['status'],
            'attempts': row['delivery']['attempts'],
            'last_error': row['delivery']['last_error'],
            'next_attempt_at': int(next_at) if next_at and next_at.isdigit()
            else ((full.get(rid) or {}).get('delivery') or {}).get('nextAttemptAt'),
        })
    return {'pending': len(outbox), 'failed': len(failed), 'items': items}


def unprotected(rdb, module_node, plans):
    """Applications in no enabled plan, as NS8's list-backups tells unconfigured instances
    (modules flagged no_data_backup have nothing to save), but counting enabled plans only:
    a module whose only plan is disabled is not being saved either."""
    covered = {m for _pid, p in plans if p.get('enabled') == '1' for m in (p.get('instances') or '').split()}
    ids = sorted(m for m in module_node if m not in covered)
    if not ids:
        return []
    pipe = rdb.pipeline(transaction=False)
    for mid in ids:
        pipe.smembers(f'module/{mid}/flags')
        pipe.get(f'module/{mid}/ui_name')
    res = pipe.execute()
    return [{'module_id': mid, 'ui_name': res[2 * i + 1] or '', 'node': int(module_node[mid]) if str(module_node[mid]).isdigit() else None}
            for i, mid in enumerate(ids) if 'no_data_backup' not in (res[2 * i] or set())]


def monitor_status(rdb, module_id):
    k = keys(module_id)
    plans = read_plans(rdb)
    pipe = rdb.pipeline(transaction=False)
    pipe.hgetall(k['plans'])
    pipe.hgetall(k['health'])
    pipe.hgetall(k['watchdog'])
    pipe.hgetall(f'module/{module_id}/environment')
    pipe.hgetall('cluster/module_node')
    for _pid, plan in plans:
        pipe.hget(f"cluster/backup_repository/{plan.get('repository', '')}", 'name')
    states_raw, health, watch_raw, env, module_node, *dest_names = pipe.execute()
    settings = from_environment(env)
    notify = notify_settings(env)
    states = {pid: loads(states_raw.get(str(pid)), {}) for pid, _ in plans}
    states = {pid: s if isinstance(s, dict) else {} for pid, s in states.items()}
    report_ids = [s['lastReportId'] for s in states.values() if s.get('lastReportId')]
    reports = read_reports(rdb, module_id, report_ids)
    return {
        'plans': [plan_entry(pid, plan, name, states[pid], reports.get(states[pid].get('lastReportId')),
                             _json_object(watch_raw.get(str(pid))), settings, module_node, notify)
                  for (pid, plan), name in zip(plans, dest_names)],
        'recipients': list(settings.get('mail_to') or []),
        'unprotected': unprotected(rdb, module_node, plans),
        'deliveries': deliveries(rdb, module_id),
        'links': {name: link(health.get(name)) for name in LINKS},
    }
