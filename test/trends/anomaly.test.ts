// SPDX-License-Identifier: GPL-3.0-or-later
// Trends and anomalies: one table per question. A run that saved everything becomes WARNING when
// an application's size leaves 50–200 % of the median of its previous runs, or it saved no
// files; too little history gives no verdict on size.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModuleRow, Outcome, RunReport } from '../../src/domain/run.js';
import {
  DEFAULT_THRESHOLDS,
  HISTORY_MAX_BYTES,
  HISTORY_RUNS,
  median,
  parseHistory,
  remember,
  summarize,
  thresholdsOf,
  withTrends,
  type RunSummary,
} from '../../src/trends/anomaly.js';

const DAY = 86400;
const T0 = 1_786_237_200;
const GB = 1e9;

const row = (over: Partial<ModuleRow> = {}): ModuleRow => ({
  moduleId: 'nextcloud1',
  uiName: 'Cloud',
  node: 1,
  nodeName: 'ns1',
  result: 'success',
  start: T0,
  end: T0 + 300,
  totalSize: 50 * GB,
  totalFileCount: 1000,
  snapshotsCount: 5,
  errors: 0,
  repoPath: 'nextcloud/u',
  ...over,
});
const run = (day: number, modules: ModuleRow[], outcome: Outcome = 'SUCCESS'): RunReport => ({
  runKey: `2:${T0 + day * DAY}`,
  planId: 2,
  planName: 'P',
  destinationId: 'd',
  destinationName: 'D',
  outcome,
  start: T0 + day * DAY,
  end: T0 + day * DAY + 300,
  nodes: [{ id: 1, name: 'ns1' }],
  triggers: [],
  modules: modules.map((m) => ({
    ...m,
    start: m.start === null ? null : T0 + day * DAY,
    end: m.end === null ? null : T0 + day * DAY + 300,
  })),
});
/** History of `sizes` (bytes, oldest first) for nextcloud1, one run a day before day 0. */
function history(sizes: (number | 'failed')[], files = 1000): RunSummary[] {
  let h: RunSummary[] = [];
  sizes.forEach((s, i) => {
    const day = i - sizes.length;
    const m = s === 'failed' ? row({ result: 'failed', errors: 1 }) : row({ totalSize: s, totalFileCount: files });
    h = remember(h, run(day, [m], s === 'failed' ? 'REPO_FAILURE' : 'SUCCESS'));
  });
  return h;
}

describe('size anomalies against the median of the previous runs', () => {
  const cases: [string, (number | 'failed')[], number, Outcome, string[]][] = [
    ['usual size', [50 * GB, 52 * GB, 49 * GB, 51 * GB, 50 * GB], 50.5 * GB, 'SUCCESS', []],
    ['shrink below 50 %', [50 * GB, 52 * GB, 49 * GB, 51 * GB, 50 * GB], 24 * GB, 'WARNING', ['shrink']],
    ['exactly 50 % is still usual', [50 * GB, 50 * GB, 50 * GB], 25 * GB, 'SUCCESS', []],
    ['growth above 200 %', [50 * GB, 52 * GB, 49 * GB, 51 * GB, 50 * GB], 101 * GB, 'WARNING', ['growth']],
    ['exactly 200 % is still usual', [50 * GB, 50 * GB, 50 * GB], 100 * GB, 'SUCCESS', []],
    ['too little history: no verdict', [50 * GB, 50 * GB], 1 * GB, 'SUCCESS', []],
    ['no history at all: no verdict', [], 1 * GB, 'SUCCESS', []],
    ['failed runs do not count towards the median', [50 * GB, 'failed', 'failed', 50 * GB], 1 * GB, 'SUCCESS', []],
    ['the median resists one outlier', [50 * GB, 50 * GB, 900 * GB, 50 * GB, 50 * GB], 60 * GB, 'SUCCESS', []],
    [
      'only the last 5 runs count',
      [1 * GB, 1 * GB, 1 * GB, 50 * GB, 50 * GB, 50 * GB, 50 * GB, 50 * GB],
      2 * GB,
      'WARNING',
      ['shrink'],
    ],
  ];
  for (const [name, sizes, now, outcome, kinds] of cases) {
    it(name, () => {
      const r = withTrends(run(0, [row({ totalSize: now })]), history(sizes));
      assert.equal(r.outcome, outcome);
      assert.deepEqual(
        r.modules[0]!.anomalies!.map((a) => a.kind),
        kinds,
      );
    });
  }

  it('the anomaly carries the value and the median it was compared with', () => {
    const r = withTrends(run(0, [row({ totalSize: 10 * GB })]), history([40 * GB, 50 * GB, 60 * GB]));
    assert.deepEqual(r.modules[0]!.anomalies, [{ kind: 'shrink', value: 10 * GB, median: 50 * GB }]);
    assert.deepEqual(r.modules[0]!.trend, {
      runs: 3,
      medianSize: 50 * GB,
      medianFiles: 1000,
      medianSeconds: 300,
      lastSuccessAt: T0 - DAY,
    });
  });
});

describe('zero files', () => {
  it('a successful backup with no files is a WARNING, even without history', () => {
    const r = withTrends(run(0, [row({ totalFileCount: 0 })]), []);
    assert.equal(r.outcome, 'WARNING');
    assert.deepEqual(
      r.modules[0]!.anomalies!.map((a) => a.kind),
      ['zero_files'],
    );
  });
  it('unless the application always had zero files', () => {
    const r = withTrends(
      run(0, [row({ totalFileCount: 0, totalSize: 50 * GB })]),
      history([50 * GB, 50 * GB, 50 * GB], 0),
    );
    assert.equal(r.outcome, 'SUCCESS');
  });
});

describe('outcomes other than a full save are left as they are', () => {
  for (const outcome of ['PARTIAL', 'REPO_FAILURE', 'MISSING'] as const) {
    it(outcome, () => {
      const r = withTrends(
        run(0, [row({ totalSize: 1 }), row({ moduleId: 'mail1', result: 'failed', errors: 1 })], outcome),
        history([50 * GB, 50 * GB, 50 * GB]),
      );
      assert.equal(r.outcome, outcome);
      assert.deepEqual(r.modules[1]!.anomalies, [], 'a failed module has no size verdict');
    });
  }
  it('an update of a WARNING run that is usual again goes back to SUCCESS', () => {
    const r = withTrends({ ...run(0, [row()]), outcome: 'WARNING' }, history([50 * GB, 50 * GB, 50 * GB]));
    assert.equal(r.outcome, 'SUCCESS');
  });
});

describe("the plan's record", () => {
  it('counts this run and the previous ones, with the last full success', () => {
    const h = history([50 * GB, 'failed', 50 * GB, 50 * GB]);
    const r = withTrends(run(0, [row({ result: 'failed', errors: 1 })], 'REPO_FAILURE'), h);
    assert.deepEqual(r.trend, { runs: 5, saved: 3, lastFullSuccessAt: T0 - DAY });
  });
  it('a WARNING run saved everything but is not a full success', () => {
    let h = history([50 * GB, 50 * GB, 50 * GB, 50 * GB]);
    h = remember(h, { ...run(-1, [row({ totalFileCount: 0 })]), outcome: 'WARNING' }); // replaces day -1
    const r = withTrends(run(0, [row()]), h);
    assert.deepEqual(r.trend, { runs: 5, saved: 5, lastFullSuccessAt: T0 });
    const failed = withTrends(run(1, [row({ result: 'failed', errors: 1 })], 'REPO_FAILURE'), h);
    assert.equal(failed.trend!.lastFullSuccessAt, T0 - 2 * DAY, 'the WARNING run is skipped');
  });
  it('no previous run: no record', () => {
    assert.equal(withTrends(run(0, [row()]), []).trend, null);
  });
  it('the same run reported again (an update) is not its own history', () => {
    const h = remember(history([50 * GB, 50 * GB, 50 * GB]), run(0, [row({ totalSize: 1 * GB })]));
    const r = withTrends(run(0, [row({ totalSize: 50 * GB })]), h);
    assert.equal(r.outcome, 'SUCCESS');
    assert.equal(r.trend!.runs, 4);
  });
});

describe('the stored history', () => {
  it('is bounded, newest first, and replaces an earlier version of the same run', () => {
    let h: RunSummary[] = [];
    for (let d = 0; d < 30; d++) h = remember(h, run(d, [row()]));
    h = remember(h, run(29, [row({ result: 'failed' })], 'REPO_FAILURE'));
    assert.equal(h.length, HISTORY_RUNS);
    assert.equal(h[0]!.start, T0 + 29 * DAY);
    assert.equal(h[0]!.outcome, 'REPO_FAILURE');
    assert.equal(h.filter((x) => x.runKey === h[0]!.runKey).length, 1);
  });
  it('survives garbage in Redis', () => {
    for (const raw of [
      null,
      '',
      'x',
      '{}',
      '[1,null,"a"]',
      '[{"runKey":1}]',
      JSON.stringify([{ runKey: 'k', start: 'no', outcome: 'SUCCESS', modules: [] }]),
    ]) {
      assert.deepEqual(parseHistory(raw), [], String(raw));
    }
    const good = JSON.stringify([summarize(run(0, [row()]))]);
    assert.deepEqual(parseHistory(good), [summarize(run(0, [row()]))]);
    const odd = JSON.stringify([
      { runKey: 'k', start: 1, outcome: 'SUCCESS', modules: [{ id: 'a', result: 'weird', size: 'big' }, 7] },
    ]);
    assert.deepEqual(parseHistory(odd)[0]!.modules, [
      { id: 'a', result: 'not_run', start: null, size: null, files: null, seconds: null },
    ]);
  });
  it('median', () => {
    assert.equal(median([]), null);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(DEFAULT_THRESHOLDS.runs, 5);
  });
});

describe('thresholds from the settings', () => {
  const h = history([50 * GB, 50 * GB, 50 * GB]);
  const judge = (size: number, a: Parameters<typeof thresholdsOf>[0]) =>
    withTrends(run(0, [row({ totalSize: size })]), h, thresholdsOf(a)).outcome;
  it('the defaults are 50 %, 200 % and 3 runs', () => {
    assert.deepEqual(thresholdsOf({ shrinkPercent: 50, growthPercent: 200, minRuns: 3 }), DEFAULT_THRESHOLDS);
  });
  it('stricter or looser percentages move the verdict', () => {
    assert.equal(judge(40 * GB, { shrinkPercent: 90, growthPercent: 200, minRuns: 3 }), 'WARNING');
    assert.equal(judge(20 * GB, { shrinkPercent: 30, growthPercent: 200, minRuns: 3 }), 'SUCCESS');
    assert.equal(judge(70 * GB, { shrinkPercent: 50, growthPercent: 120, minRuns: 3 }), 'WARNING');
  });
  it('0 turns a check off', () => {
    assert.equal(judge(1, { shrinkPercent: 0, growthPercent: 200, minRuns: 3 }), 'SUCCESS');
    assert.equal(judge(900 * GB, { shrinkPercent: 50, growthPercent: 0, minRuns: 3 }), 'SUCCESS');
  });
  it('more runs needed: no verdict yet', () => {
    assert.equal(judge(1, { shrinkPercent: 50, growthPercent: 200, minRuns: 4 }), 'SUCCESS');
  });
});

// Issue #25 item 8: the history kept the first 200 applications of a run, so size anomalies were
// never judged after the 200th application of a plan. Every application is kept; the bytes of a
// plan's history are bounded instead.
describe('plans with many applications', () => {
  const apps = (n: number, size: (i: number) => number, id = (i: number) => `app${i + 1}`) =>
    Array.from({ length: n }, (_, i) => row({ moduleId: id(i), uiName: '', totalSize: size(i) }));
  /** The history as Redis gives it back: stored after each of `days` runs, parsed before the next. */
  function stored(n: number, days: number): RunSummary[] {
    let raw = '';
    for (let d = -days; d < 0; d++) {
      const h = remember(
        parseHistory(raw),
        run(
          d,
          apps(n, () => GB),
        ),
      );
      raw = JSON.stringify(h);
      assert.ok(Buffer.byteLength(raw) <= HISTORY_MAX_BYTES, `${Buffer.byteLength(raw)} B stored`);
    }
    return parseHistory(raw);
  }

  it('app 250 of a plan shrinking from 1 GB to 10 B is a WARNING', () => {
    const h = stored(250, 5);
    const r = withTrends(
      run(
        0,
        apps(250, (i) => (i === 249 ? 10 : GB)),
      ),
      h,
    );
    assert.equal(r.outcome, 'WARNING');
    assert.deepEqual(
      r.modules.filter((m) => m.anomalies!.length).map((m) => [m.moduleId, m.anomalies![0]!.kind]),
      [['app250', 'shrink']],
    );
  });

  it('a 250-application plan keeps all its runs', () => {
    assert.equal(stored(250, 15).length, HISTORY_RUNS);
  });

  it('a plan too big for the byte bound keeps its newest runs, enough for a verdict on every application', () => {
    const h = stored(2000, 8);
    assert.ok(h.length >= DEFAULT_THRESHOLDS.minRuns && h.length < HISTORY_RUNS, `${h.length} runs`);
    assert.equal(h[0]!.start, T0 - DAY, 'the newest first');
    assert.ok(h.every((x) => x.modules.length === 2000));
    const r = withTrends(
      run(
        0,
        apps(2000, (i) => (i === 1999 ? 10 : GB)),
      ),
      h,
    );
    assert.equal(r.outcome, 'WARNING');
  });

  it('one run alone beyond the bound is cut to what fits, never stored whole', () => {
    const huge = apps(
      200,
      () => GB,
      (i) => `${'x'.repeat(10_000)}${i}`,
    );
    const h = remember([], run(0, huge));
    assert.ok(Buffer.byteLength(JSON.stringify(h)) <= HISTORY_MAX_BYTES);
    assert.equal(h.length, 1);
    assert.ok(h[0]!.modules.length > 0 && h[0]!.modules.length < 200);
    assert.deepEqual(
      parseHistory('[' + ' '.repeat(HISTORY_MAX_BYTES) + ']'),
      [],
      'a value larger than the bound is not ours',
    );
  });
});
