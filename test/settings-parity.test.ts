// SPDX-License-Identifier: GPL-3.0-or-later
// The action (Python, backup_monitor/settings.py) and the service (TypeScript, src/settings.ts)
// accept exactly the same values: one table, both validators, case by case (issue #10 item 4:
// configure-module used to write values the service refused, and drop recipients).
//
// Values are JSON text so that each side decodes them its own way (`30.0` and `1e3` are floats
// in Python, plain numbers in JavaScript). Only values of the field's JSON type and a few wrong
// types are listed: the service also reads the environment's text form of numbers and booleans
// ("30", "1"), which the action never receives (its JSON schema wants numbers and booleans).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ACTION_SETTINGS, parseSetting } from '../src/settings.js';
import { IMAGEROOT, SYSTEM_PATH } from './sim/agent-runner.js';

const emoji = (n: number) => JSON.stringify('\u{1F600}'.repeat(n));
const many = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `u${i}@example.org`));

/** [field, JSON text, accepted?] */
const TABLE: [string, string, boolean][] = [
  ['wait_seconds', '30', true],
  ['wait_seconds', '30.0', true],
  ['wait_seconds', '1e3', true],
  ['wait_seconds', '0', true],
  ['wait_seconds', '3600', true],
  ['wait_seconds', '3601', false],
  ['wait_seconds', '-1', false],
  ['wait_seconds', '30.5', false],
  ['wait_seconds', 'true', false],
  ['wait_seconds', 'null', false],
  ['wait_seconds', '1e400', false],
  ['wait_seconds', '[30]', false],
  ['stale_age', '3599', false],
  ['stale_age', '3600', true],
  ['stale_age', '31622400', true],
  ['stale_age', '3.6e3', true],
  ['repo_check_timeout', '4', false],
  ['repo_check_timeout', '5', true],
  ['reminder_interval', '0', true],
  ['recent_window', '59', false],
  ['recent_window', '7200.0', true],
  ['missed_run_grace', '604800', true],
  ['missed_run_grace', '604801', false],
  ['subject_prefix', '"[NS8 Backup]"', true],
  ['subject_prefix', '""', true],
  ['subject_prefix', emoji(41), true],
  ['subject_prefix', emoji(80), true],
  ['subject_prefix', emoji(81), false],
  ['subject_prefix', JSON.stringify('x'.repeat(80)), true],
  ['subject_prefix', JSON.stringify('x'.repeat(81)), false],
  ['subject_prefix', '"a\\nBcc: x@y.z"', false],
  ['subject_prefix', '"a\\n"', false],
  ['subject_prefix', '"say \\"hi\\""', false],
  ['subject_prefix', '"$HOME"', false],
  ['subject_prefix', '"back\\\\slash"', false],
  ['subject_prefix', '" lead"', false],
  ['subject_prefix', '"trail "', false],
  ['subject_prefix', '"tab\\there"', false],
  ['subject_prefix', '"caffè ☕ [ok]"', true],
  ['subject_prefix', '5', false],
  ['language', '"en"', true],
  ['language', '"it"', true],
  ['language', '"EN"', false],
  ['language', '"de"', false],
  ['language', '""', false],
  ['language', '1', false],
  ['notify_policy', '"problems"', true],
  ['notify_policy', '"off"', true],
  ['notify_policy', '"never"', false],
  ['notify_policy', 'true', false],
  ['digest_frequency', '"daily"', true],
  ['digest_frequency', '"monthly"', false],
  ['digest_weekday', '"sun"', true],
  ['digest_weekday', '"Sunday"', false],
  ['failure_tolerance', '1', true],
  ['failure_tolerance', '99', true],
  ['failure_tolerance', '0', false],
  ['failure_tolerance', '100', false],
  ['escalation_after', '0', true],
  ['escalation_after', '172800', true],
  ['escalation_after', '2592001', false],
  ['escalation_to', '["it-manager@example.org"]', true],
  ['escalation_to', '["not an address"]', false],
  ['plan_escalation', '""', true],
  ['plan_escalation', '"2:3:172800"', true],
  ['plan_escalation', '"2:3:172800,5:1:0"', true],
  ['plan_escalation', '"2:0:60"', false],
  ['plan_escalation', '"2:3"', false],
  ['plan_escalation', '"2:3:60,"', false],
  ['plan_escalation', '"2:3:60\\nX=1"', false],
  ['plan_escalation', '"x:3:60"', false],
  ['max_run_duration', '0', true],
  ['max_run_duration', '7200', true],
  ['max_run_duration', '86401', false],
  ['max_run_duration', '-1', false],
  ['plan_max_run_duration', '""', true],
  ['plan_max_run_duration', '"2:7200"', true],
  ['plan_max_run_duration', '"2:7200,5:0,7:60,9:86400,11:86399,13:79999"', true],
  ['plan_max_run_duration', '"2:59"', false],
  ['plan_max_run_duration', '"2:86401"', false],
  ['plan_max_run_duration', '"2:90000"', false],
  ['plan_max_run_duration', '"2:07200"', false],
  ['plan_max_run_duration', '"0:7200"', false],
  ['plan_max_run_duration', '"2:7200,"', false],
  ['plan_max_run_duration', '"2"', false],
  ['plan_max_run_duration', '"2:2h"', false],
  ['plan_max_run_duration', '"2:7200\\nX=1"', false],
  ['digest_time', '"08:00"', true],
  ['digest_time', '"23:59"', true],
  ['digest_time', '"24:00"', false],
  ['digest_time', '"8:00"', false],
  ['digest_time', '"08:00\\n"', false],
  ['plan_notifications', '[]', true],
  ['plan_notifications', '[{"plan_id": 2, "policy": "always", "mail_to": ["o@example.org", "a+b@example.org"]}]', true],
  ['plan_notifications', '[{"plan_id": 2}, {"plan_id": 3, "policy": "default", "mail_to": ["x@example.org"]}]', true],
  ['plan_notifications', '[{"plan_id": 2, "policy": "loud"}]', false],
  ['plan_notifications', '[{"plan_id": 2, "mail_to": ["x@"]}]', false],
  ['plan_notifications', '[{"plan_id": 2, "mail_to": ["a;b@example.org"]}]', false],
  ['plan_notifications', '[{"plan_id": 0}]', false],
  ['plan_notifications', '[{"plan_id": "2"}]', false],
  ['plan_notifications', '[{"plan_id": 2}, {"plan_id": 2}]', false],

  ['repo_check_enabled', 'null', false],
  ['mail_from', '""', true],
  ['mail_from', '"ns8@example.org"', true],
  ['mail_from', '" ns8@example.org "', true],
  ['mail_from', '"me@"', false],
  ['mail_from', '"ns8@example.org\\n"', false],
  ['mail_from', '"ns8@example"', false],
  ['mail_from', '"o\'neil@example.org"', false],
  ['mail_from', '"ü@example.org"', false],
  ['mail_from', '7', false],
  ['mail_to', '[]', true],
  ['mail_to', '["ops@example.org", "b.c+tag@sub.example.org"]', true],
  ['mail_to', '["ops@example.org\\n"]', false],
  ['mail_to', '["ops@example.org\\nBcc: evil@example.net"]', false],
  ['mail_to', '["ops@example.org\\r"]', false],
  ['mail_to', '[" ops@example.org"]', true],
  ['mail_to', '[""]', false],
  ['mail_to', '["ops@example.org", "ops@example.org"]', false],
  ['mail_to', '["a@example.org,b@example.org"]', false],
  ['mail_to', '["a b@example.org"]', false],
  ['mail_to', '[5]', false],
  ['mail_to', many(50), true],
  ['mail_to', many(51), false],
  // Issue #22: the channels' settings that are not secrets.
  ['cluster_admin_url', '""', true],
  ['cluster_admin_url', '"https://leader.example.org/cluster-admin/"', true],
  ['cluster_admin_url', '"http://10.5.4.1:9311/cluster-admin/#/apps/backup-monitor1"', true],
  ['cluster_admin_url', '"leader.example.org"', false],
  ['cluster_admin_url', '"ftp://leader.example.org/"', false],
  ['cluster_admin_url', '"https://leader.example.org/\\nX=1"', false],
  ['cluster_admin_url', '"https://leader.example.org/\\"x"', false],
  ['telegram_chat_id', '""', true],
  ['telegram_chat_id', '"-1001234567890"', true],
  ['telegram_chat_id', '"42"', true],
  ['telegram_chat_id', '"@backup_alerts"', true],
  ['telegram_chat_id', '"@ab"', false],
  ['telegram_chat_id', '"me"', false],
  ['telegram_chat_id', '"42\\n"', false],
  ['telegram_level', '"every"', true],
  ['telegram_level', '"problems"', true],
  ['telegram_level', '"always"', false],
  ['teams_level', '"every"', true],
  ['ntfy_level', '"problems"', true],
  ['webhook_level', '"off"', false],
  ['telegram_plans', '""', true],
  ['telegram_plans', '"2"', true],
  ['telegram_plans', '"2,5,17"', true],
  ['teams_plans', '"2,"', false],
  ['ntfy_plans', '"0"', false],
  ['webhook_plans', '"2;5"', false],
  ['webhook_plans', '" 2"', false],
];

interface PyResult {
  ok: boolean;
  value?: unknown;
  env?: Record<string, string>;
  code?: string;
}

function python(): PyResult[] {
  const script = `
import json, sys
from backup_monitor.settings import BY_NAME, Invalid, clean, to_environment
out = []
for name, text in json.load(sys.stdin):
    value = json.loads(text)
    try:
        v = clean(BY_NAME[name], value)
        env = {k: e for k, e in to_environment({name: value}).items() if k == BY_NAME[name]['env']}
        out.append({'ok': True, 'value': v, 'env': env})
    except Invalid as e:
        out.append({'ok': False, 'code': e.code})
json.dump(out, sys.stdout)`;
  const r = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(TABLE.map(([f, t]) => [f, t])),
    encoding: 'utf8',
    env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as PyResult[];
}

/** plan_policies parse to a Map (notify/policy.ts); compare it in the action's list shape. */
const plain = (v: unknown) =>
  v instanceof Map
    ? [...(v as Map<number, { policy: string | null; recipients: string[] }>)].map(([id, p]) => ({
        plan_id: id,
        policy: p.policy ?? 'default',
        mail_to: p.recipients,
      }))
    : v;

function service(field: string, raw: unknown): { ok: boolean; value?: unknown; error?: string } {
  const spec = ACTION_SETTINGS.find((s) => s.name === field)!;
  try {
    return { ok: true, value: plain(parseSetting(spec, raw)) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

describe('action and service accept the same settings', () => {
  const py = python();
  TABLE.forEach(([field, text, accepted], i) => {
    test(`${field} = ${text.length > 60 ? text.slice(0, 57) + '...' : text} is ${accepted ? 'accepted' : 'refused'} by both`, () => {
      const ts = service(field, JSON.parse(text));
      assert.equal(py[i]!.ok, accepted, `python: ${JSON.stringify(py[i])}`);
      assert.equal(ts.ok, accepted, `service: ${JSON.stringify(ts)}`);
      if (!accepted) return;
      assert.deepEqual(ts.value, py[i]!.value, 'the same normalized value');
      const [[variable, line]] = Object.entries(py[i]!.env!) as [[string, string]];
      assert.ok(!/[\r\n]/.test(line), `${variable} stays on one line of the environment file`);
      assert.deepEqual(
        service(field, line).value,
        ts.value,
        `the service reads back what the action wrote: ${variable}=${line}`,
      );
    });
  });

  test('every field of configure-module is in the table', () => {
    assert.deepEqual(new Set(ACTION_SETTINGS.map((s) => s.name)), new Set(TABLE.map(([f]) => f)));
  });
});
