// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 items 4 and 5 on the admin page: per plan, "email after N failed runs", "escalate after
// H hours (or never)" and "maximum run duration (or from history)" in the plan table, next to the
// plan's notification policy. Saved through the real configure-module into the module environment,
// shown again after a reload; a bad value stays on its field and nothing is sent. 390 and 1280 px,
// English and Italian, axe-core. The module installed by the simulated agent on a real Redis, the
// cluster-admin stand-in and Debian Chromium. Needs `npm --prefix ui run build` first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { redisEnvironment } from '../imageroot/harness.js';
import { REPO_ROOT } from '../sim/agent-runner.js';
import { axeSerious, openAppPage, startAppStack, until, type AppStack, type OpenedApp } from './browser.js';

const SHOTS = path.join(REPO_ROOT, 'artifacts', 'screenshots');
let stack: AppStack;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  stack = await startAppStack({ tmpPrefix: 'bm-ui24r-' });
});
after(async () => {
  await stack?.stop();
});

const configureTasks = () => stack.harness.tasks.filter((t) => t.action === 'configure-module');
const lastConfigure = () => configureTasks().at(-1)!.data as Record<string, unknown>;

const openSettings = (width: number, locale = 'en-US'): Promise<OpenedApp> =>
  openAppPage(stack.browser, stack.harness.url, {
    width,
    locale,
    route: '?page=settings',
    ready: '[data-test=plans-table]',
  });

/** The plan's row of rules (the line under its policy). */
const rules = (app: FrameLocator, planId: number) => app.locator(`[data-plan-rules="${planId}"]`);

async function save(o: OpenedApp): Promise<void> {
  const before = configureTasks().filter((t) => t.result).length;
  await o.app.locator('[data-test=save]').click();
  await until('configure-module ran', () => configureTasks().filter((t) => t.result).length > before);
  await o.app.locator('[data-test=saved]').waitFor();
}

describe('failure tolerance, escalation and maximum run duration per plan', () => {
  test('1280 px: tolerance 3, escalation after 2 h and maximum 90 min on plan 2 are saved and shown again', async () => {
    const o = await openSettings(1280);
    try {
      const row = rules(o.app, 2);
      // Without a rule of its own, each field says what the plan follows.
      assert.equal(await row.locator('input[data-test=tolerance-2]').getAttribute('placeholder'), 'Default (1)');
      assert.equal(
        (await row.locator('select[data-test=escalation-2] option[value=default]').textContent())?.trim(),
        'Default (never)',
      );
      assert.equal(
        (await row.locator('select[data-test=max-run-2] option[value=default]').textContent())?.trim(),
        'Default (from its history)',
      );
      await row.locator('input[data-test=tolerance-2]').fill('3');
      await row.locator('select[data-test=escalation-2]').selectOption('after');
      await row.locator('input[data-test=field-escalation_after_2]').fill('2');
      await row.locator('select[data-test=unit-escalation_after_2]').selectOption('hours');
      await row.locator('select[data-test=max-run-2]').selectOption('maximum');
      await row.locator('input[data-test=field-max_run_duration_2]').fill('90');
      await row.locator('select[data-test=unit-max_run_duration_2]').selectOption('minutes');
      assert.deepEqual(await axeSerious(o.frame()), [], 'axe clean with the duration fields shown');
      await save(o);
      assert.equal(lastConfigure().plan_escalation, '2:3:7200');
      assert.equal(lastConfigure().plan_max_run_duration, '2:5400');
      const env = await redisEnvironment(stack.redis);
      assert.equal(env.PLAN_ESCALATION, '2:3:7200');
      assert.equal(env.PLAN_MAX_RUN_DURATION, '2:5400');

      await o.tab.reload();
      await o.app.locator('[data-test=plans-table]').waitFor();
      const again = rules(o.app, 2);
      assert.equal(await again.locator('input[data-test=tolerance-2]').inputValue(), '3');
      assert.equal(await again.locator('select[data-test=escalation-2]').inputValue(), 'after');
      assert.equal(await again.locator('input[data-test=field-escalation_after_2]').inputValue(), '2');
      assert.equal(await again.locator('select[data-test=unit-escalation_after_2]').inputValue(), 'hours');
      assert.equal(await again.locator('select[data-test=max-run-2]').inputValue(), 'maximum');
      assert.equal(await again.locator('input[data-test=field-max_run_duration_2]').inputValue(), '90');
      assert.equal(await again.locator('select[data-test=unit-max_run_duration_2]').inputValue(), 'minutes');
      // Another plan still says default.
      assert.equal(await rules(o.app, 1).locator('input[data-test=tolerance-1]').inputValue(), '');

      // Saving without changes sends exactly what was loaded.
      await save(o);
      assert.equal(lastConfigure().plan_escalation, '2:3:7200');
      assert.equal(lastConfigure().plan_max_run_duration, '2:5400');
      await o.tab.screenshot({ path: path.join(SHOTS, 'plan-rules-1280-en.png'), fullPage: true });
    } finally {
      await o.ctx.close();
    }
  });

  test('a bad value shows on its field and nothing is sent', async () => {
    const o = await openSettings(1280);
    try {
      const sent = configureTasks().length;
      const env = await redisEnvironment(stack.redis);
      const row = rules(o.app, 1);
      await row.locator('input[data-test=tolerance-1]').fill('0');
      await o.app.locator('[data-test=save]').click();
      await until('the tolerance error on plan 1', async () =>
        /Between 1 and 99/.test((await row.locator('[data-test=rule-tolerance-1]').textContent()) ?? ''),
      );
      assert.equal(await o.frame().evaluate(() => document.activeElement?.getAttribute('data-test')), 'tolerance-1');
      await row.locator('input[data-test=tolerance-1]').fill('');
      await row.locator('select[data-test=max-run-1]').selectOption('maximum');
      await row.locator('input[data-test=field-max_run_duration_1]').fill('30');
      await row.locator('select[data-test=unit-max_run_duration_1]').selectOption('seconds');
      await o.app.locator('[data-test=save]').click();
      await until('the maximum error on plan 1', async () =>
        /Between 1 minute and 1 day/.test(
          (await row.locator('[data-test=rule-max_run_duration-1]').textContent()) ?? '',
        ),
      );
      // The list next to Save names the field, and its link puts the cursor there.
      assert.equal(
        (await o.app.locator('[data-test=invalid-fields]').innerText()).trim(),
        'Maximum run duration of Daily offsite',
      );
      await o.app.locator('[data-test=goto-plan_notifications-1]').click();
      await until(
        'the cursor in the maximum',
        async () =>
          (await o.frame().evaluate(() => document.activeElement?.getAttribute('data-test'))) ===
          'field-max_run_duration_1',
      );
      assert.equal(configureTasks().length, sent, 'configure-module was not run');
      assert.deepEqual(await redisEnvironment(stack.redis), env, 'the environment is unchanged');
      assert.deepEqual(await axeSerious(o.frame()), [], 'axe clean with the errors shown');
    } finally {
      await o.ctx.close();
    }
  });

  for (const [width, locale] of [
    [390, 'en-US'],
    [390, 'it-IT'],
    [1280, 'it-IT'],
  ] as const) {
    test(`${width} px, ${locale}: the rules stack under each plan, no sideways scroll, axe clean`, async () => {
      const o = await openSettings(width, locale);
      try {
        const row = rules(o.app, 2);
        await row.scrollIntoViewIfNeeded();
        if (locale === 'it-IT') {
          assert.equal(
            await rules(o.app, 1).locator('input[data-test=tolerance-1]').getAttribute('placeholder'),
            'Predefinita (1)',
          );
          assert.match((await row.textContent()) ?? '', /Email dopo esecuzioni fallite/);
        }
        const w = await o.frame().evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        assert.ok(w[0]! <= w[1]!, `scrollWidth ${w[0]} > ${w[1]}`);
        if (width === 390) {
          // Stacked: the three fields one under the other, each the row's full width.
          const boxes = await row
            .locator('[data-test^=rule-]')
            .evaluateAll((els) =>
              els.map((el) => el.getBoundingClientRect()).map((r) => ({ top: r.top, width: r.width })),
            );
          assert.equal(boxes.length, 3);
          assert.ok(boxes[0]!.top < boxes[1]!.top && boxes[1]!.top < boxes[2]!.top, 'one under the other');
        }
        assert.deepEqual(await axeSerious(o.frame()), []);
        await o.tab.screenshot({ path: path.join(SHOTS, `plan-rules-${width}-${locale}.png`), fullPage: true });
      } finally {
        await o.ctx.close();
      }
    });
  }

  // The cluster-wide values are edited on the same page (Advanced > Timing): before saving, each
  // plan's "Default (…)" says what it will follow, and a plan's own tolerance saves the edited escalation.
  test('1280 px: the per-plan default labels follow the cluster-wide escalation and maximum as they are edited', async () => {
    const o = await openSettings(1280);
    try {
      const row = rules(o.app, 1);
      const escalationDefault = row.locator('select[data-test=escalation-1] option[value=default]');
      const maxRunDefault = row.locator('select[data-test=max-run-1] option[value=default]');
      assert.equal((await escalationDefault.textContent())?.trim(), 'Default (never)');
      assert.equal((await maxRunDefault.textContent())?.trim(), 'Default (from its history)');

      await o.app.locator('[data-test=section-timing] > button').click();
      await o.app.locator('input[data-test=field-escalation_after]').fill('3');
      await o.app.locator('select[data-test=unit-escalation_after]').selectOption('hours');
      await o.app.locator('input[data-test=field-max_run_duration]').fill('90');
      await o.app.locator('select[data-test=unit-max_run_duration]').selectOption('minutes');
      await until(
        'the escalation default follows',
        async () => (await escalationDefault.textContent())?.trim() === 'Default (after 3 hours)',
      );
      await until(
        'the maximum default follows',
        async () => (await maxRunDefault.textContent())?.trim() === 'Default (90 minutes)',
      );
      assert.deepEqual(await axeSerious(o.frame()), []);

      await row.locator('input[data-test=tolerance-1]').fill('4');
      await save(o);
      assert.equal(lastConfigure().escalation_after, 10800);
      assert.equal(lastConfigure().max_run_duration, 5400);
      assert.match(
        String(lastConfigure().plan_escalation),
        /(^|,)1:4:10800(,|$)/,
        'the edited escalation, not the loaded',
      );
    } finally {
      await o.ctx.close();
    }
  });
});
