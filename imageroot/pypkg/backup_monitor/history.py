# SPDX-License-Identifier: GPL-3.0-or-later
"""list-reports and get-trends: filters, pages and trend series over the report history.

Pure functions of the rows records.read_history returns (newest first), so they are tested
and timed without Redis.
"""

import heapq
import json
import sys

from backup_monitor.names import strip_invisible

STRIP_RUNS = 30      # outcomes per plan in the strip
# Points per application and plan in a trend: the runs of the strip. The page draws each as a
# 120 px line beside 1,000 others on a large cluster (20 plans x 50 applications), so a point is
# two numbers in parallel lists, not an object (_series).
SERIES_POINTS = 30


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
        'reports': [{**{k: v for k, v in r.items() if k not in ('modules', 'entry')}, 'plan_name': strip_invisible(r['plan_name'])}
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
    kind = type(v)  # JSON numbers are exactly int or float; a bool is neither
    return v if kind is int else int(v) if kind is float else None


def row_modules(r):
    """A history row's stored applications: `modules`, or parsed from its index entry `entry` when
    the row was read without them (records.rows_from_history)."""
    if r.get('modules') is not None:
        return r['modules']
    try:
        entry = json.loads(r.get('entry') or '{}')
    except ValueError:
        entry = {}
    mods = entry.get('modules') if isinstance(entry, dict) else None
    return [m for m in mods if isinstance(m, dict)] if isinstance(mods, list) else []


def _row_modules(r):
    """A history row's applications in the shape of a run summary's, with their names."""
    out = []
    for m in row_modules(r):
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


def _runs_of_plan(merged, log, newest):
    """(runs known, [run, newest first]) of one plan: `merged` {start: run} from the reports and
    the recent runs, `log` [(start, outcome)] from the run log, whose outcome wins. Only the runs
    shown are built: the newest `newest` and every one with per-application data (None: all)."""
    for at, outcome in log:
        run = merged.get(at)
        if run is not None:
            run['outcome'] = outcome
    only_logged = {at: outcome for at, outcome in log if at not in merged}
    starts = only_logged.keys() if newest is None else heapq.nlargest(newest, only_logged)
    runs_ = list(merged.values()) + [{'plan_name': '', 'at': at, 'outcome': only_logged[at], 'report_id': None,
                                      'row': None, 'summary': None} for at in starts]
    runs_.sort(key=lambda r: -r['at'])
    if newest is not None:
        runs_ = [r for i, r in enumerate(runs_) if i < newest or r['row'] is not None or r['summary'] is not None]
    return len(merged) + len(only_logged), runs_


def run_modules(run):
    """A run's applications (id, name, result, size, duration), or None when only the run log
    knows it: from the recent runs, named by the report, else from the report."""
    row, summary = run['row'], run['summary']
    if summary is not None:
        names = {m['id']: m['name'] for m in _row_modules(row)} if row is not None else {}
        return _summary_modules(summary, names)
    return _row_modules(row) if row is not None else None


def plan_runs(rows, summaries=None, log=None, newest=None, lines=None):
    """{plan id: (runs known, [run, newest first])}: every run the service decided, mailed or not
    (issue #21).

    Three sources describe runs, keyed by plan and run start: the run log (every run, outcome
    only: [(start, outcome)]), the per-plan recent runs (the last 12, per application) and the
    mailed reports (rows, per application with names). The outcome is the run log's, else the
    recent runs', else the report's; applications (run_modules) come from the recent runs, else
    from the report. A history from an older version (no run log, no recent runs) gives the
    reports' runs, as before. The run log holds thousands of runs: with `newest`, a plan's list
    keeps its newest `newest` runs and those with per-application data; the count is of all.
    run = {'plan_name', 'at', 'outcome', 'report_id' (None when the run was not mailed), 'row',
    'summary' (what run_modules reads)}. `lines` {plan id: records.trend_lines record}: a plan's
    kept lines stand for its recent runs (their runs' 'summary' is the record; _series is not used)."""
    summaries, log, lines = summaries or {}, log or {}, lines or {}
    merged = {}
    for r in runs(rows):
        merged.setdefault(r['plan_id'], {})[run_time(r)] = {
            'plan_name': r['plan_name'], 'at': run_time(r), 'outcome': r['outcome'],
            'report_id': r['id'], 'row': r, 'summary': None}
    for pid, plan_summaries in summaries.items():
        by_start = merged.setdefault(pid, {})
        for sm in plan_summaries:
            run = by_start.setdefault(sm['start'], {'plan_name': '', 'at': sm['start'], 'report_id': None, 'row': None})
            run['outcome'] = sm['outcome']
            run['summary'] = sm
    for pid, record in lines.items():
        by_start = merged.setdefault(pid, {})
        for start, _key, outcome in record['runs']:
            run = by_start.setdefault(start, {'plan_name': '', 'at': start, 'report_id': None, 'row': None})
            run['outcome'] = outcome
            run['summary'] = record
    return {pid: _runs_of_plan(merged.get(pid, {}), log.get(pid, []), newest)
            for pid in set(merged) | set(log) if merged.get(pid) or log.get(pid)}


def last_full_success_of(summaries, log):
    """Start (unix s) of the newest run that saved everything without warnings (outcome SUCCESS),
    or None, of one plan's recent runs and run log entries [(start, outcome)], by plan_runs' rule
    (the run log's outcome wins): the mail's "last full success" (src/trends/anomaly.ts planTrend)
    by the same rule. Without building the outcomes of the log's thousands of runs: the newest
    SUCCESS of the log, or a newer one of the recent runs that the log does not know."""
    best = max((at for at, outcome in log if outcome == 'SUCCESS'), default=None)
    logged = None
    for sm in summaries:
        if sm['outcome'] == 'SUCCESS' and (best is None or sm['start'] > best):
            logged = logged if logged is not None else {at for at, _outcome in log}
            if sm['start'] not in logged:
                best = sm['start']
    return best


def trends(rows, plan_names=None, strip_runs=STRIP_RUNS, points=SERIES_POINTS, summaries=None, log=None, names=None,
           lines=None):
    """Per plan: the last `strip_runs` outcomes (oldest first) and per application the size and
    duration of its last `points` runs that have per-application data (oldest first), from every
    run decided (plan_runs). The size of an application that was not saved is None: a failure is
    a mark, not 0 B. Plans in the order of plan_names (current plans, id -> name) then any others.
    `names`: module id -> name for applications no drawn report named, or a function of the
    sorted ids of those applications that returns it (one read for the ones shown).
    `lines` {plan id: records.trend_lines record}: a plan's lines as the service keeps them (issue
    #20), drawn as they are; its `summaries` are then not read."""
    plan_names, lines = plan_names or {}, lines or {}
    summaries = {pid: sm for pid, sm in (summaries or {}).items() if pid not in lines}
    by_plan = plan_runs(rows, summaries, log, newest=strip_runs, lines=lines)
    order = [pid for pid in plan_names if pid in by_plan] + sorted(pid for pid in by_plan if pid not in plan_names)
    out = []
    for pid in order:
        known, plan_runs_ = by_plan[pid]
        plan_name = plan_names.get(pid) or next((r['plan_name'] for r in plan_runs_ if r['plan_name']), '')
        out.append({
            'id': pid,
            'name': strip_invisible(plan_name),
            'runs': known,
            'outcomes': [{'report_id': r['report_id'], 'at': r['at'], 'outcome': r['outcome']}
                         for r in reversed(plan_runs_[:strip_runs])],
            'applications': _kept_series(lines[pid], points) if pid in lines else _series(plan_runs_, points),
        })
    unnamed = sorted({a['module_id'] for p in out for a in p['applications'] if not a['ui_name']})
    found = (names(unnamed) if unnamed else {}) if callable(names) else (names or {})
    for p in out:
        for a in p['applications']:
            a['ui_name'] = a['ui_name'] or strip_invisible(str(found.get(a['module_id']) or ''))
        p['applications'].sort(key=lambda a: (a['ui_name'] or a['module_id']).lower())
    return {'plans': out}


def _series(plan_runs_, points):
    """Per application of a plan, its line over the newest `points` runs with per-application
    data, oldest first, as parallel lists (the page draws them, nothing else: ~5x smaller than a
    point object each on a large cluster): `sizes` (bytes; None when the application was not
    saved in that run), `seconds` (duration, None when unknown) and `failed`, the indexes of the
    runs in which it was not saved."""
    series = {}
    for r in [r for r in plan_runs_ if r['row'] is not None or r['summary'] is not None][:points]:
        for m in run_modules(r):
            s = series.get(m['id'])
            if s is None:
                s = series[m['id']] = {'module_id': m['id'], 'ui_name': '', 'results': [], 'sizes': [], 'seconds': []}
            if not s['ui_name'] and m['name']:
                s['ui_name'] = strip_invisible(m['name'])
            saved = m['result'] == 'success'
            s['results'].append(saved)
            s['sizes'].append(m['size'] if saved else None)
            s['seconds'].append(m['duration'])
    out = []
    for s in series.values():
        saved = s.pop('results')
        saved.reverse()
        s['sizes'].reverse()
        s['seconds'].reverse()
        s['failed'] = [i for i, ok in enumerate(saved) if not ok]
        out.append(s)
    return out


def _kept_series(record, points):
    """_series of a plan from its kept lines (records.trend_lines): each application's positions
    with data in the newest `points` runs, as the page draws them."""
    out = []
    for a in record['apps']:
        state, sizes, seconds = a['state'], a['sizes'], a['seconds']
        if len(state) > points:
            state, sizes, seconds = state[-points:], sizes[-points:], seconds[-points:]
        if '-' in state:
            keep = [i for i, c in enumerate(state) if c != '-']
            if not keep:
                continue
            state, sizes, seconds = ''.join(state[i] for i in keep), [sizes[i] for i in keep], [seconds[i] for i in keep]
        out.append({'module_id': a['id'], 'ui_name': strip_invisible(a['name']) if a['name'] else '',
                    'sizes': sizes, 'seconds': seconds, 'failed': [i for i, c in enumerate(state) if c == 'f']})
    return out
