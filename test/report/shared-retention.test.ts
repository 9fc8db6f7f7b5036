// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23 item 2: a run whose application another enabled plan with a different retention saves
// to the same destination says, in "What to do", which plan, what the repository really keeps and the fix.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from '../../src/domain/run.js';
import { conflictsOfPlan, retentionConflicts } from '../../src/domain/retention.js';
import { renderReport } from '../../src/report/render.js';
import { withRestoreHorizon } from '../../src/schedule/horizon.js';
import { OPTIONS as O, RUNS } from './fixtures.js';

const plan = (id: number, name: string, retention: number, instances: string[]) => ({
  id,
  name,
  repository: 'dest-1',
  retention,
  instances,
  enabled: true,
});

/** As the pipeline hands it over: this plan (ID 1, keeps 30) shares nextcloud1 with "Nightly <b>" (ID 7, keeps 3). */
const shared = (base: RunReport): RunReport => ({
  ...base,
  planId: 1,
  retention: 30,
  retentionConflicts: conflictsOfPlan(
    retentionConflicts([
      plan(1, base.planName, 30, ['nextcloud1', 'mail1']),
      plan(7, 'Nightly <b>', 3, ['nextcloud1']),
    ]),
    1,
  ),
});

describe('report: a repository shared with a plan of another retention', () => {
  it('names the application, the other plan and the retention really kept, with the fix (en, it)', () => {
    const mail = renderReport(shared(RUNS.warning!), 'first', O);
    const step = mail.text.split('\n').find((l) => l.includes('is also saved to'));
    assert.ok(step, mail.text);
    assert.match(step, /Cloud \(nextcloud1\) is also saved to .* by the plan Nightly <b> \(ID 7\)/);
    assert.match(step, /only the last 3 snapshots are kept, whatever .* promises \(30\)/);
    assert.match(step, /Give both plans the same retention, or back up the application with one plan/);
    assert.doesNotMatch(mail.text, /Mail \(mail1\) is also saved/);
    assert.match(mail.html, /Nightly &lt;b&gt;/);
    assert.doesNotMatch(mail.html, /Nightly <b>/);
    const it = renderReport(shared(RUNS.warning!), 'first', { ...O, language: 'it' });
    assert.match(
      it.text,
      /Cloud \(nextcloud1\) è salvata in .* anche dal piano Nightly <b> \(ID 7\).*restano solo gli ultimi 3 snapshot/,
    );
  });

  it('no shared repository, no step', () => {
    assert.doesNotMatch(renderReport(RUNS.warning!, 'first', O).text, /is also saved to/);
  });

  it('the horizon step states the retention its date was computed from: the shared one', () => {
    const run = withRestoreHorizon({ ...shared(RUNS.warning!), schedule: 'Sun *-*-* 03:00:00' }, 'Europe/Rome');
    const text = renderReport(run, 'first', O).text;
    assert.match(text, /keeps the last 3 snapshots, so after 1 more runs the run of 2026-08-23 03:00 CEST/);
  });
});

describe('report: a plain success whose repository another plan prunes harder (issue #23 item 4)', () => {
  const line = (text: string) => text.split('\n').filter((l) => /shared repository keeps|repository condiviso/.test(l));

  it('says so in one short line with the retention really kept and the fix (en, it)', () => {
    const mail = renderReport(shared(RUNS.success!), 'success', O);
    const lines = line(mail.text);
    assert.equal(lines.length, 1, mail.text);
    assert.match(lines[0]!, /Cloud \(nextcloud1\): the shared repository keeps only the last 3 snapshots, not 30/);
    assert.match(lines[0]!, /Nightly <b> \(ID 7\)/);
    assert.match(lines[0]!, /same retention/);
    assert.ok(lines[0]!.length <= 240, lines[0]);
    assert.match(mail.html, /Nightly &lt;b&gt; \(ID 7\)/);
    assert.doesNotMatch(mail.html, /Nightly <b>/);
    const it = line(renderReport(shared(RUNS.success!), 'success', { ...O, language: 'it' }).text);
    assert.equal(it.length, 1);
    assert.match(it[0]!, /Cloud \(nextcloud1\): il repository condiviso conserva solo gli ultimi 3 snapshot, non 30/);
  });

  it('nothing when the other plan keeps more: this plan keeps what it promises', () => {
    const run: RunReport = {
      ...RUNS.success!,
      planId: 1,
      retention: 3,
      retentionConflicts: [
        { application: 'nextcloud1', otherPlanId: 7, otherPlanName: 'Monthly', effectiveRetention: 3 },
      ],
    };
    assert.deepEqual(line(renderReport(run, 'success', O).text), []);
  });

  it('nothing in a plain success without a shared repository', () => {
    assert.deepEqual(line(renderReport(RUNS.success!, 'success', O).text), []);
  });
});
