// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #21 item 5, a WARNING plan as the admin sees it: amber "Warning since" (not the red
// "Failing since"), a Why line that names the abnormal application, the last full success of the
// SUCCESS run 3 days ago (not the WARNING run, whose data was saved), and no "0 B" for the run in
// which an application failed. The real stack (startAppStack): the runs go through the service, the
// page reads them with the real get-monitor-status; 390 and 1280 px, English and Italian, axe clean.
// Needs `npm --prefix ui run build` first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime } from '../../src/domain/format.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { planRun, replayRun, runsDecided, type ModuleResult } from '../sim/cluster.js';
import { axeSerious, openAppPage, startAppStack, type AppStack } from './browser.js';

const DAY_S = 86_400;
const PLAN_ID = 2; // Weekly SMB: nextcloud1, samba1, traefik2, webtop1
const NOW_S = Math.floor(Date.now() / 1000);
const SUCCESS_STARTS = [5, 4, 3].map((d) => NOW_S - d * DAY_S);
const PARTIAL_START = NOW_S - 2 * DAY_S; // nextcloud1 failed
const WARNING_START = NOW_S - 8 * 3600; // samba1 saved 1 kB of its usual ~1 MB: a shrink

const AMBER_TEXT = 'rgb(142, 106, 0)'; // PlanTile.vue .warning-text
const AMBER_EDGE = 'rgb(241, 194, 27)'; // PlanTile.vue .plan-warning
const WORDS = {
  'en-US': { since: 'Warning since', shrink: /^Domain controller[^:]*saved .+, much less than its usual .+\.$/ },
  'it-IT': { since: 'Con avvisi dal', shrink: /^Domain controller[^:]*ha salvato .+, molto meno del solito .+\.$/ },
} as const;

let stack: AppStack;

const quiet = (runs: number) => runsDecided(stack.redis, MODULE_ID, runs);
const runOf = (startAt: number, more: Record<string, ModuleResult> = {}) => planRun(PLAN_ID, startAt, more);

before(async () => {
  stack = await startAppStack({ tmpPrefix: 'bm-warn-', configureMailTo: ['ops@example.org'] });
  const runs = [
    ...SUCCESS_STARTS.map((t) => runOf(t)),
    runOf(PARTIAL_START, { nextcloud1: { errors: 1 } }),
    runOf(WARNING_START, { samba1: { sizeBytes: 1000 } }),
  ];
  for (const [i, results] of runs.entries()) {
    await replayRun(stack.redis, PLAN_ID, results);
    await quiet(i + 1);
  }
});
after(async () => {
  await stack?.stop();
});

describe('a WARNING plan tile (issue #21 item 5)', () => {
  for (const width of [390, 1280])
    for (const locale of ['en-US', 'it-IT'] as const)
      test(`${width} px, ${locale}: amber "Warning since", the abnormal application, the last SUCCESS, no 0 B`, async () => {
        const { ctx, app, frame } = await openAppPage(stack.browser, stack.harness.url, {
          width,
          locale,
          ready: `[data-test=plan-${PLAN_ID}]`,
        });
        try {
          const tile = app.locator(`[data-test=plan-${PLAN_ID}]`);
          assert.equal(await tile.getAttribute('data-class'), 'warning');
          assert.equal(
            await tile.evaluate((el) => getComputedStyle(el).borderLeftColor),
            AMBER_EDGE,
            'an amber edge, not red',
          );
          assert.equal(
            (await app.locator('[data-test=summary-warning] .count').innerText()).trim(),
            '1',
            'counted as a warning, not as failing',
          );

          // Amber "Warning since", never the red "Failing since": the problem streak began with the PARTIAL run.
          const since = tile.locator('[data-test=plan-failing-since]');
          assert.equal((await since.locator('dt').innerText()).trim(), WORDS[locale].since);
          const sinceValue = since.locator('dd');
          assert.match(await sinceValue.innerText(), new RegExp(formatDateTime(PARTIAL_START, { timeZone: 'UTC' })));
          assert.equal(await sinceValue.evaluate((el) => getComputedStyle(el).color), AMBER_TEXT);

          // The last full success is the SUCCESS of 3 days ago: the WARNING run saved everything but is not one.
          const lastFull = await tile.locator('[data-test=plan-last-success] dd').innerText();
          assert.match(lastFull, new RegExp(formatDateTime(SUCCESS_STARTS[2]!, { timeZone: 'UTC' })));
          assert.doesNotMatch(lastFull, new RegExp(formatDateTime(WARNING_START, { timeZone: 'UTC' })));

          // Why: the abnormal application, by name, and the way to its node's logs.
          assert.match((await tile.locator('[data-test=plan-why-text]').innerText()).trim(), WORDS[locale].shrink);
          await tile.locator('[data-test=plan-fix]').waitFor();

          // Sizes: the WARNING run's, every application saved; none of them (nor the trend) reads 0 B.
          const samba = await tile.locator('[data-test=module-samba1]').innerText();
          assert.match(samba, /1[.,]000 B/, 'samba1: the 1 kB the WARNING run saved');
          assert.doesNotMatch(await tile.innerText(), /(^|\s)0 B\b/);
          // The PARTIAL run, where nextcloud1 failed, is a mark in its trend, not a point at 0 B.
          const cloudTrend = app.locator(`[data-test=trend-${PLAN_ID}] [data-test=trend-app-nextcloud1]`);
          await cloudTrend.waitFor({ state: 'attached' }); // folded away on a phone
          assert.ok((await cloudTrend.locator('[data-test=spark-size] [data-test=spark-failure]').count()) >= 1);
          assert.doesNotMatch((await cloudTrend.textContent()) ?? '', /(^|\s)0 B\b/);

          // Nothing wider than the screen, and axe finds nothing serious.
          const wide = await frame().evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(wide <= 0, `${wide} px wider than the viewport`);
          assert.deepEqual(await axeSerious(frame()), []);
        } finally {
          await ctx.close();
        }
      });
});
