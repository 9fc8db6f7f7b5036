// SPDX-License-Identifier: GPL-3.0-or-later
// Maintenance windows (issue #24 item 3): is `t` inside a window of plan p, and the stored guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAINTENANCE_WINDOW,
  openedAt,
  windowAt,
  windowHolding,
  type MaintenanceWindow,
} from '../../src/notify/maintenance.js';
import { recordProblem } from '../../src/domain/stored-record.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const window = (over: Partial<MaintenanceWindow>): MaintenanceWindow => ({
  id: 'w1',
  calendar: 'Sat *-*-* 22:00:00',
  durationSeconds: 4 * 3600,
  planId: null,
  by: 'admin',
  at: 0,
  comment: '',
  ...over,
});

test('a weekly window is open from its calendar match for its length, in the given zone', () => {
  const w = window({});
  // 2026-12-05 is a Saturday; Europe/Rome is UTC+1 in December.
  for (const [iso, open] of [
    ['2026-12-05T20:59:59Z', false],
    ['2026-12-05T21:00:00Z', true],
    ['2026-12-06T00:59:59Z', true], // across midnight: the window opened the day before
    ['2026-12-06T01:00:00Z', false],
    ['2026-12-12T22:30:00Z', true], // the next Saturday
    ['2026-12-09T22:30:00Z', false], // a Wednesday
  ] as const)
    assert.equal(openedAt(w, at(iso), 'Europe/Rome') !== null, open, iso);
  assert.equal(openedAt(w, at('2026-12-05T23:00:00Z'), 'Europe/Rome'), at('2026-12-05T21:00:00Z'));
  assert.equal(
    openedAt(window({ calendar: 'Sat *-*-* 22:00:00 UTC' }), at('2026-12-05T21:30:00Z'), 'Europe/Rome'),
    null,
  );
});

test('a window covers its plan, or every plan when cluster-wide', () => {
  const t = at('2026-12-05T23:00:00Z');
  const perPlan = window({ id: 'p', planId: 2 });
  assert.equal(windowAt([perPlan], 2, t, 'UTC')?.id, 'p');
  assert.equal(windowAt([perPlan], 3, t, 'UTC'), null);
  assert.equal(windowAt([window({ id: 'all' })], 3, t, 'UTC')?.id, 'all');
  assert.equal(windowAt([], 3, t, 'UTC'), null);
});

test('news is held when the run started inside a window or is decided while one is open', () => {
  const ws = [window({ calendar: 'Sat *-*-* 22:00:00 UTC', durationSeconds: 3600 })];
  const inside = at('2026-12-05T22:30:00Z');
  const after = at('2026-12-06T03:00:00Z');
  assert.ok(windowHolding(ws, 2, inside, after, 'UTC'), 'a run inside, its reminder after');
  assert.ok(windowHolding(ws, 2, at('2026-12-05T21:30:00Z'), inside, 'UTC'), 'a run before, decided inside');
  assert.equal(windowHolding(ws, 2, after, after, 'UTC'), null, 'the next run after the window');
});

test('a stored window is checked before use', () => {
  assert.equal(recordProblem(MAINTENANCE_WINDOW, { v: 1, ...window({}) }), null);
  for (const [bad, problem] of [
    [{ calendar: 'Sat *-*-* 25:00' }, 'calendar expression not understood'],
    [{ durationSeconds: 30 }, 'window length out of range'],
    [{ durationSeconds: 8 * 86400 }, 'window length out of range'],
    [{ planId: 0 }, 'window plan not an id'],
    [{ planId: '2' }, 'window plan not an id'],
  ] as const)
    assert.equal(
      recordProblem(MAINTENANCE_WINDOW, window(bad as Partial<MaintenanceWindow>)),
      problem,
      JSON.stringify(bad),
    );
  assert.equal(recordProblem(MAINTENANCE_WINDOW, { ...window({}), by: undefined }), 'window without who or when');
});
