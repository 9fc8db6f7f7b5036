# SPDX-License-Identifier: GPL-3.0-or-later
"""Read what the service keeps in module/<id>/... (src/domain/records.ts) and what NS8 keeps
about plans (NS8.md §1.2), in a fixed number of pipelined round trips (never KEYS).

The service writes camelCase JSON; actions answer in snake_case, so every shape is mapped
here, in one place.
"""

import json
import math
import re
import time

from backup_monitor.history import filtered, list_page, matches, page_result

REPORT_TTL_SECONDS = 180 * 24 * 3600  # src/domain/records.ts


def keys(module_id):
    base = f'module/{module_id}'
    return {
        'plans': f'{base}/plans', 'history': f'{base}/history', 'outbox': f'{base}/outbox',
        'health': f'{base}/health', 'report': lambda rid: f'{base}/report/{rid}',
        'index': f'{base}/index', 'watchdog': f'{base}/watchdog', 'facets': f'{base}/facets',
        'runs': f'{base}/runs', 'runlog': f'{base}/runlog', 'trends': f'{base}/trends',
        'unowned': f'{base}/unowned-repositories',
    }


def loads(raw, default=None):
    """JSON text -> value; default when absent or not JSON (a record we cannot read is skipped)."""
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return default


RECORD_VERSION = 1  # src/domain/stored-record.ts: a record without `v` is an older version's v1
RUN_LOG_MAX = 10_000  # src/digest/run-log.ts


def _ours(value):
    """Whether a stored record has a shape version this reader knows (absent = v1)."""
    return isinstance(value, dict) and value.get('v', RECORD_VERSION) == RECORD_VERSION


def _whole(value):
    kind = type(value)  # JSON numbers are exactly int or float; a bool is neither
    # Python's json reads 1e400 as infinity and NaN as NaN (a hand-edited record): not numbers here.
    return value if kind is int else int(value) if kind is float and math.isfinite(value) else None


def run_summaries(raw, modules_of=None):
    """module/<id>/runs field (src/trends/anomaly.ts RunSummary[], newest first) -> runs in
    snake_case; what cannot be read is left out, as parseHistory does. `modules_of`: the run keys
    whose applications are wanted (the others' `modules` are []); None: every run's."""
    if modules_of is not None and raw:
        found = _summaries_by_heads(raw, modules_of)
        if found is not None:
            return found
    value = loads(raw, [])
    return _summaries(value if isinstance(value, list) else [], modules_of)


def _summaries(values, modules_of):
    out = []
    for r in values:
        if not _ours(r) or not isinstance(r.get('runKey'), str) or _whole(r.get('start')) is None \
                or not isinstance(r.get('outcome'), str) or not isinstance(r.get('modules'), list):
            continue
        out.append({
            'run_key': r['runKey'], 'start': _whole(r['start']), 'outcome': r['outcome'],
            'modules': [{
                'id': m['id'], 'result': str(m.get('result') or 'not_run'), 'start': _whole(m.get('start')),
                'size': _whole(m.get('size')), 'files': _whole(m.get('files')), 'seconds': _whole(m.get('seconds')),
                # Issue #23: since when its cleanup has failed on every run, as the service computed it.
                'stuck_since': _whole(m.get('stuckSince')),
            } for m in (r['modules'] if modules_of is None or r['runKey'] in modules_of else ())
                if isinstance(m, dict) and isinstance(m.get('id'), str) and m['id']],
        })
    return out


# The head of a run summary as the service writes it (summarize: versioned, keys in this order,
# an integer start, strings without escapes), up to its per-application list. A plan's recent
# runs are 12 runs x its applications; get-monitor-status needs the applications of one run (its
# last) and the outcomes of all: the heads give the outcomes, one raw_decode the run wanted.
_SUMMARY_HEAD = re.compile(r'\{"v":1,"runKey":"([^"\\\n]*)","start":(-?(?:0|[1-9][0-9]*)),"outcome":"([^"\\\n]*)","modules":\[')
_DECODER = json.JSONDecoder()


def _summaries_by_heads(raw, modules_of):
    """run_summaries(raw, modules_of) without decoding the applications of the runs not wanted;
    None when some run is not as the service writes it (the caller decodes it all then). A key
    "runKey" with its quotes is never inside a JSON string (they are escaped there): the heads
    found are all the runs when they are as many as that key."""
    found = list(_SUMMARY_HEAD.finditer(raw))
    if not raw.startswith('[') or len(found) != raw.count('"runKey"'):
        return None
    out = []
    for m in found:
        if m[1] not in modules_of:
            out.append({'run_key': m[1], 'start': int(m[2]), 'outcome': m[3], 'modules': []})
            continue
        try:
            run, _end = _DECODER.raw_decode(raw, m.start())
        except ValueError:
            return None
        out.extend(_summaries([run], modules_of))
    return out


# A run log entry as the service writes it (versioned RunLogEntry, keys in this order, integers,
# strings without escapes): read by a regular expression, not parsed as JSON. The run log holds
# 10,000 entries and the actions use four fields of each; anything else (an older version's
# entry, an escape, a float) goes through run_log_entry, whose checks the pattern implies.
_INT = r'-?(?:0|[1-9][0-9]*)'  # a JSON integer
_LOG_LINE = re.compile(
    rf'^\{{"v":1,"p":(0|[1-9][0-9]*),"k":"([^"\\\n]*)","o":"([^"\\\n]*)","t":({_INT}),'
    rf'"z":(?:{_INT}|null),"h":(?:"[^"\\\n]*"|null),"at":{_INT}\}}$', re.M)


def run_log_runs(log_raw):
    """Raw run log entries (newest first) -> [(plan id, run key, outcome, start)] of the usable
    ones, newest first: one pass of _LOG_LINE over all of them when every entry is as the service
    writes it, else entry by entry."""
    log_raw = log_raw or []
    joined = '\n'.join(log_raw)
    found = _LOG_LINE.findall(joined)
    if len(found) == len(log_raw) and joined.count('\n') == len(found) - 1:
        return [(int(p), k, o, int(t)) for p, k, o, t in found]
    out = []
    for raw in log_raw:
        m = _LOG_LINE.fullmatch(raw) if '\n' not in raw else None
        if m:
            out.append((int(m[1]), m[2], m[3], int(m[4])))
            continue
        e = run_log_entry(raw)
        if e is not None:
            out.append((e['plan_id'], e['run_key'], e['outcome'], e['start']))
    return out


def run_log_entry(raw):
    """One module/<id>/runlog entry (src/digest/run-log.ts RunLogEntry) -> snake_case, or None."""
    e = loads(raw)
    if not _ours(e) or not isinstance(e.get('p'), int) or isinstance(e.get('p'), bool) \
            or not isinstance(e.get('k'), str) or not isinstance(e.get('o'), str) \
            or _whole(e.get('t')) is None or _whole(e.get('at')) is None:
        return None
    verdict = e.get('h')
    return {'plan_id': e['p'], 'run_key': e['k'], 'outcome': e['o'], 'start': _whole(e['t']),
            'size': _whole(e.get('z')), 'verdict': verdict if isinstance(verdict, str) else None,
            'decided_at': _whole(e['at'])}


def queue_runs(pipe, module_id):
    """Adds the reads of every run the service decided, mailed or not: the per-plan recent runs
    (module/<id>/runs) and the run log (module/<id>/runlog). runs_from turns the answers into
    (summaries by plan id, log entries by plan id)."""
    k = keys(module_id)
    pipe.hgetall(k['runs'])
    pipe.lrange(k['runlog'], 0, RUN_LOG_MAX - 1)


def runs_from(runs_hash, log_raw, modules_of=None):
    """-> ({plan id: [run summary, newest first]}, {plan id: [(run start, outcome), newest first]});
    a run decided again (an update) is in the log twice: the newest entry of a run key wins.
    `modules_of`: as run_summaries'."""
    summaries = {int(pid): run_summaries(raw, modules_of) for pid, raw in (runs_hash or {}).items()
                 if str(pid).isdigit()}
    log, seen = {}, set()
    for pid, key, outcome, start in run_log_runs(log_raw):
        if key in seen:
            continue
        seen.add(key)
        log.setdefault(pid, []).append((start, outcome))
    return summaries, log


TREND_RUNS = 30  # src/trends/lines.ts
_WHOLE_OR_NONE = {int, type(None)}


def _line_ok(a, runs):
    if not isinstance(a, dict) or not isinstance(a.get('id'), str) or not a['id'] or not isinstance(a.get('name'), str):
        return False
    state, sizes, seconds = a.get('state'), a.get('sizes'), a.get('seconds')
    if not isinstance(state, str) or len(state) != runs or state.strip('sf-'):
        return False
    for values in (sizes, seconds):
        if not isinstance(values, list) or len(values) != runs or not {type(v) for v in values} <= _WHOLE_OR_NONE \
                or any(v < 0 for v in values if v is not None):
            return False
    return True


def trend_lines(raw):
    """A module/<id>/trends field (src/trends/lines.ts TrendLines: the plan's runs [start, run key,
    outcome] oldest first, one line per application) -> the record, or None when it cannot be used
    (the plan is then computed from the runs, the run log and the reports, as lines.ts's guard does)."""
    value = loads(raw)
    if not _ours(value):
        return None
    runs, apps = value.get('runs'), value.get('apps')
    if not isinstance(runs, list) or len(runs) > TREND_RUNS or not isinstance(apps, list):
        return None
    for r in runs:
        if not isinstance(r, list) or len(r) != 3 or type(r[0]) is not int or not isinstance(r[1], str) \
                or not isinstance(r[2], str):
            return None
    return value if all(_line_ok(a, len(runs)) for a in apps) else None


def trend_lines_from(lines_hash):
    """HGETALL module/<id>/trends -> {plan id: usable record}."""
    out = {}
    for pid, raw in (lines_hash or {}).items():
        record = trend_lines(raw) if str(pid).isdigit() else None
        if record is not None:
            out[int(pid)] = record
    return out


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


# A delivery's states (src/domain/records.ts DeliveryState): 'skipped' = the channel was not meant
# to carry the report (email, when only other channels take it, issue #22).
DELIVERY_STATUSES = ('pending', 'sent', 'failed', 'skipped')


def delivery_of(report):
    """A stored report's email delivery: `delivery`, which the service writes beside the per-channel
    `deliveries` (issue #22) and which wins where they differ (src/domain/records.ts deliveriesOf)."""
    report = report if isinstance(report, dict) else {}
    d = report.get('delivery')
    if not isinstance(d, dict):
        d = (report.get('deliveries') or {}).get('email') if isinstance(report.get('deliveries'), dict) else None
    return d if isinstance(d, dict) else {}


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
        'delivery': delivery_summary(delivery_of(report)),
    }


def report_detail(rid, report):
    """The whole stored report for get-report; run and deliveries in snake_case."""
    raw = delivery_of(report)
    delivery = delivery_summary(raw)
    # Issue #24: typed as the output schema says, whatever a hand-edited record holds.
    delivery['next_attempt_at'] = _whole(raw.get('nextAttemptAt'))
    delivery['last_error_code'] = raw.get('lastErrorCode') if isinstance(raw.get('lastErrorCode'), str) else None
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
        # Issue #22: the other channels' deliveries, as list-reports shows them.
        'channels': _with_next_attempt(channel_rows(channels_of(report)), report),
    }


def _with_next_attempt(rows, report):
    """Each channel row + its next_attempt_at (unix ms), so the report window says when a waiting
    channel tries again; the history index does not keep it."""
    deliveries = report.get('deliveries') if isinstance(report.get('deliveries'), dict) else {}
    for row in rows:
        d = deliveries.get(row['channel'])
        row['next_attempt_at'] = _whole(d.get('nextAttemptAt')) if isinstance(d, dict) else None
    return rows


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def channels_of(report):
    """Each channel's delivery besides email, as the index keeps it (src/domain/report-index.ts
    channelsOf): channel -> status, attempts, sentAt, lastError, lastErrorCode."""
    deliveries = report.get('deliveries') if isinstance(report.get('deliveries'), dict) else {}
    return {ch: {k: d.get(k) for k in ('status', 'attempts', 'sentAt', 'lastError', 'lastErrorCode')}
            for ch, d in sorted(deliveries.items()) if ch != 'email' and isinstance(d, dict)}


def channel_rows(channels):
    """An index entry's `channels` -> the actions' snake_case rows, by channel name."""
    channels = channels if isinstance(channels, dict) else {}
    return [{
        'channel': str(ch),
        'status': d.get('status') if d.get('status') in DELIVERY_STATUSES else 'pending',
        'attempts': _int(d.get('attempts')),
        'sent_at': _int(d.get('sentAt'), None),
        'last_error': d.get('lastError') if isinstance(d.get('lastError'), str) else None,
        'last_error_code': d.get('lastErrorCode') if isinstance(d.get('lastErrorCode'), str) else None,
    } for ch, d in sorted(channels.items()) if isinstance(d, dict)]


def index_entry(report):
    """A stored report -> its history index entry (src/domain/report-index.ts indexEntry)."""
    run = report.get('run') if isinstance(report.get('run'), dict) else {}
    d = delivery_of(report)
    return {
        'createdAt': report.get('createdAt'), 'reason': report.get('reason'),
        'planId': run.get('planId'), 'planName': run.get('planName'), 'outcome': run.get('outcome'),
        'start': run.get('start'), 'end': run.get('end'), 'subject': report.get('subject'),
        'delivery': {k: d.get(k) for k in ('status', 'attempts', 'sentAt', 'recipients', 'lastError')},
        'channels': channels_of(report),
        'modules': [{
            'id': m.get('moduleId'), 'name': m.get('uiName'), 'result': m.get('result'),
            'size': _number(m.get('totalSize')), 'start': _number(m.get('start')), 'end': _number(m.get('end')),
        } for m in run.get('modules') or [] if isinstance(m, dict)],
    }


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400 read as infinity
        return default


def history_row(rid, entry):
    """An index entry -> one normalized history row (snake_case); None when it cannot be read."""
    if not isinstance(entry, dict):
        return None
    d = entry.get('delivery') if isinstance(entry.get('delivery'), dict) else {}
    start = _number(entry.get('start'))
    end = _number(entry.get('end'))
    return {
        'id': rid,
        'created_at': _int(entry.get('createdAt')),
        'plan_id': _int(entry.get('planId')),
        'plan_name': str(entry.get('planName') or ''),
        'outcome': str(entry.get('outcome') or 'MISSING'),
        'reason': str(entry.get('reason') or ''),
        'subject': str(entry.get('subject') or ''),
        'run_start': int(start) if start is not None else None,
        'run_end': int(end) if end is not None else None,
        'delivery': {
            'status': d.get('status') if d.get('status') in DELIVERY_STATUSES else 'pending',
            'attempts': _int(d.get('attempts')),
            'sent_at': _int(d.get('sentAt'), None),
            'recipients': [str(x) for x in d.get('recipients') or []],
            'last_error': d.get('lastError') if isinstance(d.get('lastError'), str) else None,
        },
        'channels': channel_rows(entry.get('channels')),
        'modules': [m for m in entry.get('modules') or [] if isinstance(m, dict)],
    }


def rows_from_index(rdb, module_id, ids, raw):
    """report id -> history row for `ids`, given their raw index entries (`raw`: id -> JSON text
    or None); the reports the index lacks (written by an older version: the service adds them at
    its next start) are read in full, in one more round trip."""
    entries = {rid: loads(v) for rid, v in raw.items() if v is not None}
    for rid, report in read_reports(rdb, module_id, [rid for rid in ids if raw.get(rid) is None]).items():
        entries[rid] = index_entry(report)
    rows = {rid: history_row(rid, entries.get(rid)) for rid in ids}
    return {rid: row for rid, row in rows.items() if row is not None}


def read_rows(rdb, module_id, ids):
    """report id -> history row for the given ids, from the index."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    return rows_from_index(rdb, module_id, ids, dict(zip(ids, rdb.hmget(keys(module_id)['index'], ids))))


def queue_history(pipe, module_id):
    """Adds the two reads of the whole history (its ids, newest first, and the index, whose
    entries the service drops with the ids it trims) to `pipe`: they travel in the same round
    trip as whatever else the action reads. rows_from_history turns their answers into rows."""
    k = keys(module_id)
    pipe.lrange(k['history'], 0, -1)
    pipe.hgetall(k['index'])


def rows_from_history(rdb, module_id, ids, index, now=None):
    """Every report of the history as a row, newest first. Reports past their 180-day lifetime
    are left out: their stored copy is gone. A row's per-application list is most of its entry
    and few rows are drawn: it is parsed when asked for (history.row_modules), from `entry`; until
    then `modules` is None."""
    ids = list(dict.fromkeys(ids))
    heads = {rid: entry_head(index.get(rid)) for rid in ids}
    rows = rows_from_index(rdb, module_id, ids, heads)
    for rid, row in rows.items():
        if heads[rid] is not index.get(rid):
            row['modules'], row['entry'] = None, index[rid]
    oldest = ((now or time.time()) - REPORT_TTL_SECONDS) * 1000
    return [rows[rid] for rid in ids if rid in rows and rows[rid]['created_at'] >= oldest]


def read_history(rdb, module_id, now=None):
    """Every report of the history as a row, newest first, in 1 round trip (+1 for reports the
    index lacks)."""
    pipe = rdb.pipeline(transaction=False)
    queue_history(pipe, module_id)
    ids, index = pipe.execute()
    return rows_from_history(rdb, module_id, ids, index, now)


HEAD_CHUNK = 100  # index entries per HMGET of a filtered scan


def entry_head(raw):
    """An index entry's JSON without its per-application list, which comes last (the service's
    indexEntry and index_entry above write it last): a list row never needs it, and parsing it
    is most of the cost on a plan of hundreds of applications. The whole entry when it is not last."""
    if raw is None:
        return None
    at = raw.find('"modules":')
    if at < 0:
        return raw
    head = raw[:at].rstrip().rstrip(',') + '}'
    return head if loads(head) is not None else raw


def read_heads(rdb, module_id, ids):
    """report id -> history row without modules, for `ids`, from the index in chunks."""
    rows = {}
    for i in range(0, len(ids), HEAD_CHUNK):
        chunk = ids[i:i + HEAD_CHUNK]
        raw = {rid: entry_head(v) for rid, v in zip(chunk, rdb.hmget(keys(module_id)['index'], chunk))}
        rows.update(rows_from_index(rdb, module_id, chunk, raw))
    return rows


def facets_from(raw):
    """module/<id>/facets (src/domain/report-index.ts) -> (plans, outcomes) for the filters;
    None when the service has not written them yet (a history from an older version or a
    restore, until the service's next start)."""
    if not raw:
        return None
    plans, outcomes = {}, []
    for field, count in raw.items():
        kind, _, name = field.partition('/')
        if _int(count) <= 0:
            continue
        if kind == 'plan' and name.isdigit():
            plans[int(name)] = str(raw.get(f'plan-name/{name}') or '')
        elif kind == 'outcome' and name:
            outcomes.append(name)
    return [{'id': pid, 'name': name} for pid, name in sorted(plans.items())], sorted(outcomes)


def read_list_page(rdb, module_id, q, now=None):
    """list-reports without reading the whole index: the filters' choices come from the facets;
    without a filter, the page's ids are an LRANGE and their entries one HMGET (2 round trips);
    with one, the history's entries are scanned in chunks of HEAD_CHUNK, their per-application
    lists never parsed (bounded by the history's 500 reports / 16 MiB)."""
    k = keys(module_id)
    first = (q['page'] - 1) * q['per_page']
    pipe = rdb.pipeline(transaction=False)
    pipe.hgetall(k['facets'])
    if filtered(q):
        pipe.lrange(k['history'], 0, -1)
    else:
        pipe.llen(k['history'])
        pipe.lrange(k['history'], first, first + q['per_page'] - 1)
    facets, *answers = pipe.execute()
    choices = facets_from(facets)
    if choices is None:
        return list_page(read_history(rdb, module_id, now), q)
    oldest = ((now or time.time()) - REPORT_TTL_SECONDS) * 1000
    ids = list(dict.fromkeys(answers[-1]))
    heads = read_heads(rdb, module_id, ids)
    rows = [heads[rid] for rid in ids if rid in heads and heads[rid]['created_at'] >= oldest]
    if not filtered(q):
        # The service drops entries whose report expired with its next report: LLEN counts them.
        return page_result(q, rows, answers[0], answers[0], *choices)
    hits = [r for r in rows if matches(r, q)]
    return page_result(q, hits[first:first + q['per_page']], len(hits), len(rows), *choices)


def plan_ids(rdb):
    """Ids of the cluster's backup plans, found with SCAN as NS8's list-backups does: the cost
    follows the plans that exist, not cluster/backup_sequence (ids of removed plans are never
    reused)."""
    return sorted({int(key.rsplit('/', 1)[1]) for key in rdb.scan_iter(match='cluster/backup/*', count=1000)
                   if key.rsplit('/', 1)[1].isdigit()})


def queue_plans(pipe, ids):
    for pid in ids:
        pipe.hgetall(f'cluster/backup/{pid}')


def plans_from(ids, hashes):
    """[(plan id, plan hash)] by id; a plan removed meanwhile (empty hash) is left out."""
    return [(pid, h) for pid, h in zip(ids, hashes) if h]


def read_plans(rdb):
    """[(plan id, plan hash)] by id (NS8.md §1.2)."""
    ids = plan_ids(rdb)
    if not ids:
        return []
    pipe = rdb.pipeline(transaction=False)
    queue_plans(pipe, ids)
    return plans_from(ids, pipe.execute())
