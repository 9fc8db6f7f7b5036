// SPDX-License-Identifier: GPL-3.0-or-later
// Expected run times of real NS8 schedules, including DST changes and month ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCalendar, isCalendarError, previousRun, nextRun, type Calendar } from '../../src/schedule/index.js';

const cal = (expr: string): Calendar => {
  const c = parseCalendar(expr);
  if (isCalendarError(c)) assert.fail(c.error);
  return c;
};
const prev = (expr: string, before: string, zone = 'Europe/Rome') =>
  previousRun(cal(expr), new Date(before), zone)?.toISOString() ?? null;
const next = (expr: string, after: string, zone = 'Europe/Rome') =>
  nextRun(cal(expr), new Date(after), zone)?.toISOString() ?? null;

test('NS8.md §10 plans: last expected run on Sunday 2026-08-09 (CEST)', () => {
  // 1786231800 = 01:30 CEST, 1786237200 = 03:00 CEST.
  assert.equal(prev('*-*-* 01:30:00', '2026-08-09T04:00:00+02:00'), new Date(1786231800_000).toISOString());
  assert.equal(prev('Sun *-*-* 03:00:00', '2026-08-09T04:00:00+02:00'), new Date(1786237200_000).toISOString());
  // Just before the trigger, the previous one is a week earlier; exactly at it, it counts.
  assert.equal(prev('Sun *-*-* 03:00:00', '2026-08-09T02:59:59+02:00'), '2026-08-02T01:00:00.000Z');
  assert.equal(prev('Sun *-*-* 03:00:00', '2026-08-09T03:00:00+02:00'), '2026-08-09T01:00:00.000Z');
});

test('spring forward: a time inside the skipped hour does not fire that day', () => {
  // Europe/Rome 2027-03-28 02:00 CET -> 03:00 CEST.
  assert.equal(prev('*-*-* 02:30:00', '2027-03-28T12:00:00Z'), '2027-03-27T01:30:00.000Z');
  assert.equal(next('*-*-* 02:30:00', '2027-03-27T12:00:00Z'), '2027-03-29T00:30:00.000Z');
  assert.equal(prev('hourly', '2027-03-28T01:30:00Z'), '2027-03-28T01:00:00.000Z'); // 03:00 CEST
  assert.equal(prev('hourly', '2027-03-28T00:59:59Z'), '2027-03-28T00:00:00.000Z'); // 01:00 CET
  // A weekly plan at 03:00 on the change day still runs (03:00 exists).
  assert.equal(prev('Sun *-*-* 03:00:00', '2027-03-28T12:00:00Z'), '2027-03-28T01:00:00.000Z');
});

test('fall back: a repeated time fires once, at its first occurrence', () => {
  // Europe/Rome 2026-10-25 03:00 CEST -> 02:00 CET.
  assert.equal(prev('*-*-* 02:30:00', '2026-10-25T01:45:00Z'), '2026-10-25T00:30:00.000Z');
  assert.equal(next('*-*-* 02:30:00', '2026-10-25T00:30:00Z'), '2026-10-26T01:30:00.000Z');
  assert.equal(next('hourly', '2026-10-25T00:00:00Z'), '2026-10-25T02:00:00.000Z'); // 03:00 CET, no second 02:00
  assert.equal(prev('hourly', '2026-10-25T01:59:00Z'), '2026-10-25T00:00:00.000Z');
});

test('other zones: New York fall back, Sydney spring forward, India half-hour offset', () => {
  assert.equal(prev('*-*-* 01:30:00', '2026-11-01T12:00:00Z', 'America/New_York'), '2026-11-01T05:30:00.000Z'); // EDT
  assert.equal(prev('*-*-* 02:30:00', '2026-10-04T12:00:00Z', 'Australia/Sydney'), '2026-10-02T16:30:00.000Z'); // Oct 4 02:30 does not exist
  assert.equal(prev('*-*-* 01:30:00', '2026-08-09T12:00:00Z', 'Asia/Kolkata'), '2026-08-08T20:00:00.000Z');
});

test('month ends: day 31 and 29 skip short months, leap days wait for leap years', () => {
  assert.equal(prev('*-*-31 02:30:00', '2027-04-20T00:00:00Z'), '2027-03-31T00:30:00.000Z');
  assert.equal(next('*-*-31 02:30:00', '2027-03-31T12:00:00Z'), '2027-05-31T00:30:00.000Z');
  assert.equal(prev('*-*-29 00:00:00', '2027-03-15T00:00:00Z'), '2027-01-28T23:00:00.000Z');
  assert.equal(prev('*-02-29 00:00', '2027-06-01T00:00:00Z', 'UTC'), '2024-02-29T00:00:00.000Z');
  assert.equal(next('*-02-29 00:00', '2026-06-01T00:00:00Z', 'UTC'), '2028-02-29T00:00:00.000Z');
  assert.equal(prev('monthly', '2027-01-01T00:30:00+01:00'), '2026-12-31T23:00:00.000Z');
});

test('weekday lists, ranges, year boundaries and explicit zones', () => {
  assert.equal(prev('Mon..Fri *-*-* 22:00:00', '2026-08-09T12:00:00Z'), '2026-08-07T20:00:00.000Z'); // Friday
  assert.equal(prev('Sat,Sun 10:00', '2026-08-07T12:00:00Z'), '2026-08-02T08:00:00.000Z');
  assert.equal(prev('weekly', '2027-01-02T12:00:00Z'), '2026-12-27T23:00:00.000Z'); // Mon 2026-12-28 00:00 CET
  assert.equal(prev('quarterly', '2026-08-09T00:00:00Z'), '2026-06-30T22:00:00.000Z');
  assert.equal(prev('Sun *-*-* 03:00:00 UTC', '2026-08-09T12:00:00Z'), '2026-08-09T03:00:00.000Z');
  assert.equal(prev('2025-*-* 00:00', '2026-08-09T00:00:00Z', 'UTC'), '2025-12-31T00:00:00.000Z');
  assert.equal(next('2025-*-* 00:00', '2026-08-09T00:00:00Z', 'UTC'), null);
});
