# SPDX-License-Identifier: GPL-3.0-or-later
"""Whether the service can read a systemd OnCalendar expression: the grammar of
src/schedule/calendar.ts parseCalendar, for the actions' validation (maintenance windows, issue #24).

Both run the same cases (test/fixtures/oncalendar.json: the service in
test/schedule/oncalendar-vectors.test.ts, this module in test/imageroot/oncalendar_vectors.py), so
an expression the action accepts is one the service evaluates. Only acceptance is decided here;
the service computes the times.
"""

import re
import zoneinfo

SHORTHANDS = {
    'minutely': '*-*-* *:*:00',
    'hourly': '*-*-* *:00:00',
    'daily': '*-*-* 00:00:00',
    'monthly': '*-*-01 00:00:00',
    'weekly': 'Mon *-*-* 00:00:00',
    'yearly': '*-01-01 00:00:00',
    'annually': '*-01-01 00:00:00',
    'quarterly': '*-01,04,07,10-01 00:00:00',
    'semiannually': '*-01,07-01 00:00:00',
}
WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
WEEKDAY_FULL = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
DATE = re.compile(r'^[\d*.,/]+(-[\d*.,/]+){1,2}\Z', re.ASCII)
ITEM = re.compile(r'^(\*|\d+)(?:\.\.(\d+))?(?:/(\d+))?\Z', re.ASCII)


class Refused(Exception):
    pass


def problem(expr):
    """None when the service reads `expr`, else why not (the service's words)."""
    text = (expr or '').strip()
    if text == '':
        return 'empty schedule'
    try:
        _tokens(SHORTHANDS.get(text.lower(), text).split())
    except Refused as err:
        return f'unsupported schedule {_quote(expr)}: {err}'
    return None


def _quote(s):
    import json
    return json.dumps(s, ensure_ascii=False)


def _tokens(tokens):
    """The expression's fields: {weekdays (Monday = 0) or None, years or None, months, days,
    seconds of the day}; a missing date is every day, a missing time midnight (as systemd)."""
    rest = list(tokens)
    out = {'weekdays': None, 'years': None, 'months': set(range(1, 13)), 'days': set(range(1, 32)), 'seconds': [0]}
    weekdays = False
    if rest and rest[0][:1].isascii() and rest[0][:1].isalpha():
        out['weekdays'] = _weekdays(rest.pop(0))
        weekdays = True
    if rest and rest[-1][:1].isascii() and rest[-1][:1].isalpha():
        _zone(rest.pop())
    saw_date = saw_time = False
    for tok in rest:
        if ':' in tok and not saw_time:
            out['seconds'] = _time(tok)
            saw_time = True
        elif DATE.match(tok) and not saw_date and not saw_time:
            out['years'], out['months'], out['days'] = _date(tok)
            saw_date = True
        else:
            raise Refused(f'cannot read {_quote(tok)}')
    if not weekdays and not saw_date and not saw_time:
        raise Refused('no date, time or weekday')
    return out


_ZONES = None


def _zone(tok):
    # Intl.DateTimeFormat (the service) reads IANA names whatever their case, and UTC.
    global _ZONES
    if _ZONES is None:
        _ZONES = {z.lower() for z in zoneinfo.available_timezones()} | {'utc'}
    if tok.lower() not in _ZONES:
        raise Refused(f'unknown time zone {_quote(tok)}')


def _weekday_index(name):
    n = name.lower()
    table = WEEKDAYS if len(n) == 3 else WEEKDAY_FULL
    if n not in table:
        raise Refused(f'unknown weekday {_quote(name)}')
    return table.index(n)


def _weekdays(tok):
    out = set()
    for item in tok.split(','):
        parts = item.split('..')
        if len(parts) > 2 or parts[0] == '':
            raise Refused(f'bad weekday list {_quote(tok)}')
        first = (_weekday_index(parts[0]) + 6) % 7  # systemd orders weekdays Monday first
        last = first if len(parts) == 1 else (_weekday_index(parts[1]) + 6) % 7
        if last < first:
            raise Refused(f'weekday range {_quote(item)} wraps around the week')
        out.update(range(first, last + 1))
    return out


def _date(tok):
    parts = tok.split('-')
    y, m, d = parts if len(parts) == 3 else ['*', *parts]
    years = _field(y, 0, 2199, 'year') if y != '*' else None
    return years, _field(m, 1, 12, 'month'), _field(d, 1, 31, 'day')


def _time(tok):
    parts = tok.split(':')
    if len(parts) < 2 or len(parts) > 3:
        raise Refused(f'bad time {_quote(tok)}')
    h, m, s = (parts + ['00'])[:3]
    if '.' in s:
        raise Refused('fractional seconds')
    hours, minutes, seconds = _field(h, 0, 23, 'hour'), _field(m, 0, 59, 'minute'), _field(s, 0, 59, 'second')
    return sorted(3600 * a + 60 * b + c for a in hours for b in minutes for c in seconds)


def _field(text, low, high, what):
    out = set()
    for item in text.split(','):
        m = ITEM.match(item)
        if not m or not item.isascii():
            raise Refused(f'bad {what} {_quote(item)}')
        a, b, step = m.groups()
        if a == '*' and (b is not None or step is not None):
            raise Refused(f'bad {what} {_quote(item)}')
        first = low if a == '*' else int(a)
        last = int(b) if b is not None else high if a == '*' or step is not None else first
        by = int(step) if step is not None else 1
        if first < low or last > high or first > last or by < 1:
            raise Refused(f'{what} {_quote(item)} out of range {low}..{high}')
        out.update(range(first, last + 1, by))
    return out


# The service looks this far for a calendar's previous and next match (src/schedule/runs.ts SEARCH_DAYS).
SEARCH_DAYS = 366 * 30


def window_problem(expr, duration_seconds, today):
    """A maintenance window (issue #24) that can never hold anything, or holds everything forever
    (hostile round H8): 'window_never_opens' when `expr` matches no day from `today` (a date) on
    within the service's search, 'window_always_open' when its openings are never further apart
    than `duration_seconds`; else None. Wall-clock days: a DST hour does not change either answer
    for any window that opens and closes. `expr` must be one problem() accepts."""
    import datetime
    text = expr.strip()
    cal = _tokens(SHORTHANDS.get(text.lower(), text).split())
    days = []
    for n in range(SEARCH_DAYS):
        d = today + datetime.timedelta(days=n)
        if (cal['years'] is None or d.year in cal['years']) and d.month in cal['months'] and d.day in cal['days'] \
                and (cal['weekdays'] is None or d.weekday() in cal['weekdays']):
            days.append(n)
            if len(days) > 400:  # over a year of matches: the gaps between days are known
                break
    if not days:
        return 'window_never_opens'
    secs = cal['seconds']
    gaps = [b - a for a, b in zip(secs, secs[1:])]
    gaps += [(b - a) * 86400 + secs[0] - secs[-1] for a, b in zip(days, days[1:])]
    if len(days) > 1 and max(gaps) <= duration_seconds:
        return 'window_always_open'
    return None
