// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: parses the systemd OnCalendar subset NS8 plans use (NS8.md §9.1) into a Calendar.
// Anything outside the subset is refused with a reason instead of guessed: a wrong guess would
// report MISSING runs that never were due (or hide real ones). Refused on purpose:
// `~` (last days of the month), fractional seconds, `@epoch`, `*/n` (systemd refuses it too),
// weekday ranges that wrap (`Sun..Mon`, also refused by systemd).

export interface Calendar {
  /** The expression as written in the plan. */
  source: string;
  /** Allowed values; weekdays 0 = Sunday, null = any day of the week. */
  weekdays: ReadonlySet<number> | null;
  years: ReadonlySet<number> | null;
  months: ReadonlySet<number>;
  days: ReadonlySet<number>;
  /** Sorted ascending. */
  hours: readonly number[];
  minutes: readonly number[];
  seconds: readonly number[];
  /** Zone written in the expression (`... UTC`, `... Europe/Rome`), else null: node-local time. */
  timeZone: string | null;
}

export interface CalendarError {
  error: string;
}

/** systemd's shorthands (systemd.time(7), "Calendar Events"). */
const SHORTHANDS: Record<string, string> = {
  minutely: '*-*-* *:*:00',
  hourly: '*-*-* *:00:00',
  daily: '*-*-* 00:00:00',
  monthly: '*-*-01 00:00:00',
  weekly: 'Mon *-*-* 00:00:00',
  yearly: '*-01-01 00:00:00',
  annually: '*-01-01 00:00:00',
  quarterly: '*-01,04,07,10-01 00:00:00',
  semiannually: '*-01,07-01 00:00:00',
};

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAY_FULL = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

class Refused extends Error {}
const refuse = (msg: string): never => {
  throw new Refused(msg);
};

export function parseCalendar(expr: string): Calendar | CalendarError {
  const source = expr;
  const text = expr.trim();
  if (text === '') return { error: 'empty schedule' };
  try {
    const expanded = SHORTHANDS[text.toLowerCase()] ?? text;
    return { source, ...parseTokens(expanded.split(/\s+/)) };
  } catch (e) {
    if (e instanceof Refused) return { error: `unsupported schedule ${JSON.stringify(source)}: ${e.message}` };
    throw e;
  }
}

export const isCalendarError = (c: Calendar | CalendarError): c is CalendarError => 'error' in c;

function parseTokens(tokens: string[]): Omit<Calendar, 'source'> {
  const rest = [...tokens];
  let weekdays: Set<number> | null = null;
  let timeZone: string | null = null;
  if (rest.length > 0 && /^[A-Za-z]/.test(rest[0]!)) weekdays = parseWeekdays(rest.shift()!);
  const last = rest[rest.length - 1];
  if (last !== undefined && /^[A-Za-z]/.test(last)) timeZone = parseZone(rest.pop()!);
  let date: Pick<Calendar, 'years' | 'months' | 'days'> = { years: null, months: range(1, 12), days: range(1, 31) };
  let time = { hours: [0], minutes: [0], seconds: [0] };
  let sawDate = false;
  let sawTime = false;
  for (const tok of rest) {
    if (tok.includes(':') && !sawTime) {
      time = parseTime(tok);
      sawTime = true;
    } else if (/^[\d*.,/]+(-[\d*.,/]+){1,2}$/.test(tok) && !sawDate && !sawTime) {
      date = parseDate(tok);
      sawDate = true;
    } else refuse(`cannot read ${JSON.stringify(tok)}`);
  }
  if (weekdays === null && !sawDate && !sawTime) refuse('no date, time or weekday');
  return { weekdays, ...date, ...time, timeZone };
}

function parseZone(tok: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tok });
  } catch {
    refuse(`unknown time zone ${JSON.stringify(tok)}`);
  }
  return tok;
}

function weekdayIndex(name: string): number {
  const n = name.toLowerCase();
  const i = n.length === 3 ? WEEKDAYS.indexOf(n) : WEEKDAY_FULL.indexOf(n);
  if (i < 0) refuse(`unknown weekday ${JSON.stringify(name)}`);
  return i;
}

function parseWeekdays(tok: string): Set<number> {
  const out = new Set<number>();
  for (const item of tok.split(',')) {
    const [a, b, extra] = item.split('..');
    if (extra !== undefined || a === undefined || a === '') refuse(`bad weekday list ${JSON.stringify(tok)}`);
    // systemd orders weekdays Monday first, so Sun..Mon wraps and is refused.
    const monFirst = (i: number) => (i + 6) % 7;
    const from = monFirst(weekdayIndex(a!));
    const to = b === undefined ? from : monFirst(weekdayIndex(b));
    if (to < from) refuse(`weekday range ${JSON.stringify(item)} wraps around the week`);
    for (let i = from; i <= to; i++) out.add((i + 1) % 7);
  }
  return out;
}

function parseDate(tok: string): Pick<Calendar, 'years' | 'months' | 'days'> {
  const parts = tok.split('-');
  const [y, m, d] = parts.length === 3 ? parts : ['*', ...parts];
  return {
    years: y === '*' ? null : new Set(parseField(y!, 0, 2199, 'year').map(fullYear)),
    months: new Set(parseField(m!, 1, 12, 'month')),
    days: new Set(parseField(d!, 1, 31, 'day')),
  };
}

/** systemd reads two-digit years as 1970-2069. */
const fullYear = (y: number) => (y >= 100 ? y : y < 70 ? 2000 + y : 1900 + y);

function parseTime(tok: string): { hours: number[]; minutes: number[]; seconds: number[] } {
  const parts = tok.split(':');
  if (parts.length < 2 || parts.length > 3) refuse(`bad time ${JSON.stringify(tok)}`);
  const [h, m, s = '00'] = parts;
  if (s.includes('.')) refuse('fractional seconds');
  return {
    hours: parseField(h!, 0, 23, 'hour'),
    minutes: parseField(m!, 0, 59, 'minute'),
    seconds: parseField(s, 0, 59, 'second'),
  };
}

/** `*`, `N`, `N..M`, `N/S`, `N..M/S` and comma lists of them; sorted unique values. */
function parseField(text: string, min: number, max: number, what: string): number[] {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|\d+)(?:\.\.(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!m) return refuse(`bad ${what} ${JSON.stringify(item)}`);
    const [, a, b, step] = m;
    if (a === '*' && (b !== undefined || step !== undefined)) refuse(`bad ${what} ${JSON.stringify(item)}`);
    const from = a === '*' ? min : Number(a);
    const to = b !== undefined ? Number(b) : a === '*' || step !== undefined ? max : from;
    const by = step !== undefined ? Number(step) : 1;
    if (from < min || to > max || from > to || by < 1)
      refuse(`${what} ${JSON.stringify(item)} out of range ${min}..${max}`);
    for (let v = from; v <= to; v += by) out.add(v);
  }
  return [...out].sort((x, y) => x - y);
}

function range(from: number, to: number): Set<number> {
  const s = new Set<number>();
  for (let v = from; v <= to; v++) s.add(v);
  return s;
}
