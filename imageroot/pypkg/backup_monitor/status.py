# SPDX-License-Identifier: GPL-3.0-or-later
"""get-monitor-status: current plans joined with what the service last reported."""

import math
import time

from .history import last_full_success_of
from .records import HEAD_CHUNK, RECORD_VERSION, keys, loads, queue_runs, read_heads, read_plans, read_reports, read_rows, runs_from
from .plan_policies import decode as decode_plan_policies, dedupe
from .retention import conflicts_of_plan, retention_conflicts
from .settings import from_environment

DELIVERY_WINDOW_DAYS = 7  # reports not delivered are counted over this window
HISTORY_SCAN_MAX = 500    # the history's cap (src/domain/records.ts HISTORY_MAX)
# The links the admin page shows: src/domain/link.ts PAGE_LINKS (test/domain/link.test.ts keeps them equal).
LINKS = ('redis', 'smtp', 'alertmanager')
ITEMS_MAX = 20


ERROR_LINES_MAX = 3        # error lines kept per application: the tile shows the first
ERROR_LINE_CHARS = 300     # a line longer than this is cut
ANOMALIES_MAX = 3


def _error_lines(lines):
    return [str(x)[:ERROR_LINE_CHARS] for x in (lines if isinstance(lines, list) else []) if str(x).strip()][:ERROR_LINES_MAX]


def _anomalies(items):
    return [{'kind': str(a.get('kind') or ''), 'value': a.get('value'), 'median': a.get('median')}
            for a in (items if isinstance(items, list) else []) if isinstance(a, dict)][:ANOMALIES_MAX]


def _saved_size(result, size):
    """The size of an application saved in the run; None for one that was not (no "0 B")."""
    return _int_or_none(size) if result == 'success' else None


def _stuck_since(confirmation):
    """A report row's confirmation -> since when its retention is stuck (issue #23), or None."""
    stuck = confirmation.get('cleanupStuck') if isinstance(confirmation, dict) else None
    return _int_or_none(stuck.get('since')) if isinstance(stuck, dict) else None


def module_row(row):
    """A stored report's ModuleRow -> the page's row, with what tells the cause (issue #21): the
    first error lines (bounded), the anomalies, the node's name and a status problem."""
    result = row.get('result', 'not_run')
    return {
        'module_id': row.get('moduleId', ''),
        'ui_name': row.get('uiName') or '',
        'node': row.get('node'),
        'node_name': row.get('nodeName') or '',
        'result': result,
        'start': row.get('start'),
        'end': row.get('end'),
        'total_size': _saved_size(result, row.get('totalSize')),
        'errors': row.get('errors'),
        'error_lines': _error_lines(row.get('errorLines')),
        'anomalies': _anomalies(row.get('anomalies')),
        'status_problem': row.get('statusProblem') if isinstance(row.get('statusProblem'), str) else None,
        'retention_stuck_since': _stuck_since(row.get('confirmation')),
    }


def summary_row(m, names, module_node):
    """A run kept in module/<id>/runs (no report mailed for it) -> the page's row."""
    node = module_node.get(m['id'])
    start, seconds = m['start'], m['seconds']
    return {
        'module_id': m['id'], 'ui_name': names.get(m['id']) or '',
        'node': int(node) if str(node or '').isdigit() else None, 'node_name': '',
        'result': m['result'], 'start': start,
        'end': start + seconds if start is not None and seconds is not None else None,
        'total_size': _saved_size(m['result'], m['size']), 'errors': None,
        'error_lines': [], 'anomalies': [], 'status_problem': None,
        'retention_stuck_since': m.get('stuck_since'),
    }


def delivery_of(report):
    """The delivery state of a stored report, read in one place: per-channel delivery states
    (`deliveries`) may join the single `delivery` record; until then this is `delivery`."""
    d = (report or {}).get('delivery')
    return d if isinstance(d, dict) else {}


def _run_start(run_key):
    tail = str(run_key or '').rpartition(':')[2]
    return int(tail) if tail.isdigit() else None


def last_run(state, report, summaries, names, module_node):
    """The plan's last decided run, mailed or not (issue #21): (start, end, modules, report's run
    or None). PlanState.lastRunKey names it; the report tells it best when it is that run's (error
    lines, anomalies, destination check), else the recent runs (module/<id>/runs) keep it."""
    run = (report or {}).get('run') or {}
    key = state.get('lastRunKey')
    if not key or run.get('runKey') == key:
        rows = [module_row(r) for r in run.get('modules') or [] if isinstance(r, dict)]
        return run.get('start'), run.get('end'), rows, run or None
    kept = next((r for r in summaries if r['run_key'] == key), None)
    if kept is None:
        return _run_start(key), None, [], None
    rows = [summary_row(m, names, module_node) for m in kept['modules']]
    ends = [r['end'] for r in rows if r['end'] is not None]
    return kept['start'], max(ends) if ends else None, rows, None


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


def _verdict(run):
    health = (run or {}).get('destinationHealth')
    return health.get('verdict') if isinstance(health, dict) and isinstance(health.get('verdict'), str) else None


def plan_entry(pid, plan, destination_name, state, report, watch=None, settings=None, module_node=None, notify=None,
               runs=None, names=None, conflicts=None):
    """`runs`: ([recent runs], [(run start, outcome)] of the run log) of the plan, newest first; `names`: module id -> ui_name;
    `conflicts`: the cluster's retention_conflicts (issue #23: plans sharing a repository)."""
    delivery = delivery_of(report)
    state = state or {}
    summaries, logged = runs or ([], [])
    watch = watch or {}
    settings = settings or {}
    module_node = module_node or {}
    policy, extra = plan_policy(notify or ('problems', {}), pid)
    recipients = dedupe(list(settings.get('mail_to') or []) + extra)  # the envelope's rule
    instances = (plan.get('instances') or '').split()
    nodes = sorted({int(module_node[m]) for m in instances if str(module_node.get(m, '')).isdigit()})
    start, end, modules, told_run = last_run(state, report, summaries, names or {}, module_node)
    return {
        'id': pid,
        'name': plan.get('name', ''),
        'enabled': plan.get('enabled') == '1',
        'destination_name': destination_name or '',
        'last_outcome': state.get('lastOutcome') or ((report or {}).get('run') or {}).get('outcome'),
        'last_run_start': start,
        'last_run_end': end,
        'last_report_id': state.get('lastReportId') or None,
        'last_notified_at': state.get('lastNotifiedAt') or None,
        'last_recipients': list(delivery.get('recipients') or []),
        'failing_since': state.get('failingSince'),
        'last_success_at': _int_or_none(state.get('lastSuccessAt')),
        # One definition with the mail (src/trends/anomaly.ts planTrend): the newest run whose
        # outcome is SUCCESS; a WARNING saved everything but is no full success. Without any
        # run kept (a version before the run log), the plan state's last success.
        'last_full_success_at': last_full_success_of(summaries, logged) if summaries or logged
        else _int_or_none(state.get('lastSuccessAt')),
        'destination_verdict': _verdict(told_run),
        'schedule': plan.get('schedule', ''),
        'schedule_hint': _json_object(plan.get('schedule_hint')) or None,
        'next_run_at': _int_or_none(watch.get('nextRunAt')),
        'policy': policy,
        'recipients': recipients,
        'nodes': nodes,
        'instances': instances,
        'modules': modules,
        # Issue #23: other enabled plans saving an application to the same destination share its
        # repository; their smallest retention is what it keeps (backup_monitor/retention.py).
        'retention_conflicts': conflicts_of_plan(conflicts or [], pid),
    }


def link(raw):
    v = loads(raw, {})
    v = v if isinstance(v, dict) else {}
    return {'ok': v.get('ok'), 'checked_at': v.get('checkedAt'), 'error': v.get('error')}


def undelivered(d):
    """A delivery not made: given up (failed), or waiting after a refused attempt."""
    return d['status'] == 'failed' or (d['status'] == 'pending' and bool(d['last_error']))


EMAIL = 'email'
WAITING = {'status': 'pending', 'attempts': 0, 'last_error': None, 'last_error_code': None}


def split_outbox(outbox):
    """The outbox's fields -> {(report id, channel): next attempt}: email's entries are bare report
    ids, other channels' `<report id>#<channel>` (issue #22, src/domain/records.ts outboxField)."""
    out = {}
    for field, at in (outbox or {}).items():
        rid, sep, channel = field.partition('#')
        out[(rid, channel if sep else EMAIL)] = at
    return out


def channel_delivery(row, channel):
    """A history row's delivery on `channel`: email's is `delivery`, the others' are in `channels`
    (the index entry's, issue #22); one the index does not know yet is waiting."""
    if channel == EMAIL:
        return row['delivery']
    return next((c for c in row.get('channels') or [] if c['channel'] == channel), WAITING)


def row_channels(row):
    return [EMAIL] + [c['channel'] for c in row.get('channels') or []]


def stored_delivery(report, channel):
    """A stored report's own delivery on `channel` (the next attempt and the code live there only)."""
    if channel == EMAIL:
        return delivery_of(report)
    d = ((report or {}).get('deliveries') or {}).get(channel)
    return d if isinstance(d, dict) else {}


def recent_rows(rdb, module_id, since_ms):
    """History rows (without applications) of the reports made since `since_ms`, newest first:
    read a chunk at a time, stopping at the first older report (the history is newest first)."""
    k = keys(module_id)
    out = []
    for first in range(0, HISTORY_SCAN_MAX, HEAD_CHUNK):
        ids = rdb.lrange(k['history'], first, first + HEAD_CHUNK - 1)
        heads = read_heads(rdb, module_id, list(dict.fromkeys(ids)))
        rows = [heads[rid] for rid in ids if rid in heads]
        out.extend(r for r in rows if r['created_at'] >= since_ms)
        if len(ids) < HEAD_CHUNK or any(r['created_at'] < since_ms for r in rows):
            break
    return out


def deliveries(rdb, module_id, now_ms=None):
    """Deliveries not made over the last DELIVERY_WINDOW_DAYS (not among the newest N), one per
    report and channel (email and the others, issue #22): failed, or waiting in the outbox after an
    error; what waits; the items to show (issue #21)."""
    k = keys(module_id)
    since_ms = (now_ms if now_ms is not None else int(time.time() * 1000)) - DELIVERY_WINDOW_DAYS * 86_400_000
    pipe = rdb.pipeline(transaction=False)
    pipe.hgetall(k['outbox'])
    pipe.llen(k['history'])
    outbox, history_size = pipe.execute()
    queue = split_outbox(outbox)
    recent = recent_rows(rdb, module_id, since_ms)
    rows = {r['id']: r for r in recent}
    rows.update(read_rows(rdb, module_id, [rid for rid, _ch in queue if rid not in rows]))
    failed = [(r['id'], ch) for r in recent for ch in row_channels(r) if channel_delivery(r, ch)['status'] == 'failed']
    bad = {(r['id'], ch) for r in recent for ch in row_channels(r) if undelivered(channel_delivery(r, ch))}
    bad |= {(rid, ch) for rid, ch in queue if rid in rows and undelivered(channel_delivery(rows[rid], ch))}
    shown = list(dict.fromkeys(list(queue) + failed))[:ITEMS_MAX]
    full = read_reports(rdb, module_id, list(dict.fromkeys(rid for rid, _ch in shown)))
    items = [delivery_item(rid, ch, rows.get(rid), queue.get((rid, ch)), full.get(rid)) for rid, ch in shown]
    return {'pending': len(queue), 'failed': len(failed), 'undelivered': len(bad),
            'window_days': DELIVERY_WINDOW_DAYS, 'reports': int(history_size or 0), 'items': items}


def delivery_item(rid, channel, row, next_at, report):
    """One line of the deliveries tile: a report's delivery on one channel."""
    d = channel_delivery(row, channel) if row else WAITING
    own = stored_delivery(report, channel)
    return {
        'report_id': rid,
        'channel': channel,
        'subject': row['subject'] if row else '',
        'status': d['status'],
        'attempts': d['attempts'],
        'last_error': d['last_error'],
        'last_error_code': own.get('lastErrorCode') if isinstance(own.get('lastErrorCode'), str) else None,
        'next_attempt_at': int(next_at) if next_at and str(next_at).isdigit() else _int_or_none(own.get('nextAttemptAt')),
    }


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


UNOWNED_KINDS = ('removed', 'other_cluster')
UNOWNED_ITEMS_MAX = 50  # the page lists these; `count` says how many there are


def _unowned_item(r):
    ok = isinstance(r, dict) and r.get('kind') in UNOWNED_KINDS and all(
        isinstance(r.get(f), str) for f in ('path', 'moduleId', 'uiName', 'destinationName'))
    at = r.get('lastBackupAt') if ok else None
    # not finite: 1e400 and NaN as Python's json reads them from a hand-edited record
    if not ok or not isinstance(at, (int, float)) or isinstance(at, bool) or not math.isfinite(at):
        return None
    return {'kind': r['kind'], 'module_id': r['moduleId'], 'ui_name': r['uiName'], 'path': r['path'],
            'destination_name': r['destinationName'], 'last_backup_at': int(at)}


def unowned_repositories(raw):
    """module/<id>/unowned-repositories (src/domain/records.ts UnownedRepositories, written at most
    once a day) -> the page's notice, or None when never read or of another shape (its guard
    UNOWNED_REPOSITORIES: a row of another shape leaves the whole record out)."""
    v = loads(raw)
    if not isinstance(v, dict) or v.get('v', RECORD_VERSION) != RECORD_VERSION or not isinstance(v.get('at'), int) or isinstance(v.get('at'), bool) \
            or not isinstance(v.get('repositories'), list):
        return None
    items = [_unowned_item(r) for r in v['repositories']]
    if any(i is None for i in items):
        return None
    counts = {kind: sum(1 for i in items if i['kind'] == kind) for kind in UNOWNED_KINDS}
    return {'checked_at': v['at'], 'count': len(items), **counts, 'items': items[:UNOWNED_ITEMS_MAX]}


def monitor_status(rdb, module_id):
    k = keys(module_id)
    plans = read_plans(rdb)
    pipe = rdb.pipeline(transaction=False)
    pipe.hgetall(k['plans'])
    pipe.hgetall(k['health'])
    pipe.hgetall(k['watchdog'])
    pipe.hgetall(f'module/{module_id}/environment')
    pipe.hgetall('cluster/module_node')
    pipe.get(k['unowned'])
    queue_runs(pipe, module_id)
    instances = sorted({m for _pid, plan in plans for m in (plan.get('instances') or '').split()})
    if instances:  # one command, not one per application (1,000 on a large cluster)
        pipe.mget([f'module/{mid}/ui_name' for mid in instances])
    for _pid, plan in plans:
        pipe.hget(f"cluster/backup_repository/{plan.get('repository', '')}", 'name')
    states_raw, health, watch_raw, env, module_node, unowned_raw, runs_hash, log_raw, *rest = pipe.execute()
    ui_names = rest.pop(0) if instances else []
    names = {mid: name for mid, name in zip(instances, ui_names) if name}
    dest_names = rest
    settings = from_environment(env)
    notify = notify_settings(env)
    states = {pid: loads(states_raw.get(str(pid)), {}) for pid, _ in plans}
    states = {pid: s if isinstance(s, dict) else {} for pid, s in states.items()}
    # The applications of each plan's last run only: the page shows no other run's.
    summaries, logged = runs_from(runs_hash, log_raw, {s.get('lastRunKey') for s in states.values()})
    report_ids = [s['lastReportId'] for s in states.values() if s.get('lastReportId')]
    reports = read_reports(rdb, module_id, report_ids)
    conflicts = retention_conflicts(plans)
    return {
        'plans': [plan_entry(pid, plan, name, states[pid], reports.get(states[pid].get('lastReportId')),
                             _json_object(watch_raw.get(str(pid))), settings, module_node, notify,
                             (summaries.get(pid, []), logged.get(pid, [])), names, conflicts)
                  for (pid, plan), name in zip(plans, dest_names)],
        'recipients': list(settings.get('mail_to') or []),
        'unprotected': unprotected(rdb, module_node, plans),
        'deliveries': deliveries(rdb, module_id),
        'links': {name: link(health.get(name)) for name in LINKS},
        'unowned_repositories': unowned_repositories(unowned_raw),
    }
