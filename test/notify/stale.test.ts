// SPDX-License-Identifier: GPL-3.0-or-later
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staleness, staleSince } from '../../src/notify/stale.js';

const D = 86400;
const NOW = 1_786_237_200;
const AGE = 8 * D;

test('stale: no success for longer than the stale age', () => {
  const cases: {
    name: string;
    outcome: 'SUCCESS' | 'PARTIAL' | 'MISSING';
    start: number;
    prev?: { lastSuccessAt: number | null; failingSince: number | null };
    want: number | null;
  }[] = [
    {
      name: 'a success is never stale',
      outcome: 'SUCCESS',
      start: NOW,
      prev: { lastSuccessAt: NOW - 30 * D, failingSince: NOW - 29 * D },
      want: null,
    },
    {
      name: 'failing, last success 3 days ago',
      outcome: 'PARTIAL',
      start: NOW,
      prev: { lastSuccessAt: NOW - 3 * D, failingSince: NOW - 2 * D },
      want: null,
    },
    {
      name: 'failing, last success 9 days ago',
      outcome: 'PARTIAL',
      start: NOW,
      prev: { lastSuccessAt: NOW - 9 * D, failingSince: NOW - 8 * D },
      want: NOW - 9 * D,
    },
    {
      name: 'missing runs, last success 2 weeks ago',
      outcome: 'MISSING',
      start: NOW,
      prev: { lastSuccessAt: NOW - 14 * D, failingSince: NOW - 7 * D },
      want: NOW - 14 * D,
    },
    {
      name: 'never succeeded, failing for 10 days',
      outcome: 'PARTIAL',
      start: NOW,
      prev: { lastSuccessAt: null, failingSince: NOW - 10 * D },
      want: NOW - 10 * D,
    },
    { name: 'first report ever', outcome: 'PARTIAL', start: NOW, want: null },
    {
      name: 'exactly the stale age is not yet stale',
      outcome: 'PARTIAL',
      start: NOW,
      prev: { lastSuccessAt: NOW - AGE, failingSince: null },
      want: null,
    },
  ];
  for (const c of cases)
    assert.equal(staleSince({ outcome: c.outcome, start: c.start }, c.prev, NOW, AGE), c.want, c.name);
  assert.deepEqual(
    staleness({ outcome: 'PARTIAL', start: NOW }, { lastSuccessAt: NOW - 9 * D, failingSince: null }, NOW, AGE),
    { kind: 'stale', since: NOW - 9 * D },
  );
});
