// SPDX-License-Identifier: GPL-3.0-or-later
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isOutcome,
  isProblem,
  OUTCOME_TABLE,
  OUTCOMES,
  outcomeRow,
  savedEverything,
} from '../../src/domain/outcome.js';

test('the table has a row for every outcome and no other', () => {
  assert.deepEqual(Object.keys(OUTCOME_TABLE).sort(), [...OUTCOMES].sort());
});

test('ranks are distinct and put failures before warnings before successes', () => {
  const ranks = OUTCOMES.map((o) => OUTCOME_TABLE[o].rank);
  assert.equal(new Set(ranks).size, OUTCOMES.length);
  assert.ok(OUTCOME_TABLE.REPO_FAILURE.rank < OUTCOME_TABLE.WARNING.rank);
  assert.ok(OUTCOME_TABLE.WARNING.rank < OUTCOME_TABLE.SUCCESS.rank);
});

test('only SUCCESS is not a problem; SUCCESS and WARNING saved everything', () => {
  assert.deepEqual(
    OUTCOMES.filter((o) => !isProblem(o)),
    ['SUCCESS'],
  );
  assert.deepEqual(OUTCOMES.filter(savedEverything), ['SUCCESS', 'WARNING']);
});

test('the destination is checked exactly after runs whose applications failed', () => {
  assert.deepEqual(
    OUTCOMES.filter((o) => OUTCOME_TABLE[o].destinationCheck),
    ['PARTIAL', 'REPO_FAILURE'],
  );
});

test('an unknown stored name is a warning, never a success', () => {
  assert.equal(isOutcome('NEWER'), false);
  assert.equal(isOutcome('toString'), false);
  assert.equal(outcomeRow('NEWER'), OUTCOME_TABLE.WARNING);
  assert.equal(isProblem('NEWER'), true);
});
