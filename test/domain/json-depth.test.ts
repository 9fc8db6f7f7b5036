// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonNestingExceeds } from '../../src/domain/json-depth.js';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('jsonNestingExceeds', () => {
  it('allows exactly maxDepth levels and refuses one more', () => {
    assert.equal(jsonNestingExceeds(nested(3), 3), false);
    assert.equal(jsonNestingExceeds(nested(4), 3), true);
    assert.equal(jsonNestingExceeds('{"a":{"b":{"c":1}}}', 3), false);
    assert.equal(jsonNestingExceeds('{"a":{"b":{"c":[1]}}}', 3), true);
  });

  it('counts objects and arrays together', () => {
    assert.equal(jsonNestingExceeds('[{"a":[{}]}]', 4), false);
    assert.equal(jsonNestingExceeds('[{"a":[{}]}]', 3), true);
  });

  it('measures depth, not the number of brackets (siblings do not add up)', () => {
    assert.equal(jsonNestingExceeds(`[${'[1],'.repeat(10_000)}[2]]`, 2), false);
    assert.equal(jsonNestingExceeds('[[]][[]][[]]', 2), false);
  });

  it('ignores brackets inside strings', () => {
    assert.equal(jsonNestingExceeds(`["${'['.repeat(1000)}"]`, 1), false);
    assert.equal(jsonNestingExceeds(`{"${'{'.repeat(50)}": "${'}'.repeat(50)}"}`, 1), false);
  });

  it('honours escapes: an escaped quote does not end the string', () => {
    assert.equal(jsonNestingExceeds(`["a\\"[[[[", 1]`, 1), false);
    // An escaped backslash before the quote does end it: the brackets after it count.
    assert.equal(jsonNestingExceeds(`["a\\\\", [[[1]]]]`, 1), true);
    assert.equal(jsonNestingExceeds(`["a\\\\", [[[1]]]]`, 4), false);
  });

  it('does not let closing brackets first buy depth later', () => {
    assert.equal(jsonNestingExceeds(`${']'.repeat(100)}${nested(5)}`, 4), true);
  });

  it('is zero for scalars and the empty text', () => {
    assert.equal(jsonNestingExceeds('', 0), false);
    assert.equal(jsonNestingExceeds('"x"', 0), false);
    assert.equal(jsonNestingExceeds('12', 0), false);
    assert.equal(jsonNestingExceeds('[]', 0), true);
  });

  it('answers for 8 MB of brackets, which JSON.parse cannot', () => {
    const text = '['.repeat(8 * 1024 * 1024);
    assert.equal(jsonNestingExceeds(text, 1000), true);
    assert.equal(jsonNestingExceeds(nested(4 * 1024 * 1024), 4 * 1024 * 1024), false);
  });
});
