// SPDX-License-Identifier: GPL-3.0-or-later
// Issues #22/#23/#24: a channel message says what the mail says — a snooze's end and an escalation
// lead it as they lead the mail's subject, a repository another plan prunes is named in one short
// step (a plain success included), and a still-running notice says why the run counts as stuck.
// The mail is rendered beside each message: the channel's words are checked against the mail's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNEL_STEPS_MAX, channelMessage } from '../../src/report/channel-message.js';
import { renderReport, renderStuck } from '../../src/report/render.js';
import type { RunReport } from '../../src/domain/run.js';
import { report, RUN_PLAN2 } from '../imageroot/fixtures.js';

const O = { timeZone: 'Europe/Rome', moduleId: 'backup-monitor1' };
const MAIL = { ...O, subjectPrefix: '[NS8 Backup]' };
/** The mail's subject without its tail (prefix and the seed tool's words), as a channel's title. */
const headOf = (subject: string) => subject.slice(0, subject.lastIndexOf(' · '));

describe('a snooze end and an escalation lead the message as they lead the mail', () => {
  for (const [notice, words, it_] of [
    ['snoozeEnded', 'Snooze ended', 'Sospensione finita'],
    ['escalated', 'Escalated', 'Inoltrato'],
  ] as const) {
    it(`${notice}: the title is the mail's subject, its words right after state and plan`, () => {
      const m = channelMessage(report('n1', { reason: 'reminder', notice }), O);
      const mail = renderReport(RUN_PLAN2, 'reminder', { ...MAIL, language: 'en', notice });
      assert.equal(m.title, headOf(mail.subject));
      assert.match(m.title, new RegExp(`^⚠️ Partly failed: .*Weekly SMB.* – ${words}: `, 'u'));
      assert.equal(m.notice, notice);
      const itM = channelMessage(report('n2', { reason: 'reminder', notice, language: 'it' }), O);
      assert.match(itM.title, new RegExp(` – ${it_}: `, 'u'));
    });
  }

  it('a reminder and a recovery say how long the plan has failed, as the mail’s subject', () => {
    const failingSince = RUN_PLAN2.start - 3 * 86400;
    const reminder = channelMessage(report('n4', { reason: 'reminder', failingSince }), O);
    const mail = renderReport(RUN_PLAN2, 'reminder', { ...MAIL, language: 'en', failingSince });
    assert.equal(reminder.title, headOf(mail.subject));
    assert.match(reminder.title, / – failing for 3 days, 2 of 3 applications not saved$/u);
    const back = channelMessage(report('n5', { reason: 'recovered', run: SAVED, failingSince }), O);
    assert.match(back.title, /^✅ .*Weekly SMB.* – down for 3 days$/u);
  });

  it('a report without a notice (and one of an older version) has a plain title', () => {
    const m = channelMessage(report('n3', { reason: 'reminder' }), O);
    assert.doesNotMatch(m.title, /Snooze ended|Escalated/);
    assert.equal(m.notice, null);
  });
});

/** Weekly SMB keeps 30; Nightly (plan 5) writes Cloud's repository too and keeps 3. */
const SHARED: Pick<RunReport, 'retention' | 'retentionConflicts'> = {
  retention: 30,
  retentionConflicts: [{ application: 'nextcloud1', otherPlanId: 5, otherPlanName: 'Nightly', effectiveRetention: 3 }],
};
const SAVED: RunReport = {
  ...RUN_PLAN2,
  outcome: 'SUCCESS',
  modules: RUN_PLAN2.modules.map((x) => ({ ...x, result: 'success' as const, errors: 0 })),
};
const SHORT =
  /^Cloud \(nextcloud1\): the shared repository keeps only the last 3 snapshots, not 30, because the plan Nightly \(ID 5\) writes to it too\./;

describe('a repository another plan prunes: one short step, as the mail says it', () => {
  it('a plain success says it under "What to do" and stays good news', () => {
    const run = { ...SAVED, ...SHARED };
    const m = channelMessage(report('s1', { reason: 'success', run }), O);
    assert.equal(m.tone, 'success');
    assert.equal(m.steps.length, 1);
    assert.match(m.steps[0]!, SHORT);
    assert.ok(renderReport(run, 'success', { ...MAIL, language: 'en' }).text.includes(m.steps[0]!), 'the mail line');
  });

  it('a failure keeps its own fix first and the shared repository as one short step, within the steps shown', () => {
    const run = { ...RUN_PLAN2, ...SHARED };
    const m = channelMessage(report('s2', { run }), O);
    const without = channelMessage(report('s3'), O);
    assert.ok(m.steps.length <= CHANNEL_STEPS_MAX);
    assert.equal(m.steps[0], without.steps[0], 'the run’s own fix first');
    assert.equal(m.steps.filter((x) => SHORT.test(x)).length, 1);
    assert.ok(
      !m.steps.some((x) => /each removes the snapshots the other keeps/.test(x)),
      'the short step, not the long one',
    );
  });

  it('the plan with the smaller retention: the mail’s step, once', () => {
    const run = {
      ...RUN_PLAN2,
      retention: 3,
      retentionConflicts: [{ ...SHARED.retentionConflicts![0]!, otherPlanName: 'Monthly' }],
    };
    const m = channelMessage(report('s4', { run }), O);
    const shared = m.steps.filter((x) => /Monthly \(ID 5\)/.test(x));
    assert.equal(shared.length, 1);
    assert.ok(
      renderReport(run, 'first', { ...MAIL, language: 'en' }).text.includes('both plans write the same repository'),
    );
    assert.match(shared[0]!, /both plans write the same repository/);
  });

  it('a missed run: not where its mail does not say it either', () => {
    const run: RunReport = { ...RUN_PLAN2, ...SHARED, outcome: 'MISSING' };
    const m = channelMessage(report('s7', { run }), O);
    assert.ok(m.steps.length > 0);
    assert.ok(!m.steps.some((x) => /Nightly/.test(x)));
    assert.doesNotMatch(renderReport(run, 'first', { ...MAIL, language: 'en' }).text, /Nightly/);
  });

  it('in Italian', () => {
    const m = channelMessage(report('s5', { reason: 'success', run: { ...SAVED, ...SHARED }, language: 'it' }), O);
    assert.match(m.steps[0]!, /il repository condiviso conserva solo gli ultimi 3 snapshot, non 30/);
  });

  it('a run of an older version (no retention recorded) has no such step', () => {
    const m = channelMessage(report('s6', { reason: 'success', run: SAVED }), O);
    assert.deepEqual(m.steps, []);
  });
});

/** Weekly SMB at 03:00 with Cloud saved and the two others not reported yet. */
const OPEN: RunReport = {
  ...RUN_PLAN2,
  outcome: 'PARTIAL',
  modules: RUN_PLAN2.modules.map((x, i) =>
    i === 0
      ? { ...x, result: 'success' as const, errors: 0 }
      : { ...x, result: 'not_run' as const, start: null, end: null, totalSize: null },
  ),
};

describe('a still-running notice says why the run counts as stuck', () => {
  const mailOf = (stuck: { usualSeconds: number | null; maximumSeconds?: number }, language: 'en' | 'it' = 'en') =>
    renderStuck(OPEN, { since: OPEN.start, maxAt: OPEN.start + 10800, ...stuck }, { ...MAIL, language }).text;

  it('from its usual duration: the first line, as the mail says it', () => {
    const stuck = { usualSeconds: 3600 };
    const m = channelMessage(report('t1', { reason: 'stuck', run: OPEN, stuck }), O);
    assert.match(m.steps[0]!, /^Weekly SMB has been running since 2026-08-09 03:00 CEST; it usually takes 1h\.$/);
    assert.ok(mailOf(stuck).includes(m.steps[0]!), 'the mail’s words');
    assert.match(m.steps[1]!, /^Not reported yet: /);
  });

  it('from the maximum set for the plan', () => {
    const stuck = { usualSeconds: 3600, maximumSeconds: 7200 };
    const m = channelMessage(report('t2', { reason: 'stuck', run: OPEN, stuck, language: 'it' }), O);
    assert.match(m.steps[0]!, /oltre il massimo di 2h impostato per questo piano\.$/);
    assert.ok(mailOf(stuck, 'it').includes(m.steps[0]!), 'the mail’s words');
  });

  it('a notice of an older version (no reason recorded) still renders, as before', () => {
    const m = channelMessage(report('t3', { reason: 'stuck', run: OPEN }), O);
    assert.equal(m.steps.length, 2);
    assert.match(m.steps[0]!, /^Not reported yet: /);
  });
});
