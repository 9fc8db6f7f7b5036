// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 5: the maximum run duration settings through configure-module, as the NS8 agent
// runs it: a good value reaches the module environment (and the service's config), a bad one is
// refused with the field named and nothing is written or restarted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { readEnvFile, runAction, stubCalls } from '../sim/agent-runner.js';
import { FULL_SETTINGS, freshModule } from './harness.js';

const h = freshModule('bm-stuck-settings-');
const fileEnvironment = () => readEnvFile(path.join(h.o.stateDir, 'environment'));

describe('configure-module: maximum run duration', () => {
  test('a maximum for every plan and one per plan reach the environment and the config', async () => {
    const input = { ...FULL_SETTINGS, max_run_duration: 10800, plan_max_run_duration: '2:5400,1:0' };
    const res = await runAction('configure-module', input, h.o);
    assert.equal(res.status, 'completed', res.error);
    const env = fileEnvironment();
    assert.equal(env.MAX_RUN_DURATION_SECONDS, '10800');
    assert.equal(env.PLAN_MAX_RUN_DURATION, '2:5400,1:0');
    const cfg = loadConfig({ ...env, MODULE_ID: 'backup-monitor1' });
    assert.deepEqual(cfg.stuck, { maxRunDurationSeconds: 10800, plans: '2:5400,1:0' });
    const back = await runAction('get-configuration', {}, h.o);
    assert.equal(back.status, 'completed', back.error);
    const out = back.output as { max_run_duration: number; plan_max_run_duration: string };
    assert.equal(out.max_run_duration, 10800);
    assert.equal(out.plan_max_run_duration, '2:5400,1:0');
  });

  for (const [name, value, error] of [
    ['plan_max_run_duration', '2:30', 'plan_max_run_duration_pattern'],
    ['plan_max_run_duration', '2:2h', 'plan_max_run_duration_pattern'],
    ['plan_max_run_duration', '2:90000', 'plan_max_run_duration_pattern'],
    ['max_run_duration', 86401, 'max_run_duration_number_lte'],
    ['max_run_duration', -60, 'max_run_duration_number_gte'],
  ] as const) {
    test(`${name} ${JSON.stringify(value)} is refused (${error}), nothing written`, async () => {
      const before = fileEnvironment();
      const res = await runAction('configure-module', { ...FULL_SETTINGS, [name]: value }, h.o);
      assert.equal(res.status, 'validation-failed');
      assert.deepEqual(res.output, [{ field: name, parameter: name, value, error }]);
      assert.deepEqual(fileEnvironment(), before);
      assert.deepEqual(stubCalls(h.o), []);
    });
  }
});
