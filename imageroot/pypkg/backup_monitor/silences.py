# SPDX-License-Identifier: GPL-3.0-or-later
"""Acknowledged and snoozed plans (issue #24): module/<id>/silences, HASH plan id -> JSON.

The shape is src/notify/silence.ts `Silence`: {v, acknowledged: {by, at, comment, outcome,
failing} | null, snoozed: {by, at, comment, until, untilSuccess} | null}; times in unix s. The
actions write it; the service reads it and removes what ended (a recovery, a changed failure, a
snooze's end).

`by` is the cluster-admin user that ran the action: NS8's agent gives every action step
AGENT_TASK_USER (ns8-core core/agent/htask.go, from the task's `user`), which the API server sets
from the caller's JWT `id` claim (core/api-server/methods/tasks.go). Empty when a task carries no
user (e.g. started by another agent): the page then says "from the admin page".
"""

import json
import os

from backup_monitor.records import RECORD_VERSION, loads

MAX_SNOOZE_SECONDS = 30 * 24 * 3600
MAX_COMMENT = 500
PROBLEMS = ('WARNING', 'PARTIAL', 'REPO_FAILURE', 'MISSING')  # src/domain/outcome.ts: not SUCCESS


def key(module_id):
    return f'module/{module_id}/silences'


def user():
    return os.environ.get('AGENT_TASK_USER', '')


def _error(field, value, code):
    return {'field': field, 'parameter': field, 'value': value, 'error': code}


def failing_apps(fingerprint):
    """Module ids not saved, from a plan state's `lastDigest` ("PARTIAL,a=success,b=failed")."""
    parts = (fingerprint or '').split(',')[1:]
    return sorted(p.split('=', 1)[0] for p in parts if '=' in p and p.split('=', 1)[1] != 'success')


def acknowledgement(state, comment, now):
    """(record, errors) for acknowledging a plan whose last reported state is `state` (dict or None)."""
    if not isinstance(state, dict) or state.get('lastOutcome') not in PROBLEMS:
        return None, [_error('plan_id', state.get('planId') if isinstance(state, dict) else None, 'plan_not_failing')]
    return {'by': user(), 'at': now, 'comment': comment, 'outcome': state['lastOutcome'],
            'failing': failing_apps(state.get('lastDigest'))}, []


def snooze(request, now):
    """(record, errors) for a snooze-plan request: until a time (at most 30 days) or the next success."""
    until = request.get('until')
    until_success = bool(request.get('until_success'))
    if until is None and not until_success:
        return None, [_error('until', until, 'snooze_without_end')]
    if until is not None and until <= now:
        return None, [_error('until', until, 'snooze_in_past')]
    if until is not None and until > now + MAX_SNOOZE_SECONDS:
        return None, [_error('until', until, 'snooze_too_long')]
    return {'by': user(), 'at': now, 'comment': request.get('comment', ''), 'until': until,
            'untilSuccess': until_success}, []


def write(rdb, module_id, plan_id, kind, value):
    """Sets (value) or clears (None) one kind of a plan's silence, leaving the other as it is."""
    k = key(module_id)
    with rdb.pipeline() as pipe:
        while True:
            try:
                pipe.watch(k)  # the service may remove an ended silence meanwhile
                record = loads(pipe.hget(k, str(plan_id)), {}) or {}
                record = {**record, 'v': RECORD_VERSION, kind: value}
                pipe.multi()
                if record.get('acknowledged') or record.get('snoozed'):
                    pipe.hset(k, str(plan_id), json.dumps(record))
                else:
                    pipe.hdel(k, str(plan_id))
                pipe.execute()
                return
            except Exception as err:  # redis.WatchError: try again with what is there now
                if type(err).__name__ != 'WatchError':
                    raise


def acknowledgement_holds(ack, state):
    """src/notify/silence.ts acknowledgementHolds, on the plan's last reported state."""
    if not isinstance(state, dict) or state.get('lastOutcome') != ack.get('outcome'):
        return False
    return set(failing_apps(state.get('lastDigest'))) <= set(ack.get('failing') or [])


def snooze_in_force(snoozed, now):
    until = snoozed.get('until')
    return until is None or now < until


def _ack_view(ack):
    return {'by': ack.get('by', ''), 'at': ack.get('at'), 'comment': ack.get('comment', ''),
            'outcome': ack.get('outcome'), 'applications': ack.get('failing') or []}


def _snooze_view(s):
    return {'by': s.get('by', ''), 'at': s.get('at'), 'comment': s.get('comment', ''),
            'until': s.get('until'), 'until_success': bool(s.get('untilSuccess'))}


def listing(raw_silences, raw_states, plan_names, now):
    """What is in force per plan, for list-silences: ended ones the service has not removed yet
    (no run or reminder since) are left out, as the service will."""
    out = []
    for field in sorted(raw_silences, key=lambda f: int(f) if str(f).isdigit() else 0):
        rec = loads(raw_silences[field], {})
        if not isinstance(rec, dict) or not str(field).isdigit():
            continue
        pid = int(field)
        if pid not in plan_names:  # a removed plan: nothing to silence any more
            continue
        state = loads(raw_states.get(field))
        ack, snoozed = rec.get('acknowledged'), rec.get('snoozed')
        item = {
            'plan_id': pid,
            'plan_name': plan_names.get(pid, ''),
            'acknowledged': _ack_view(ack) if isinstance(ack, dict) and acknowledgement_holds(ack, state) else None,
            'snoozed': _snooze_view(snoozed) if isinstance(snoozed, dict) and snooze_in_force(snoozed, now) else None,
        }
        if item['acknowledged'] or item['snoozed']:
            out.append(item)
    return out


# Maintenance windows (issue #24 item 3): module/<id>/maintenance, HASH window id -> JSON, the
# shape of src/notify/maintenance.ts `MaintenanceWindow`: {v, id, calendar, durationSeconds,
# planId (null: every plan), by, at, comment}. The service evaluates the calendar in the module's
# time zone, as the plans' schedules.
MIN_WINDOW_SECONDS = 60
MAX_WINDOW_SECONDS = 7 * 24 * 3600
# Every digest and the page list them all (hostile round H8: hundreds made a digest line of tens of KB).
MAX_WINDOWS = 50


def windows_key(module_id):
    return f'module/{module_id}/maintenance'


def maintenance_window(request, known_plans, now, new_id, stored=0):
    """(record, errors) for an add-maintenance-window request; `stored`: how many windows there are."""
    import datetime
    from backup_monitor import oncalendar
    calendar = request['calendar'].strip()
    duration = request['duration_seconds']
    plan_id = request.get('plan_id')
    if oncalendar.problem(calendar) is not None:
        return None, [_error('calendar', request['calendar'], 'calendar_not_understood')]
    if not MIN_WINDOW_SECONDS <= duration <= MAX_WINDOW_SECONDS:
        return None, [_error('duration_seconds', duration, 'window_length_out_of_range')]
    if plan_id is not None and plan_id not in known_plans:
        return None, [_error('plan_id', plan_id, 'unknown_plan')]
    # From yesterday: in the module's zone, today may still be yesterday in UTC.
    never = oncalendar.window_problem(calendar, duration, datetime.date.fromtimestamp(now - 86400))
    if never is not None:
        return None, [_error('calendar', request['calendar'], never)]
    if stored >= MAX_WINDOWS:
        return None, [_error('calendar', request['calendar'], 'too_many_windows')]
    return {'v': RECORD_VERSION, 'id': new_id, 'calendar': calendar, 'durationSeconds': duration,
            'planId': plan_id, 'by': user(), 'at': now, 'comment': request.get('comment', '')}, []


def window_view(w):
    return {'id': w.get('id', ''), 'calendar': w.get('calendar', ''), 'duration_seconds': w.get('durationSeconds'),
            'plan_id': w.get('planId'), 'by': w.get('by', ''), 'at': w.get('at'), 'comment': w.get('comment', '')}


def windows_listing(raw_windows):
    """Every stored window, by id; ones a hand edit or a newer version made unreadable are left out."""
    out = []
    for field in sorted(raw_windows):
        w = loads(raw_windows[field], {})
        if isinstance(w, dict) and isinstance(w.get('calendar'), str) and isinstance(w.get('durationSeconds'), int):
            out.append(window_view(w))
    return out
