// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #25: a backup status is outside data. Its times are bounded against the service's clock
// (a status dated in the future is a node whose clock is off, never a fresh success), and a status
// that cannot be read is still a status: the module shows up as "unreadable", not as never run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLOCK_TOLERANCE_SECONDS, parseModuleStatus } from '../../src/domain/backup.js';

const NOW = 1_796_500_000;
const raw = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    start: NOW - 600,
    total_size: 5,
    total_file_count: 2,
    snapshots_count: 1,
    errors: 0,
    end: NOW - 300,
    ...over,
  });

describe('parseModuleStatus: times bounded by the service clock', () => {
  it('a status of the past is taken as it is', () => {
    const s = parseModuleStatus(raw(), NOW)!;
    assert.deepEqual([s.start, s.end, s.errors, s.problem], [NOW - 600, NOW - 300, 0, undefined]);
  });

  it('a node clock a little ahead is tolerated', () => {
    const s = parseModuleStatus(raw({ start: NOW + 60, end: NOW + 90 }), NOW)!;
    assert.deepEqual([s.start, s.end, s.errors, s.problem], [NOW + 60, NOW + 90, 0, undefined]);
  });

  const future: [string, Record<string, unknown>][] = [
    ['a year ahead', { start: NOW + 365 * 86400, end: NOW + 365 * 86400 + 5 }],
    ['milliseconds written as seconds', { start: NOW * 1000, end: NOW * 1000 + 5000 }],
    ['only the end ahead', { end: NOW + CLOCK_TOLERANCE_SECONDS + 1 }],
    ['just past the tolerance', { start: NOW + CLOCK_TOLERANCE_SECONDS + 1, end: NOW + CLOCK_TOLERANCE_SECONDS + 2 }],
  ];
  for (const [name, over] of future) {
    it(`${name}: a clock problem, no trusted time, never saved`, () => {
      const s = parseModuleStatus(raw(over), NOW)!;
      assert.equal(s.problem, 'clock_ahead');
      assert.ok(s.start <= NOW && s.end <= NOW, `times ${s.start}/${s.end} past now`);
      assert.ok(s.errors > 0);
    });
  }
});

describe('parseModuleStatus: an unreadable status is reported, not dropped', () => {
  const unreadable: [string, string][] = [
    ['errors: NaN (Python json.dumps of a float NaN)', raw().replace('"errors":0', '"errors":NaN')],
    ['errors a string', raw({ errors: 'NaN' })],
    ['errors missing', raw({ errors: undefined })],
    ['start a string', raw({ start: 'yesterday' })],
    ['start missing', raw({ start: undefined })],
    ['start negative', raw({ start: -5 })],
    ['not JSON', '{"start": 17'],
    ['not an object', '[1,2]'],
  ];
  for (const [name, text] of unreadable) {
    it(name, () => {
      const s = parseModuleStatus(text, NOW);
      assert.ok(s, 'a status that exists is never read as "never ran"');
      assert.equal(s.problem, 'unreadable');
      assert.ok(s.errors > 0);
      assert.ok(s.start <= NOW && s.end <= NOW);
    });
  }

  it('a readable start is kept when only errors is unreadable', () => {
    const s = parseModuleStatus(raw({ errors: 'x' }), NOW)!;
    assert.deepEqual([s.problem, s.start, s.end], ['unreadable', NOW - 600, NOW - 300]);
  });

  it('no status at all is still "never ran"', () => {
    assert.equal(parseModuleStatus(undefined, NOW), null);
    assert.equal(parseModuleStatus('', NOW), null);
  });
});
