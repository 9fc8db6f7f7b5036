// SPDX-License-Identifier: GPL-3.0-or-later
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastFullSuccessAt } from '../../src/domain/full-success.js';
import { OUTCOMES } from '../../src/domain/outcome.js';

test('the newest SUCCESS start, in any order; WARNING and failures are not full successes', () => {
  const runs = [
    { start: 300, outcome: 'WARNING' },
    { start: 100, outcome: 'SUCCESS' },
    { start: 250, outcome: 'PARTIAL' },
    { start: 200, outcome: 'SUCCESS' },
    { start: 400, outcome: 'MISSING' },
  ];
  assert.equal(lastFullSuccessAt(runs), 200);
  assert.equal(lastFullSuccessAt([...runs].reverse()), 200);
});

test('only SUCCESS counts among the known outcomes; an outcome of a later version does not', () => {
  for (const outcome of OUTCOMES)
    assert.equal(lastFullSuccessAt([{ start: 5, outcome }]), outcome === 'SUCCESS' ? 5 : null, outcome);
  assert.equal(lastFullSuccessAt([{ start: 5, outcome: 'SUCCESS_WITH_NOTES' }]), null);
  assert.equal(lastFullSuccessAt([]), null);
});
