// SPDX-License-Identifier: GPL-3.0-or-later
// The trend lines the service keeps per plan (issue #20): bounded, a run decided again replaces
// its position, an application missing from a run has no point there, and the guard refuses a
// record whose lists do not line up with its runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from '../../src/domain/run.js';
import { recordProblem } from '../../src/domain/stored-record.js';
import { TREND_LINES, TREND_RUNS, withRun, type TrendLines } from '../../src/trends/lines.js';
import { historyReport } from '../fixtures/history.js';

/** Runs of plan 1 (4 applications), oldest first. */
const planRuns = (n: number): RunReport[] =>
  Array.from({ length: n * 5 }, (_, i) => historyReport(i, 1_800_000_000, n * 5).run).filter((r) => r.planId === 1);

const keep = (runs: RunReport[]): TrendLines => runs.reduce<TrendLines | null>((l, r) => withRun(l, r), null)!;

describe('withRun', () => {
  test('keeps the newest 30 runs, oldest first, one position per run in every line', () => {
    const runs = planRuns(35);
    const lines = keep(runs);
    assert.deepEqual(
      lines.runs.map((r) => r[1]),
      runs.slice(-TREND_RUNS).map((r) => r.runKey),
    );
    for (const a of lines.apps) {
      assert.equal(a.state.length, TREND_RUNS);
      assert.equal(a.sizes.length, TREND_RUNS);
      assert.equal(a.seconds.length, TREND_RUNS);
    }
    assert.equal(recordProblem(TREND_LINES, JSON.parse(JSON.stringify(lines))), null);
  });

  test('a run decided again replaces its position; a failed application has no size there', () => {
    const runs = planRuns(3);
    const again = { ...runs[1]!, outcome: 'PARTIAL' as const };
    again.modules = again.modules.map((m) => (m.moduleId === 'mail1' ? { ...m, result: 'failed' as const } : m));
    const lines = withRun(keep(runs), again);
    assert.deepEqual(
      lines.runs.map((r) => [r[1], r[2]]),
      [
        [runs[0]!.runKey, runs[0]!.outcome],
        [again.runKey, 'PARTIAL'],
        [runs[2]!.runKey, runs[2]!.outcome],
      ],
    );
    const mail = lines.apps.find((a) => a.id === 'mail1')!;
    assert.equal(mail.state[1], 'f');
    assert.equal(mail.sizes[1], null);
  });

  test('an application missing from a run is `-` there; one in no kept run is dropped', () => {
    const [first, second] = planRuns(2);
    const lone = { ...first!, modules: [{ ...first!.modules[0]!, moduleId: 'gone1' }] };
    const lines = withRun(withRun(null, lone), second!);
    assert.equal(lines.apps.find((a) => a.id === 'gone1')!.state, 's-');
    assert.equal(lines.apps.find((a) => a.id === second!.modules[0]!.moduleId)!.state, '-s');
    const many = planRuns(TREND_RUNS + 1).slice(1);
    assert.ok(!keep([lone, ...many]).apps.some((a) => a.id === 'gone1'));
  });
});

describe('TREND_LINES guard', () => {
  const good = () => JSON.parse(JSON.stringify(keep(planRuns(3)))) as Record<string, unknown> & TrendLines;
  test('refuses lists that do not line up with the runs, and another version', () => {
    assert.equal(recordProblem(TREND_LINES, good()), null);
    const short = good();
    short.apps[0]!.sizes.pop();
    assert.notEqual(recordProblem(TREND_LINES, short), null);
    const state = good();
    state.apps[0]!.state = 'sx-';
    assert.notEqual(recordProblem(TREND_LINES, state), null);
    assert.notEqual(recordProblem(TREND_LINES, { ...good(), v: 2 }), null);
    assert.notEqual(recordProblem(TREND_LINES, { ...good(), runs: [[1, 'k']] }), null);
  });
});
