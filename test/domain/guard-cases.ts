// SPDX-License-Identifier: GPL-3.0-or-later
// The four cases every stored-record guard answers (issue #20): a record as written now, one an
// older version wrote (no `v`), a truncated or garbage one, one of the wrong shape; plus a newer
// version's. Shared so that each guard's test is the same table.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecord, versioned, type RecordShape } from '../../src/domain/stored-record.js';

interface Said {
  message: string;
  fields: { record: string; key: string; problem: string };
}

function parse<T>(shape: RecordShape<T>, raw: string) {
  const said: Said[] = [];
  const value = parseRecord(shape, raw, 'the/key', (message, fields) => said.push({ message, fields }));
  return { value, said };
}

/** `good` is a record as this version holds it in memory; `wrongShapes` are objects it cannot use. */
export function guardCases<T extends object>(shape: RecordShape<T>, good: T, wrongShapes: Record<string, unknown>[]) {
  it('reads a record as this version writes it, with v: 1', () => {
    const stored = JSON.stringify(versioned(good));
    assert.match(stored, /^\{"v":1,/);
    const { value, said } = parse(shape, stored);
    assert.deepEqual(value, { v: 1, ...good });
    assert.deepEqual(said, []);
  });

  it('reads a record an older version wrote, without v, as v1', () => {
    const { value, said } = parse(shape, JSON.stringify(good));
    assert.deepEqual(value, good);
    assert.deepEqual(said, []);
  });

  it('leaves out a truncated or garbage record with one log line, never a throw', () => {
    const whole = JSON.stringify(versioned(good));
    for (const raw of [whole.slice(0, whole.length - 3), '', 'garbage', '{"v":1,', 'null', '[]', '42', '"text"']) {
      const { value, said } = parse(shape, raw);
      assert.equal(value, null, raw);
      assert.equal(said.length, 1, raw);
      assert.equal(said[0]!.fields.record, shape.name);
      assert.equal(said[0]!.fields.key, 'the/key');
      assert.match(said[0]!.fields.problem, /^not (JSON|a JSON object)/, raw);
    }
  });

  it('leaves out a record of the wrong shape, saying why', () => {
    assert.ok(wrongShapes.length > 0);
    for (const wrong of wrongShapes) {
      const { value, said } = parse(shape, JSON.stringify(wrong));
      assert.equal(value, null, JSON.stringify(wrong));
      assert.equal(said.length, 1);
      assert.ok(said[0]!.fields.problem.length > 0);
    }
  });

  it('leaves out a record of a version it does not know (a newer one, after a downgrade)', () => {
    for (const v of [2, 0, '1', null]) {
      const { value, said } = parse(shape, JSON.stringify({ ...good, v }));
      assert.equal(value, null);
      assert.match(said[0]!.fields.problem, /^version .* is not one this version reads$/);
    }
  });
}
