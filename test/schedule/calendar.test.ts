// SPDX-License-Identifier: GPL-3.0-or-later
// Parser: what NS8 plans contain is accepted; anything else is refused with a reason, never guessed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCalendar, isCalendarError, type Calendar } from '../../src/schedule/index.js';

const ok = (expr: string): Calendar => {
  const c = parseCalendar(expr);
  if (isCalendarError(c)) assert.fail(`${expr}: ${c.error}`);
  return c;
};

test('NS8 UI schedules (NS8.md §9.1) parse to the right fields', () => {
  const hourly = ok('*-*-* *:15:00');
  assert.equal(hourly.hours.length, 24);
  assert.deepEqual([hourly.minutes, hourly.seconds], [[15], [0]]);
  const daily = ok('*-*-* 01:30:00');
  assert.deepEqual([daily.hours, daily.minutes, daily.weekdays], [[1], [30], null]);
  const weekly = ok('Sun *-*-* 03:00:00');
  assert.deepEqual([...weekly.weekdays!], [0]);
  const monthly = ok('*-*-01 02:00:00');
  assert.deepEqual([...monthly.days], [1]);
  assert.equal(monthly.months.size, 12);
});

test('systemd shorthands expand as systemd.time(7) says', () => {
  assert.deepEqual(ok('weekly').weekdays, new Set([1]));
  assert.deepEqual([...ok('quarterly').months], [1, 4, 7, 10]);
  assert.deepEqual([...ok('semiannually').months], [1, 7]);
  assert.deepEqual([...ok('annually').months], [1]);
  assert.deepEqual([...ok('Yearly').days], [1]);
  assert.equal(ok('minutely').minutes.length, 60);
  assert.deepEqual(ok('hourly').minutes, [0]);
  assert.deepEqual(ok('daily').hours, [0]);
  assert.deepEqual([...ok('monthly').days], [1]);
});

test('lists, ranges and repetitions in every field', () => {
  assert.deepEqual([...ok('Mon..Fri *-*-* 22:00:00').weekdays!].sort(), [1, 2, 3, 4, 5]);
  assert.deepEqual([...ok('Sat,Sun 10:00').weekdays!].sort(), [0, 6]);
  assert.deepEqual([...ok('mon..wed,Friday 00:00').weekdays!].sort(), [1, 2, 3, 5]);
  assert.deepEqual(ok('*-*-* 00/6:00:00').hours, [0, 6, 12, 18]);
  assert.deepEqual(ok('*:10..40/10').minutes, [10, 20, 30, 40]);
  assert.deepEqual(ok('*-*-* 01,13:00').hours, [1, 13]);
  assert.deepEqual([...ok('*-*-29/2').days], [29, 31]);
  assert.deepEqual([...ok('Mon *-*-1..7 00:00').days], [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual([...ok('2026-*-* 00:00').years!], [2026]);
  assert.deepEqual([...ok('26-01-01').years!], [2026]);
  assert.deepEqual(ok('1:2').hours.concat(ok('1:2').minutes, ok('1:2').seconds), [1, 2, 0]);
});

test('a time zone written in the expression is kept', () => {
  assert.equal(ok('Sun *-*-* 03:00:00 UTC').timeZone, 'UTC');
  assert.equal(ok('3:00 Europe/Rome').timeZone, 'Europe/Rome');
  assert.equal(ok('*-*-* 03:00:00').timeZone, null);
});

test('unknown or unsupported syntax is refused with a reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['*:*/15', /bad minute "\*\/15"/],
    ['Sun..Mon 10:00', /wraps around the week/],
    ['*-*~01', /cannot read "\*-\*~01"/],
    ['@1700000000', /cannot read/],
    ['*-*-* 24:00', /hour "24" out of range/],
    ['*-*-* 1:2:3.5', /fractional seconds/],
    ['today', /unknown weekday "today"/],
    ['Funday 10:00', /unknown weekday/],
    ['*-*-* 03:00 Mars/Olympus', /unknown time zone "Mars\/Olympus"/],
    ['*-13-01', /month "13" out of range/],
    ['*-*-* 5..3:00', /hour "5..3" out of range/],
    ['*-*-* 03:00 04:00', /cannot read "04:00"/],
  ];
  for (const [expr, why] of cases) {
    const c = parseCalendar(expr);
    assert.ok(isCalendarError(c), `${expr} should be refused`);
    assert.match(c.error, why, expr);
  }
});
