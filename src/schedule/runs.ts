// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: when a Calendar fires, in a time zone, as systemd timers do (NS8.md §9.2).
import type { Calendar } from './calendar.js';
import { dayConverter, localDay } from './zone.js';

/** How far to look: enough for `*-02-29 Mon` style expressions (28-year cycle). */
const SEARCH_DAYS = 366 * 30;

/** The latest trigger time <= `before`, or null when the calendar never fired in the search window. */
export function previousRun(cal: Calendar, before: Date, timeZone: string): Date | null {
  const zone = cal.timeZone ?? timeZone;
  const limit = before.getTime();
  const start = localDay(zone, limit) + 1; // +1: a repeated DST hour can end on the next local day
  for (let day = start; day > start - SEARCH_DAYS; day--) {
    if (!dateMatches(cal, day)) continue;
    const conv = dayConverter(zone, day);
    for (const s of secondsOfDay(cal, -1, conv.maxSecondFor(limit))) {
      const t = conv.toInstant(s);
      if (t !== null && t <= limit) return new Date(t);
    }
  }
  return null;
}

/**
 * The first trigger time strictly after `after` (systemd's "next elapse"), or null. Both functions
 * see the same set of trigger times, that of a timer running continuously: in the hour repeated
 * after a DST fall-back nothing fires again (systemd fired those wall times in the first pass).
 */
export function nextRun(cal: Calendar, after: Date, timeZone: string): Date | null {
  const zone = cal.timeZone ?? timeZone;
  const limit = after.getTime();
  const start = localDay(zone, limit) - 1;
  for (let day = start; day < start + SEARCH_DAYS; day++) {
    if (!dateMatches(cal, day)) continue;
    const conv = dayConverter(zone, day);
    for (const s of secondsOfDay(cal, 1, conv.minSecondFor(limit))) {
      const t = conv.toInstant(s);
      if (t !== null && t > limit) return new Date(t);
    }
  }
  return null;
}

function dateMatches(cal: Calendar, day: number): boolean {
  const d = new Date(day * 86_400_000);
  if (cal.years && !cal.years.has(d.getUTCFullYear())) return false;
  if (!cal.months.has(d.getUTCMonth() + 1) || !cal.days.has(d.getUTCDate())) return false;
  return cal.weekdays === null || cal.weekdays.has(d.getUTCDay());
}

/**
 * Matching seconds of a day, ascending (dir 1, from `bound` on) or descending (dir -1, up to
 * `bound`), produced lazily; whole hours and minutes outside the bound are skipped.
 */
function* secondsOfDay(cal: Calendar, dir: 1 | -1, bound: number): Generator<number> {
  const order = <T>(xs: readonly T[]) => (dir === 1 ? xs : [...xs].reverse());
  const outside = (from: number, span: number) => (dir === -1 ? from > bound : from + span - 1 < bound);
  for (const h of order(cal.hours)) {
    if (outside(h * 3600, 3600)) continue;
    for (const m of order(cal.minutes)) {
      if (outside(h * 3600 + m * 60, 60)) continue;
      for (const s of order(cal.seconds)) yield h * 3600 + m * 60 + s;
    }
  }
}
