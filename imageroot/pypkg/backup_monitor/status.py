# SPDX-License-Identifier: GPL-3.0-or-later
"""get-monitor-status: current plans joined with what the service last reported."""

from .records import keys, loads, read_reports

HISTORY_SCAN = 50  # recent reports searched for failed deliveries
ITEMS_MAX = 20


def read_plans(rdb):
    """[(plan id, plan hash)] for ids 1..cluster/backup_sequence, pipelined; removed ids skipped."""
    try:
        last = int(rdb.get('cluster/backup_sequence') or 0)
    except ValueError:
        last = 0
    if last <= 0:
        return []
    pipe = rdb.pipeline(transaction=False)
    for pid in range(1, last + 1):
        pipe.hgetall(f'cluster/backup/{pid}')
    return [(pid, h) for pid, h in zip(range(1, last + 1), pipe.execute()) if h]


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


def plan_entry(pid, plan, destination_name, state, report):
    run = (report or {}).get('run') or {}
    delivery = (report or {}).get('delivery') or {}
    state = state or {}
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
    reports = read_reports(rdb, module_id, list(dict.fromkeys(list(outbox) + recent)))
    failed = [rid for rid in recent if (reports.get(rid, {}).get('delivery') or {}).get('status') == 'failed']
    items = []
    for rid in list(outbox) + failed:
        d = reports.get(rid, {}).get('delivery') or {}
        next_at = outbox.get(rid)
        items.append({
            'report_id': rid,
            'subject': reports.get(rid, {}).get('subject', ''),
            'status': d.get('status', 'pending'),
            'attempts': int(d.get('attempts') or 0),
            'last_error': d.get('lastError'),
            'next_attempt_at': int(next_at) if next_at and next_at.isdigit() else d.get('nextAttemptAt'),
        })
    return {'pending': len(outbox), 'failed': len(failed), 'items': items[:ITEMS_MAX]}


def monitor_status(rdb, module_id):
    k = keys(module_id)
    plans = read_plans(rdb)
    pipe = rdb.pipeline(transaction=False)
    pipe.hgetall(k['plans'])
    pipe.hgetall(k['health'])
    for _pid, plan in plans:
        pipe.hget(f"cluster/backup_repository/{plan.get('repository', '')}", 'name')
    states_raw, health, *dest_names = pipe.execute()
    states = {pid: loads(states_raw.get(str(pid)), {}) for pid, _ in plans}
    states = {pid: s if isinstance(s, dict) else {} for pid, s in states.items()}
    report_ids = [s['lastReportId'] for s in states.values() if s.get('lastReportId')]
    reports = read_reports(rdb, module_id, report_ids)
    return {
        'plans': [plan_entry(pid, plan, name, states[pid], reports.get(states[pid].get('lastReportId')))
                  for (pid, plan), name in zip(plans, dest_names)],
        'deliveries': deliveries(rdb, module_id),
        'links': {name: link(health.get(name)) for name in ('redis', 'smtp', 'alertmanager')},
    }
