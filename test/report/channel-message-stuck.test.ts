// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 5 on the channels besides email: a stuck run's "⏳ Still running" notice says
// what the mail says — since when, which applications have not reported, that the report follows —
// never "failed" or "not run" about applications still at work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelMessage } from '../../src/report/channel-message.js';
import type { RunReport } from '../../src/domain/run.js';
import { report, RUN_PLAN2 } from '../imageroot/fixtures.js';

const O = { timeZone: 'Europe/Rome', moduleId: 'backup-monitor1' };
/** Weekly SMB at 03:00 with Cloud saved and the two others not reported yet. */
const OPEN: RunReport = {
  ...RUN_PLAN2,
  outcome: 'PARTIAL',
  modules: RUN_PLAN2.modules.map((m, i) =>
    i === 0
      ? { ...m, result: 'success' as const, errors: 0 }
      : { ...m, result: 'not_run' as const, start: null, end: null, totalSize: null },
  ),
};

test('a stuck run: still running since, the applications waited for, the report to follow', () => {
  const m = channelMessage(report('s1', { reason: 'stuck', run: OPEN }), { ...O, maxRunSeconds: 3 * 3600 });
  assert.equal(m.title, '⏳ Still running: Weekly SMB – since 2026-08-09 03:00 CEST');
  assert.equal(m.tone, 'warning');
  assert.equal(m.counts, 'saved 1/3 · failed 0 · not reported yet 2');
  assert.equal(m.when, '2026-08-09 03:00 CEST');
  assert.equal(m.stepsTitle, 'Where it stands');
  assert.equal(m.steps.length, 2);
  assert.match(m.steps[0]!, /^Not reported yet: Domain controller, .+\.$/);
  assert.match(m.steps[1]!, /Its report follows when the run ends; .* by 2026-08-09 06:00 CEST/);
  assert.doesNotMatch([m.title, ...m.steps].join('\n'), /failed|Partly/i);
  assert.deepEqual([m.reason, m.outcome, m.planId, m.reportId], ['stuck', 'PARTIAL', 2, 's1']);
});

test('in Italian; without the longest run time, the report still follows', () => {
  const m = channelMessage(report('s2', { reason: 'stuck', run: OPEN, language: 'it' }), O);
  assert.match(m.title, /^⏳ Ancora in corso: .*Weekly SMB.* – dalle /u);
  assert.equal(m.stepsTitle, 'A che punto è');
  assert.equal(m.counts, 'salvate 1/3 · fallite 0 · ancora senza risposta 2');
  assert.equal(m.steps.at(-1), 'Il rapporto segue quando l’esecuzione finisce.');
});
