// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile round on issue #24's per-plan rule texts through configure-module, as the NS8 agent
// runs it (task H8): a plan listed twice, a plan that does not exist, an escalation later than
// escalation_after allows. Each is refused with the field named; nothing is written or restarted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readEnvFile, runAction, stubCalls } from '../sim/agent-runner.js';
import { FULL_SETTINGS, freshModule } from './harness.js';

const h = freshModule('bm-plan-rules-hostile-');
const fileEnvironment = () => readEnvFile(path.join(h.o.stateDir, 'environment'));

describe('configure-module: hostile per-plan rules', () => {
  for (const [name, value, error] of [
    ['plan_escalation', '2:3:172800,2:1:0', 'duplicate_plan'],
    ['plan_escalation', '2:3:2592001', 'number_lte'],
    ['plan_escalation', '2:3:0,9:1:0', 'unknown_plan'],
    ['plan_escalation', '999999999:1:0', 'unknown_plan'],
    ['plan_max_run_duration', '2:7200,2:0', 'duplicate_plan'],
    ['plan_max_run_duration', '1:60,9:7200', 'unknown_plan'],
  ] as const) {
    test(`${name} ${JSON.stringify(value)} is refused (${error}), nothing written`, async () => {
      const before = fileEnvironment();
      const res = await runAction('configure-module', { ...FULL_SETTINGS, [name]: value }, h.o);
      assert.equal(res.status, 'validation-failed', res.error);
      assert.deepEqual(res.output, [{ field: name, parameter: name, value, error }]);
      assert.deepEqual(fileEnvironment(), before);
      assert.deepEqual(stubCalls(h.o), []);
    });
  }

  test('rules for the plans that exist are written', async () => {
    const input = { ...FULL_SETTINGS, plan_escalation: '1:2:0,2:3:2592000', plan_max_run_duration: '2:60,1:0' };
    const res = await runAction('configure-module', input, h.o);
    assert.equal(res.status, 'completed', res.error);
    assert.equal(fileEnvironment().PLAN_ESCALATION, '1:2:0,2:3:2592000');
    assert.equal(fileEnvironment().PLAN_MAX_RUN_DURATION, '2:60,1:0');
  });
});
