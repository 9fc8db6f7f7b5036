// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23 item 3: a WARNING run's mail says until when the snapshots taken before it survive the
// plan's retention; the date is checked against a calculation made here from schedule and retention.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from '../../src/domain/run.js';
import { renderReport } from '../../src/report/render.js';
import { withRestoreHorizon } from '../../src/schedule/horizon.js';
import { OPTIONS as O, RUNS, T } from './fixtures.js';

/** Weekly on Sunday 03:00 (Rome): T is Sunday 2026-08-09 03:00 CEST; the k-th next run is T + k weeks (no DST change in August). */
/** As the pipeline hands it to the report: the horizon computed from schedule and retention. */
const weekly = (retention: number): RunReport =>
  withRestoreHorizon({ ...RUNS.warning!, schedule: 'Sun *-*-* 03:00:00', retention }, 'Europe/Rome');
const WEEK = 7 * 86_400;
const romeDate = (unixS: number) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome', dateStyle: 'short', timeStyle: 'short' }).format(
    new Date(unixS * 1000),
  );

describe('report: the clean-restore-point horizon', () => {
  it('a WARNING run, keep 4: raise the retention or pause the plan before the third Sunday after it', () => {
    const r = weekly(4);
    assert.equal(r.outcome, 'WARNING');
    const expected = romeDate(T + (4 - 1) * WEEK); // "2026-08-30 03:00"
    assert.equal(expected, '2026-08-30 03:00');
    const mail = renderReport(r, 'first', O);
    const step = mail.text.split('\n').find((l) => l.includes('Raise the retention or pause the plan'));
    assert.ok(step, mail.text);
    assert.match(step, new RegExp(`before ${expected} CEST: .* keeps the last 4 snapshots, so after 2 more runs`));
    assert.match(
      mail.html,
      /Raise the retention or pause the plan before <span dir="auto">2026-08-30 03:00 CEST<\/span>/,
    );
    const it = renderReport(r, 'first', { ...O, language: 'it' });
    assert.match(it.text, /Aumentare la retention o sospendere il piano prima del 2026-08-30 03:00 CEST/);
  });

  it('keep 1: says nothing older is left; a success or an unknown plan: no step', () => {
    assert.match(
      renderReport(weekly(1), 'first', O).text,
      /keeps only the last 1 snapshot: no snapshot of .* taken before this run is left/,
    );
    const ok = renderReport(
      withRestoreHorizon({ ...RUNS.success!, schedule: 'Sun *-*-* 03:00:00', retention: 4 }, 'Europe/Rome'),
      'first',
      O,
    );
    assert.doesNotMatch(ok.text, /Raise the retention/);
    assert.doesNotMatch(renderReport(RUNS.warning!, 'first', O).text, /Raise the retention/);
  });
});
