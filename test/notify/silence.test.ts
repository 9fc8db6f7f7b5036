// SPDX-License-Identifier: GPL-3.0-or-later
// applySilence / silencedNow / snoozedPlans / the SILENCE guard (issue #24): one table per question.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applySilence,
  silencedNow,
  snoozedPlans,
  SILENCE,
  type Acknowledgement,
  type Silence,
  type Snooze,
} from '../../src/notify/silence.js';
import { recordProblem } from '../../src/domain/stored-record.js';
import type { RunReport } from '../../src/domain/run.js';
import { H, planRun, T0 } from './fixtures.js';

const run = planRun;

const ack: Acknowledgement = { by: 'admin', at: T0, comment: 'NAS', outcome: 'PARTIAL', failing: ['nextcloud1'] };
const snooze = (until: number | null, untilSuccess = false): Snooze => ({
  by: 'admin',
  at: T0,
  comment: '',
  until,
  untilSuccess,
});
const SAME = run(T0 + 24 * H, 'PARTIAL', { nextcloud1: 'failed', samba1: 'success', mail1: 'success' });
const MORE = run(T0 + 24 * H, 'PARTIAL', { nextcloud1: 'failed', samba1: 'failed', mail1: 'success' });
const FEWER = run(T0 + 24 * H, 'PARTIAL', { nextcloud1: 'failed', samba1: 'success', mail1: 'success' });
const ALL = run(T0 + 24 * H, 'REPO_FAILURE', { nextcloud1: 'failed', samba1: 'failed' });
const OK = run(T0 + 24 * H, 'SUCCESS', { nextcloud1: 'success', samba1: 'success' });
const WARN = run(T0 + 24 * H, 'WARNING', { nextcloud1: 'success', samba1: 'success' });

test('an acknowledgement holds a mail while the failure is the one acknowledged, and ends otherwise', () => {
  const cases: [string, RunReport, string, string, string[]][] = [
    // name, run, decided reason, reason after, ended
    ['same failure, new run', SAME, 'repeat', 'muted', []],
    ['same failure, reminder', SAME, 'reminder', 'duplicate', []],
    ['fewer applications failing', FEWER, 'repeat', 'muted', []],
    ['another application failing', MORE, 'repeat', 'repeat', ['acknowledged']],
    ['another outcome', ALL, 'changed', 'changed', ['acknowledged']],
    ['recovery', OK, 'recovered', 'recovered', ['acknowledged']],
    ['a warning is another outcome', WARN, 'changed', 'changed', ['acknowledged']],
    ['nothing to mail anyway', SAME, 'duplicate', 'duplicate', []],
  ];
  for (const [name, r, reason, after, ended] of cases) {
    const s = applySilence({ acknowledged: ack }, r, reason as never, T0 + 24 * H, reason === 'reminder');
    assert.equal(s.reason, after, name);
    assert.deepEqual(s.ended, ended, name);
    assert.equal(s.next.acknowledged ?? null, ended.length ? null : ack, name);
  }
});

test('a snooze holds every mail until its time or the next full success', () => {
  const cases: [string, Snooze, RunReport, number, string, string, string[]][] = [
    ['before its time, a failure', snooze(T0 + 48 * H), MORE, T0 + 24 * H, 'first', 'muted', []],
    ['before its time, a recovery', snooze(T0 + 48 * H), OK, T0 + 24 * H, 'recovered', 'muted', []],
    ['before its time, a reminder', snooze(T0 + 48 * H), SAME, T0 + 24 * H, 'reminder', 'duplicate', []],
    ['at its time, a reminder', snooze(T0 + 48 * H), SAME, T0 + 48 * H, 'reminder', 'reminder', ['snoozed']],
    ['until success: a failure', snooze(null, true), SAME, T0 + 24 * H, 'repeat', 'muted', []],
    ['until success: a warning is not a full success', snooze(null, true), WARN, T0 + 24 * H, 'changed', 'muted', []],
    ['until success: the success', snooze(null, true), OK, T0 + 24 * H, 'recovered', 'recovered', ['snoozed']],
    [
      'until success: a success before the snooze',
      snooze(null, true),
      run(T0 - H, 'SUCCESS', {}),
      T0,
      'success',
      'muted',
      [],
    ],
    ['both: the time comes first', snooze(T0 + 12 * H, true), SAME, T0 + 24 * H, 'repeat', 'repeat', ['snoozed']],
  ];
  for (const [name, sn, r, nowS, reason, after, ended] of cases) {
    const s = applySilence({ snoozed: sn }, r, reason as never, nowS, reason === 'reminder');
    assert.equal(s.reason, after, name);
    assert.deepEqual(s.ended, ended, name);
  }
});

test('snooze and acknowledgement together: the snooze holds even what ends the acknowledgement', () => {
  const s = applySilence({ acknowledged: ack, snoozed: snooze(T0 + 48 * H) }, MORE, 'repeat', T0 + 24 * H, false);
  assert.deepEqual([s.reason, s.by, s.ended], ['muted', 'snoozed', ['acknowledged']]);
  assert.deepEqual(s.next, { acknowledged: null, snoozed: snooze(T0 + 48 * H) });
});

test('silencedNow: what the watchdog holds reminders for', () => {
  assert.equal(silencedNow(undefined, T0), null);
  assert.equal(silencedNow({ snoozed: snooze(T0 + H) }, T0), 'snoozed');
  assert.equal(silencedNow({ snoozed: snooze(T0 + H) }, T0 + H), null, 'a snooze over lets the reminder through');
  assert.equal(silencedNow({ snoozed: snooze(null, true) }, T0 + 400 * H), 'snoozed');
  assert.equal(silencedNow({ acknowledged: ack }, T0), 'acknowledged');
  assert.equal(silencedNow({ acknowledged: ack, snoozed: snooze(T0 - 1) }, T0), 'acknowledged');
});

test('snoozedPlans: those in force, by plan id', () => {
  const all = new Map<number, Silence>([
    [5, { snoozed: snooze(null, true) }],
    [2, { snoozed: snooze(T0 + H) }],
    [3, { snoozed: snooze(T0 - 1) }],
    [4, { acknowledged: ack }],
  ]);
  assert.deepEqual(snoozedPlans(all, T0), [
    { planId: 2, until: T0 + H, untilSuccess: false },
    { planId: 5, until: null, untilSuccess: true },
  ]);
});

test('the stored shape is guarded', () => {
  assert.equal(recordProblem(SILENCE, { v: 1, acknowledged: ack, snoozed: null }), null);
  assert.equal(recordProblem(SILENCE, { v: 1, snoozed: snooze(T0) }), null);
  assert.match(recordProblem(SILENCE, { acknowledged: { by: 'x' } }) ?? '', /acknowledgement/);
  assert.match(recordProblem(SILENCE, { snoozed: { ...snooze(T0), until: 'soon' } }) ?? '', /snooze/);
  assert.match(recordProblem(SILENCE, { snoozed: snooze(null, false) }) ?? '', /never ends/);
  assert.match(recordProblem(SILENCE, { v: 2 }) ?? '', /version/);
});
