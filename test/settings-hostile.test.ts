// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile round on issue #24's per-plan rule texts (task H8): plan_escalation and
// plan_max_run_duration, as a hostile admin types them into configure-module. Both validators
// (the action's backup_monitor/settings.py and the service's src/settings.ts) must refuse the same
// values with a clear error: a plan listed twice used to be accepted, the last entry silently
// winning, and a plan's escalation could be set beyond what escalation_after allows for every plan.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ACTION_SETTINGS, parseSetting } from '../src/settings.js';
import { IMAGEROOT, SYSTEM_PATH } from './sim/agent-runner.js';

/** `n` entries `<id>:3:0` with ids 1..n. */
const entries = (n: number, sep = ',') => Array.from({ length: n }, (_, i) => `${i + 1}:3:0`).join(sep);
/** A text of exactly `n` characters that the pattern accepts. */
function ofLength(n: number): string {
  let s = entries(1);
  let id = 2;
  while (s.length + `,${id}:1:0`.length <= n) s += `,${id++}:1:0`;
  return s.replace(/^1:3:0/, `1:3:${'1'.padEnd(n - s.length + 1, '0')}`).slice(0, n);
}

/** [field, value, python error code or null when accepted] */
const TABLE: [string, unknown, string | null][] = [
  ['plan_escalation', '2:3:172800,2:1:0', 'duplicate_plan'],
  ['plan_escalation', '2:3:0,5:1:0,02:1:0', 'pattern'],
  ['plan_escalation', `${entries(300)},150:1:0`, 'duplicate_plan'],
  ['plan_escalation', '2:3:2592000', null],
  ['plan_escalation', '2:3:2592001', 'number_lte'],
  ['plan_escalation', '2:3:9999999', 'number_lte'],
  ['plan_escalation', '2:3:-1', 'pattern'],
  ['plan_escalation', '-2:3:60', 'pattern'],
  ['plan_escalation', '2:3:1e3', 'pattern'],
  ['plan_escalation', '1234567890:3:60', 'pattern'],
  ['plan_escalation', '999999999:3:60', null],
  ['plan_escalation', '\u0662:3:60', 'pattern'], // ARABIC-INDIC DIGIT TWO
  ['plan_escalation', '\uff12:3:60', 'pattern'], // FULLWIDTH DIGIT TWO
  ['plan_escalation', ' 2:3:60', 'pattern'],
  ['plan_escalation', '2:3:60 ', 'pattern'],
  ['plan_escalation', '2:3:60, 5:1:0', 'pattern'],
  ['plan_escalation', '2:3:60\t', 'pattern'],
  ['plan_escalation', '<b>2</b>:3:60', 'pattern'],
  ['plan_escalation', 2, 'invalid_type'],
  ['plan_escalation', ofLength(8000), null],
  ['plan_escalation', `${ofLength(8000)}0`, 'string_lte'],
  ['plan_escalation', 'x'.repeat(1_000_000), 'string_lte'],
  ['plan_max_run_duration', '2:7200,2:0', 'duplicate_plan'],
  ['plan_max_run_duration', '2:7200,3:60,3:60', 'duplicate_plan'],
  ['plan_max_run_duration', '2:\u0667200', 'pattern'],
  ['plan_max_run_duration', '2:-7200', 'pattern'],
  ['plan_max_run_duration', '2:99999999999999999999', 'pattern'],
  ['plan_max_run_duration', '2:7200,\n3:60', 'string_lte'],
];

function python(): { ok: boolean; code?: string }[] {
  const script = `
import json, sys
from backup_monitor.settings import BY_NAME, Invalid, clean, validate
out = []
for name, value in json.load(sys.stdin):
    try:
        clean(BY_NAME[name], value)
        errors = validate({name: value})
        out.append({'ok': not errors, 'code': errors[0]['error'] if errors else None})
    except Invalid as e:
        codes = [x['error'] for x in validate({name: value})]
        out.append({'ok': False, 'code': e.code if codes == [e.code] else f'clean {e.code}, validate {codes}'})
json.dump(out, sys.stdout)`;
  const r = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(TABLE.map(([f, v]) => [f, v])),
    encoding: 'utf8',
    env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { ok: boolean; code?: string }[];
}

function service(field: string, raw: unknown): { ok: boolean; error?: string } {
  const spec = ACTION_SETTINGS.find((s) => s.name === field)!;
  try {
    parseSetting(spec, raw);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

const show = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 50 ? `${s.slice(0, 47)}...` : s;
};

describe('per-plan rule texts from a hostile admin', () => {
  const py = python();
  TABLE.forEach(([field, value, code], i) => {
    test(`${field} = ${show(value)}: ${code ?? 'accepted'} on both sides`, () => {
      assert.deepEqual(py[i], { ok: code === null, code }, 'the action');
      const ts = service(field, value);
      assert.equal(ts.ok, code === null, `the service: ${ts.error}`);
      if (code === 'duplicate_plan') assert.match(ts.error!, /listed twice/);
      if (ts.error) assert.ok(ts.error.length < 300, 'the error says what, not the whole value');
    });
  });

  test('the 8,000-character cases are what they claim', () => {
    assert.equal(ofLength(8000).length, 8000);
    assert.match(ofLength(8000), /^[0-9:,]+$/);
  });
});
