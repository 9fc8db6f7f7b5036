// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #25: a size from outside (total_size: 1e308) printed a 300-digit number. Sizes and counts
// beyond anything a backup holds are capped with a clear mark; real sizes print as before.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatCount, SIZE_CAP_BYTES } from '../../src/domain/format.js';

describe('absurd sizes and counts', () => {
  it('real sizes up to the cap print as cluster-admin prints them', () => {
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(228.4e9), '212.71 GiB');
    assert.equal(formatBytes(1023.5 * 2 ** 50), '1,023.5 PiB');
  });

  it('sizes beyond the cap, infinity included, print as the capped value with ">"', () => {
    for (const v of [SIZE_CAP_BYTES, 1e308, Number.MAX_VALUE, Infinity])
      assert.equal(formatBytes(v), '> 1,024 PiB', String(v));
    assert.equal(formatBytes(1e308, 'it-IT'), '> 1024 PiB'); // Italian groups from 5 digits
  });

  it('counts beyond a quadrillion are capped the same way', () => {
    assert.equal(formatCount(390102), '390,102');
    assert.equal(formatCount(1e308), '> 999,999,999,999,999');
    assert.ok(formatCount(Infinity).length < 30);
  });

  it('unknown and negative values stay "-"', () => {
    for (const v of [null, undefined, '', -1, -Infinity, NaN]) assert.equal(formatBytes(v), '-');
  });
});
