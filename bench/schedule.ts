// SPDX-License-Identifier: GPL-3.0-or-later
// How long the watchdog's schedule maths takes per plan: parse + previousRun, for the NS8
// expressions, on a normal day and on DST-change days. Run: node --import tsx bench/schedule.ts
import { parseCalendar, isCalendarError, previousRun } from '../src/schedule/index.js';

const EXPRESSIONS = [
  '*-*-* 01:30:00',
  'Sun *-*-* 03:00:00',
  '*-*-* *:15:00',
  '*-*-31 02:30:00',
  'Mon..Fri *-*-* 22:00:00',
  'minutely',
  '*-02-29 00:00',
];
const BEFORE = [new Date('2026-08-09T12:00:00Z'), new Date('2026-10-25T01:45:00Z'), new Date('2027-03-28T12:00:00Z')];
const N = 2000;

for (const expr of EXPRESSIONS) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const cal = parseCalendar(expr);
    if (isCalendarError(cal)) throw new Error(cal.error);
    previousRun(cal, BEFORE[i % BEFORE.length]!, 'Europe/Rome');
  }
  const us = ((performance.now() - t0) / N) * 1000;
  console.log(`${expr.padEnd(26)} ${us.toFixed(1).padStart(8)} µs per parse+previousRun`);
}
