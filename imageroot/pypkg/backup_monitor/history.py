# SPDX-License-Identifier: GPL-3.0-or-later
"""list-reports and get-trends: filters, pages and trend series over the report history.

Pure functions of the rows records.read_history returns (newest first), so they are tested
and timed without Redis.
"""

import json
import sys

from backup_monitor.names import strip_invisible

STRIP_RUNS = 30      # outcomes per plan in the strip
SERIES_POINTS = 60   # points per application and plan in a trend


def whole_number(request, name, default, minimum, maximum=None):
    """request[name] as an int; 2.0 is a JSON number the schema calls an integer, Python a float.
    Returns (value, error) where error is an agent validation error or None."""
    value = request.get(name, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None, {'field': name, 'parameter': name, 'value': value, 'error': f'{name}_not_integer'}
    if value < minimum or (maximum is not None and value > maximum):
        return None, {'field': name, 'parameter': name, 'value': value, 'error': f'{name}_out_of_range'}
    return value, None


def fail_validation(agent, errors):
    """Ends the action as the agent ends one whose input failed its schema."""
    agent.set_status('validation-failed')
    json.dump(errors, fp=sys.stdout)
    sys.exit(2)


def parse_query(request):
    """list-reports input -> (query dict, errors)."""
    request = request or {}
    errors = []
    q = {}
    for name, default, lo, hi in (('page', 1, 1, None), ('per_page', 20, 1, 100)):
        q[name], err = whole_number(request, name, default, lo, hi)
        if err:
            errors.append(err)
    for name in ('plan_id', 'from', 'to'):
        if request.get(name) is None:
            q[name] = None
            continue
        q[name], err = whole_number(request, name, None, 0 if name != 'plan_id' else 1)
        if err:
            errors.append(err)
    q['outcome'] = list(request.get('outcome') or [])
    q['delivery'] = request.get('delivery') or None
    if q.get('from') is not None and q.get('to') is not None and q['to'] < q['from']:
        errors.append({'field': 'to', 'parameter': 'to', 'value': q['to'], 'error': 'to_before_from'})
    return q, errors


def run_time(row):
    """When the run happened (unix s): its start; the report's creation for a row without one."""
    return row['run_start'] if row['run_start'] is not None else row['created_at'] // 1000


def matches(row, q):
    if q['plan_id'] is not None and row['plan_id'] != q['plan_id']:
        return False
    if q['outcome'] and row['outcome'] not in q['outcome']:
        return False
    if q['delivery'] and row['delivery']['status'] != q['delivery']:
        return False
    t = run_time(row)
    if q['from'] is not None and t < q['from']:
        return False
    if q['to'] is not None and t > q['to']:
        return False
    return True


def filtered(q):
    """Whether q filters anything (a page of the whole history is read without a scan)."""
    return bool(q['outcome']) or any(q[n] is not None for n in ('plan_id', 'delivery', 'from', 'to'))


def page_result(q, page_rows, total, total_all, plans, outcomes):
    """The list-reports answer: one page of rows (without their modules) and the filters' choices."""
    return {
        'total': total, 'total_all': total_all, 'page': q['page'], 'per_page': q['per_page'],
        'plans': [{'id': p['id'], 'name': strip_invisible(p['name'])} for p in plans],
        'outcomes': outcomes,
        'reports': [{**{k: v for k, v in r.items() if k != 'modules'}, 'plan_name': strip_invisible(r['plan_name'])}
                    for r in page_rows],
    }


def list_page(rows, q):
    """One page of the rows matching q, plus what the filters can offer, from every row."""
    hits = [r for r in rows if matches(r, q)]
    first = (q['page'] - 1) * q['per_page']
    plans = {}
    for r in rows:
        plans.setdefault(r['plan_id'], r['plan_name'])
    return page_result(q, hits[first:first + q['per_page']], len(hits), len(rows),
                       [{'id': pid, 'name': name} for pid, name in sorted(plans.items())],
                       sorted({r['outcome'] for r in rows}))


def runs(rows):
    """One row per run (plan + start), the newest report of each: an update or reminder of a run
    tells the latest about that run. Newest first, as rows are."""
    seen = set()
    out = []
    for r in rows:
        key = (r['plan_id'], r['run_start'])
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out


def _whole(v):
    return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _row_modules(r):
    """A history row's applications in the shape of a run summary's, with their names."""
    out = []
    for m in r['modules']:
        mid = m.get('id')
        if not isinstance(mid, str) or not mid:
            continue
        start, end = _whole(m.get('start')), _whole(m.get('end'))
        out.append({'id': mid, 'name': m.get('name') if isinstance(m.get('name'), str) else '',
                    'result': str(m.get('result') or 'not_run'), 'size': _whole(m.get('size')),
                    'duration': end - start if start is not None and end is not None and end >= start else None})
    return out


def _summary_modules(summary, names):
    return [{'id': m['id'], 'name': names.get(m['id'], ''), 'result': m['result'], 'size': m['size'],
             'duration': m['seconds'] if m['seconds'] is not None and m['seconds'] >= 0 else None}
            for m in summary['modules']]


def plan_runs(rows, summaries=None, log=None):
    """{plan id: [run, newest first]}: every run the service decided, mailed or not (issue #21).

    Three sources describe runs, keyed by plan and run start: the run log (every run, outcome
    only), the per-plan recent runs (the last 12, per application) and the mailed reports (rows,
    per application with names). The outcome is the run log's, else the recent runs', else the
    report's; applications come from the recent runs, else from the report. A history from an
    older version (no run log, no recent runs) gives the reports' runs, as before.
    run = {'at', 'outcome', 'report_id' (None when the run was not mailed), 'modules' (None when
    only the run log knows it)}."""
    summaries, log = summaries or {}, log or {}
    merged = {}
    for r in runs(rows):
        merged[(r['plan_id'], run_time(r))] = {
            'plan_name': r['plan_name'], 'at': run_time(r), 'outcome': r['outcome'],
            'report_id': r['id'], 'modules': _row_modules(r)}
    for pid, plan_summaries in summaries.items():
        for sm in plan_summaries:
            run = merged.setdefault((pid, sm['start']), {'plan_name': '', 'at': sm['start'], 'report_id': None})
            names = {m['id']: m['name'] for m in run.get('modules') or []}
            run['outcome'] = sm['outcome']
            run['modules'] = _summary_modules(sm, names)
    for pid, entries in log.items():
        for e in entries:
            run = merged.setdefault((pid, e['start']), {'plan_name': '', 'at': e['start'], 'report_id': None, 'modules': None})
            run['outcome'] = e['outcome']
    out = {}
    for (pid, _at), run in sorted(merged.items(), key=lambda kv: -kv[0][1]):
        run.setdefault('modules', None)
        out.setdefault(pid, []).append(run)
    return out


def last_full_success(plan_runs_newest_first):
    """Start (unix s) of the newest run that saved everything without warnings (outcome SUCCESS),
    or None: the mail's "last full success" (src/trends/anomaly.ts planTrend) by the same rule."""
    return next((r['at'] for r in plan_runs_newest_first if r['outcome'] == 'SUCCESS'), None)


def trends(rows, plan_names=None, strip_runs=STRIP_RUNS, points=SERIES_POINTS, summaries=None, log=None, names=None):
    """Per plan: the last `strip_runs` outcomes (oldest first) and per application the size and
    duration of its last `points` runs that have per-application data (oldest first), from every
    run decided (plan_runs). The size of an application that was not saved is None: a failure is
    a mark, not 0 B. Plans in the order of plan_names (current plans, id -> name) then any others.
    `names`: module id -> name, for applications no mailed report named."""
    plan_names, names = plan_names or {}, names or {}
    by_plan = plan_runs(rows, summaries, log)
    order = [pid for pid in plan_names if pid in by_plan] + sorted(pid for pid in by_plan if pid not in plan_names)
    out = []
    for pid in order:
        plan_runs_ = by_plan[pid]
        series = {}
        for r in [r for r in plan_runs_ if r['modules'] is not None][:points]:
            for m in r['modules']:
                s = series.setdefault(m['id'], {'module_id': m['id'], 'ui_name': '', 'points': []})
                if not s['ui_name'] and m['name']:
                    s['ui_name'] = strip_invisible(m['name'])
                s['points'].append({
                    'at': r['at'], 'result': m['result'],
                    'size': m['size'] if m['result'] == 'success' else None,
                    'duration': m['duration'],
                })
        for s in series.values():
            s['points'].reverse()
            s['ui_name'] = s['ui_name'] or strip_invisible(str(names.get(s['module_id']) or ''))
        plan_name = plan_names.get(pid) or next((r['plan_name'] for r in plan_runs_ if r['plan_name']), '')
        out.append({
            'id': pid,
            'name': strip_invisible(plan_name),
            'runs': len(plan_runs_),
            'outcomes': [{'report_id': r['report_id'], 'at': r['at'], 'outcome': r['outcome']}
                         for r in reversed(plan_runs_[:strip_runs])],
            'applications': sorted(series.values(), key=lambda s: (s['ui_name'] or s['module_id']).lower()),
        })
    return {'plans': out}
