// SPDX-License-Identifier: GPL-3.0-or-later
// The version written with every stored record and the once-per-record log line (issue #20).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { versioned, warnOnce } from '../../src/domain/stored-record.js';

describe('versioned', () => {
  it('writes v: 1 first, replacing whatever v the record was read with', () => {
    assert.equal(JSON.stringify(versioned({ a: 1 })), '{"v":1,"a":1}');
    assert.equal(JSON.stringify(versioned({ a: 1, v: 7 })), '{"v":1,"a":1}');
  });
  it('leaves the record it is given as it was', () => {
    const rec = { a: 1 };
    versioned(rec);
    assert.deepEqual(rec, { a: 1 });
  });
});

describe('warnOnce', () => {
  function collect(max?: number) {
    const lines: string[] = [];
    const warn = warnOnce({ warning: (msg, f) => lines.push(`${msg} ${f?.key} ${f?.problem}`) }, max);
    const say = (key: string, problem: string) => warn('left out', { record: 'plan state', key, problem });
    return { lines, say };
  }
  it('says each record and problem once, however often it is read', () => {
    const { lines, say } = collect();
    for (let i = 0; i < 5; i++) {
      say('plans 1', 'no plan id');
      say('plans 2', 'no plan id');
    }
    say('plans 1', 'not JSON');
    assert.deepEqual(lines, [
      'left out plans 1 no plan id',
      'left out plans 2 no plan id',
      'left out plans 1 not JSON',
    ]);
  });
  it('keeps a bounded memory: past max records, it may say one again', () => {
    const { lines, say } = collect(2);
    say('a', 'p');
    say('b', 'p');
    say('c', 'p');
    say('a', 'p');
    assert.equal(lines.length, 4);
  });
});
