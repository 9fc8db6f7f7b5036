// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 5: a plan's maximum run duration (its own, else the module's) decides when its
// run is stuck; without one, its history does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlanMaximums, stuckRuleOf } from '../../src/notify/stuck.js';
import type { RunSummary } from '../../src/trends/anomaly.js';

const past = (start: number, seconds: number): RunSummary => ({
  runKey: `2:${start}`,
  start,
  outcome: 'SUCCESS',
  modules: [{ id: 'mail1', result: 'success', start, size: 1, files: 1, seconds }],
});
/** Three complete runs of 40 minutes: stuck after 80 by the history rule. */
const HISTORY = [past(3, 2400), past(2, 2400), past(1, 2400)];

describe('parsePlanMaximums', () => {
  it('reads <plan id>:<seconds> entries; empty is none', () => {
    assert.deepEqual(parsePlanMaximums(''), new Map());
    assert.deepEqual(
      parsePlanMaximums('2:7200,5:0'),
      new Map([
        [2, 7200],
        [5, 0],
      ]),
    );
  });
});

describe('stuckRuleOf', () => {
  it('no maximum anywhere: the history rule, saying the usual duration', () => {
    const limitOf = stuckRuleOf({ maxRunDurationSeconds: 0, plans: '' });
    assert.deepEqual(limitOf(2, HISTORY), { afterSeconds: 4800, usualSeconds: 2400 });
    assert.equal(limitOf(2, HISTORY.slice(0, 2)), null, 'too little history: never stuck');
  });

  it("the plan's own maximum wins over its history and the module's maximum", () => {
    const limitOf = stuckRuleOf({ maxRunDurationSeconds: 10800, plans: '2:7200' });
    assert.deepEqual(limitOf(2, HISTORY), { afterSeconds: 7200, usualSeconds: 2400, maximumSeconds: 7200 });
    assert.deepEqual(limitOf(2, []), { afterSeconds: 7200, usualSeconds: null, maximumSeconds: 7200 });
    assert.deepEqual(limitOf(3, []), { afterSeconds: 10800, usualSeconds: null, maximumSeconds: 10800 });
  });

  it("a plan's 0 is its history, even with a maximum for the module", () => {
    const limitOf = stuckRuleOf({ maxRunDurationSeconds: 10800, plans: '2:0' });
    assert.deepEqual(limitOf(2, HISTORY), { afterSeconds: 4800, usualSeconds: 2400 });
  });
});
