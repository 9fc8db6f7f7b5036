// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #15, tried as an administrator would: 5 plans (one failing for 3 days, one partly, one that
// missed its run, one fine, one disabled) and 500 stored reports, at 1280 px and 390 px, in English
// and Italian, with the mouse and with the keyboard, and axe-core on the result. The page runs in
// Debian Chromium inside the stand-in cluster-admin (harness.ts) with the real imageroot actions on
// a real Redis; the history is stored by the service's own record store (so its index is the real one).
// Needs `npm --prefix ui run build` first. Screenshots: artifacts/screenshots/ (git-ignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { createClient } from 'redis';
import { formatDateTime } from '../../src/domain/format.js';
import { moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import type { Redis } from '../../src/ns8/redis.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { DEST_B2, DEST_SMB, seedCluster, type SimPlan } from '../sim/cluster.js';
import { installModule, REPO_ROOT, runAction, type AgentOptions } from '../sim/agent-runner.js';
import { HISTORY_PLANS, historyReports, planStateOf } from '../fixtures/history.js';
import {
  assertEmptyState,
  assertHeadingsInOrder,
  axeSerious,
  axeViolations,
  launchChromium,
  modalSettled,
  openAppPage,
  T,
  until,
  type OpenedApp,
} from './browser.js';
import { startHarness, type Harness } from './harness.js';

const SHOTS = path.join(REPO_ROOT, 'artifacts', 'screenshots');
const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const UNMAILED = NOW - 600; // plan 1's last run, a success no mail was sent for
const TOMORROW = new Date((NOW + DAY) * 1000).toISOString().slice(0, 10); // the date inputs' yyyy-mm-dd, in UTC like the browser here
const SCHEDULES: Record<number, string> = {
  1: '*-*-* 01:30:00',
  2: 'Sun *-*-* 03:00:00',
  3: '*-*-* *:15:00',
  4: '*-*-* 23:00:00',
  5: '*-*-* 12:00:00',
};

let redis: RedisServer;
let root: string;
let agent: AgentOptions;
let harness: Harness;
let browser: Browser;
let stored: StoredReport[]; // newest first, as the history holds them

const plans: SimPlan[] = HISTORY_PLANS.map((p) => ({
  id: p.id,
  name: p.name,
  repository: p.id % 2 ? DEST_B2 : DEST_SMB,
  schedule: SCHEDULES[p.id]!,
  retention: 7,
  instances: [...p.modules],
  enabled: p.id !== 5,
}));

const state = (planId: number, over: Partial<PlanState>): PlanState => planStateOf(stored, planId, over);

async function openApp(width: number, locale = 'en-US'): Promise<OpenedApp> {
  const o = await openAppPage(browser, harness.url, { width, locale, ready: '[data-test=summary]' });
  await o.app.locator('[data-test=history-table] tbody tr').first().waitFor({ timeout: T });
  await o.app.locator('[data-test=trend-1]').waitFor({ timeout: T });
  return o;
}

/** The whole page: the parent is made as tall as the app's document, then put back. */
async function shot(tab: Page, name: string): Promise<void> {
  const size = tab.viewportSize()!;
  const frame = tab.frames().find((f) => f !== tab.mainFrame() && f.url().includes(`/apps/${MODULE_ID}/index.html`))!;
  const height = await frame.evaluate(() => document.documentElement.scrollHeight);
  await tab.setViewportSize({ width: size.width, height: Math.min(height + 48, 8000) });
  await tab.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  await tab.setViewportSize(size);
}
const lastList = () => harness.tasks.filter((t) => t.action === 'list-reports').at(-1)!;
/** Waits for a list-reports answer newer than `count` tasks and for the page to show it. */
async function listed(app: FrameLocator, count: number): Promise<Record<string, unknown>> {
  await until(
    'a new list-reports answer',
    () => harness.tasks.filter((t) => t.action === 'list-reports' && t.result).length > count,
  );
  await until(
    'the table to settle',
    async () => (await app.locator('[data-test=history-table][aria-busy=true]').count()) === 0,
  );
  await new Promise((r) => setTimeout(r, 150));
  return lastList().data as Record<string, unknown>;
}
const sel = (app: FrameLocator, name: string) =>
  app.locator(`[data-test=filter-${name}] select, select[data-test=filter-${name}]`);
const listCount = () => harness.tasks.filter((t) => t.action === 'list-reports' && t.result).length;
async function rowIds(app: FrameLocator): Promise<string[]> {
  return await app
    .locator('[data-test=history-table] tbody tr')
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-test')!.slice('report-'.length)));
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  redis = await startRedis();
  await seedCluster(redis, { plans });
  root = mkdtempSync(path.join(tmpdir(), 'bm-ui15-'));
  agent = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...agent, tcpPort: 20015 })).status, 'completed');
  // No global recipients; plan 1 has its own (issue #14's PLAN_POLICIES).
  appendFileSync(path.join(agent.stateDir, 'environment'), 'PLAN_POLICIES=1:always:owner@example.org\n');
  await runAction('get-configuration', {}, agent); // the agent copies the environment file to Redis

  const writer = createClient({ url: redis.moduleUrl }) as Redis;
  writer.on('error', () => undefined);
  await writer.connect();
  const records = createRecordStore(writer, MODULE_ID);
  const all = historyReports(500, NOW - 3600);
  // Issue #21: the causes the tiles show. Plan 2's destination refused the credentials; plan 3's
  // application failed with an error line.
  const newest = (planId: number) => all.filter((r) => r.run.planId === planId).at(-1)!;
  newest(2).run.destinationHealth = {
    destinationId: DEST_SMB,
    destinationName: 'NAS share',
    verdict: 'auth',
    checks: [],
    checkedAt: NOW * 1000,
  };
  newest(3).run.modules = newest(3).run.modules.map((m) => ({
    ...m,
    result: 'failed',
    errorLines: ['Fatal: unable to save mail1: no space left on device', 'second line'],
  }));
  for (const r of all) await records.store(r, { planId: r.run.planId, planName: r.run.planName } as PlanState, false);
  stored = all.reverse();
  const k = moduleKeys(MODULE_ID);
  // Plan 1's last run was not mailed (policy problems: a success): only the runs the service keeps
  // for every run know it, one record with the version field and the run log entry without.
  await writer.hSet(
    k.runs,
    '1',
    JSON.stringify([
      {
        v: 1,
        runKey: `1:${UNMAILED}`,
        start: UNMAILED,
        outcome: 'SUCCESS',
        modules: HISTORY_PLANS[0].modules.map((id) => ({
          id,
          result: 'success',
          start: UNMAILED,
          size: id === 'mail1' ? 7_777_777_777 : 1_000_000_000,
          files: 10,
          seconds: 42,
        })),
      },
    ]),
  );
  await writer.lPush(
    k.runLog,
    JSON.stringify({
      p: 1,
      k: `1:${UNMAILED}`,
      o: 'SUCCESS',
      t: UNMAILED,
      z: 10_777_777_777,
      h: null,
      at: UNMAILED + 60,
    }),
  );
  // The mail link is down: the smarthost refuses (what the service's SMTP check stored).
  await writer.hSet(
    k.health,
    'smtp',
    JSON.stringify({ ok: false, checkedAt: NOW * 1000, error: '451 4.7.0 try again later' }),
  );
  const states = [
    state(1, { lastOutcome: 'SUCCESS', lastSuccessAt: UNMAILED, lastRunKey: `1:${UNMAILED}` }),
    state(2, { lastOutcome: 'REPO_FAILURE', failingSince: NOW - 3 * DAY, lastSuccessAt: NOW - 10 * DAY }),
    state(3, { lastOutcome: 'PARTIAL', failingSince: NOW - 2 * 3600, lastSuccessAt: NOW - 3 * 3600 }),
    state(4, { lastOutcome: 'MISSING', failingSince: NOW - DAY, lastSuccessAt: NOW - 2 * DAY }),
    state(5, { lastOutcome: 'SUCCESS', lastSuccessAt: NOW - 40 * DAY }),
  ];
  for (const s of states) await writer.hSet(k.plans, String(s.planId), JSON.stringify(s));
  for (const p of plans.filter((x) => x.enabled)) {
    await writer.hSet(
      k.watchdog,
      String(p.id),
      JSON.stringify({
        schedule: p.schedule,
        enabled: true,
        firstSeen: NOW - 60 * DAY,
        reported: null,
        nextRunAt: NOW + p.id * 3600,
      }),
    );
  }
  await writer.quit();
  harness = await startHarness({ agent, redis, moduleId: MODULE_ID });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await harness?.stop();
  await redis?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('status at a glance', () => {
  test('1280 px: summary, the failing plan first and above the fold, its facts and its ways out', async () => {
    const { ctx, tab, app } = await openApp(1280);
    const count = async (id: string) =>
      Number((await app.locator(`[data-test=summary-${id}] .count`).innerText()).trim());
    // Not delivered over the last 7 days: failed, or waiting after an error (issue #21), not among the newest 50.
    const weekAgoMs = Date.now() - 7 * DAY * 1000;
    const undelivered = stored.filter((r) => r.createdAt >= weekAgoMs && r.delivery.status !== 'sent').length;
    assert.ok(undelivered > stored.slice(0, 50).filter((r) => r.delivery.status === 'failed').length);
    assert.deepEqual(
      await Promise.all(['failing', 'warning', 'missed', 'ok', 'unprotected', 'deliveries'].map(count)),
      [2, 0, 1, 1, 1, undelivered],
    );
    assert.match(
      (await app.locator('[data-test=summary-deliveries]').innerText()).trim(),
      new RegExp(`^${undelivered}\\s+not delivered \\(7 days\\)$`),
    );
    // The mail link is down: said under the title, with the way to the smarthost settings.
    const down = app.locator('[data-test=mail-down]');
    assert.match(await down.innerText(), /Reports cannot be mailed[\s\S]*451 4\.7\.0 try again later/);
    const downBox = await down.boundingBox();
    const summaryBox = await app.locator('[data-test=summary]').boundingBox();
    assert.ok(downBox && summaryBox && downBox.y < summaryBox.y, 'the notice is under the title, above the summary');

    // Cause first: the destination's verdict and its fix; an application's first error line.
    const why2 = app.locator('[data-test=plan-2] [data-test=plan-why]');
    assert.match(await why2.innerText(), /Why: The destination NAS share refused the credentials\./);
    assert.equal((await why2.locator('[data-test=plan-fix]').innerText()).trim(), 'Backup destinations');
    const whyBox = await why2.boundingBox();
    assert.ok(whyBox && whyBox.y + whyBox.height <= 800, `the failing plan's Why is above the fold (y = ${whyBox?.y})`);
    assert.match(
      await app.locator('[data-test=plan-3] [data-test=plan-why-text]').innerText(),
      /^mail1: Fatal: unable to save mail1: no space left on device$/,
    );
    assert.match(await app.locator('[data-test=plan-3] [data-test=plan-fix]').innerText(), /System logs of node 1/);
    assert.equal(await app.locator('[data-test=plan-1] [data-test=plan-why]').count(), 0, 'a fine plan has no Why');
    // A failed application shows no size ("-", not "0 B").
    assert.match(await app.locator('[data-test=plan-3] [data-test=module-mail1]').innerText(), /Failed[\s\S]*-/);

    // The last run, not the last mail: plan 1's unmailed success, with its sizes, also in the trends.
    const unmailedAt = formatDateTime(UNMAILED, { timeZone: 'UTC' });
    assert.match(await app.locator('[data-test=plan-1] [data-test=plan-last-run]').innerText(), new RegExp(unmailedAt));
    assert.match(await app.locator('[data-test=plan-1] [data-test=module-mail1]').innerText(), /7\.24 GiB/);
    const cells = app.locator('[data-test=trend-1] [data-test=trend-strip] li');
    assert.match((await cells.last().getAttribute('title')) ?? '', new RegExp(`^${unmailedAt}: Success$`));
    // Its trend line: the failed last run is a mark and "not saved", not a point at 0 B.
    const mailTrend = app.locator('[data-test=trend-3] [data-test=trend-app-mail1]');
    assert.ok((await mailTrend.locator('[data-test=spark-size] [data-test=spark-failure]').count()) >= 1);
    assert.match(await mailTrend.innerText(), /not saved/);
    const savedTrend = app.locator('[data-test=trend-1] [data-test=trend-app-mail1]');
    assert.match(await savedTrend.innerText(), /7\.24 GiB/);
    assert.equal(await savedTrend.locator('[data-test=spark-size] path').count(), 1, 'a line of its sizes');
    assert.match(await app.locator('[data-test=summary-failing]').innerText(), /plans failing/);
    assert.match(await app.locator('[data-test=unprotected]').innerText(), /traefik1/);

    // Worst first: the repository failure (3 days), the partial one, the missed run, then OK, then disabled.
    const order = await app.locator('.plan-tile').evaluateAll((els) => els.map((e) => e.getAttribute('data-test')));
    assert.deepEqual(order, ['plan-2', 'plan-3', 'plan-4', 'plan-1', 'plan-5']);
    const box = await app.locator('[data-test=plan-2] .plan-name').boundingBox();
    assert.ok(box && box.y + box.height <= 800, `the failing plan's name is visible without scrolling (y = ${box?.y})`);

    const p2 = app.locator('[data-test=plan-2]');
    assert.match(await p2.locator('[data-test=plan-failing-since]').innerText(), /3 days ago/);
    assert.match(await p2.locator('[data-test=plan-last-success]').innerText(), /10 days ago/);
    assert.match(await p2.locator('[data-test=plan-next-run]').innerText(), /Every Sunday at 03:00[\s\S]*in 2 hours/);
    assert.match(
      await p2.locator('[data-test=plan-notify]').innerText(),
      /Problems[\s\S]*-/,
      'the default policy (NOTIFY_POLICY), nobody',
    );
    await p2.locator('[data-test=plan-no-recipients]').waitFor();
    assert.equal(
      await app.locator('[data-test=plan-1] [data-test=plan-no-recipients]').count(),
      0,
      'plan 1 has its own recipient',
    );
    assert.match(
      await app.locator('[data-test=plan-1] [data-test=plan-notify]').innerText(),
      /Every run[\s\S]*owner@example\.org/,
    );
    assert.match(await app.locator('[data-test=plan-4] [data-test=plan-outcome]').innerText(), /Did not run/);
    await app.locator('[data-test=no-global-recipients]').waitFor();
    await shot(tab, 'status-1280');

    // The last report, and the focus back on the button that opened it.
    await p2.locator('[data-test=plan-open-report]').focus();
    await tab.keyboard.press('Enter');
    await app.locator('[data-test=report-html]').waitFor({ timeout: T });
    assert.equal(
      (await app.locator('.report-modal .bx--modal-header__heading').innerText()).trim(),
      stored.find((r) => r.run.planId === 2)!.subject,
    );
    await shot(tab, 'report-1280');
    await tab.keyboard.press('Escape');
    await until(
      'the focus back on the plan button',
      async () =>
        await app
          .locator('[data-test=plan-2] [data-test=plan-open-report]')
          .evaluate((el) => el === document.activeElement),
    );

    // Ways out to cluster-admin: Backup and restore, System logs of the node.
    await p2.locator('[data-test=plan-logs-2]').click();
    await until('System logs', async () => (await tab.evaluate(() => location.hash)).startsWith('#/system-logs?'));
    const hash = new URLSearchParams((await tab.evaluate(() => location.hash)).split('?')[1]);
    assert.deepEqual(
      [hash.get('context'), hash.get('selectedNodeId'), hash.get('autoStartSearch')],
      ['node', '2', 'true'],
    );
    await tab.goBack();
    await app.locator('[data-test=plan-2] [data-test=plan-fix]').click({ timeout: 60_000 });
    await until('Backup destinations', async () => (await tab.evaluate(() => location.hash)) === '#/backup');
    await tab.goBack();
    await app.locator('[data-test=plan-2] [data-test=plan-open-backup]').click({ timeout: 60_000 });
    await until('Backup and restore', async () => (await tab.evaluate(() => location.hash)) === '#/backup?view=backup');
    await ctx.close();
  });

  test('history filters go to the server and return exactly the matching reports', async () => {
    const { ctx, tab, app } = await openApp(1280);
    assert.deepEqual(
      await rowIds(app),
      stored.slice(0, 10).map((r) => r.id),
    );
    assert.match(
      await app.locator('[data-test=history-pagination]').innerText(),
      /1–10 of 500 items[\s\S]*of 50 pages/,
    );
    // The time shown is the run's, not the report's.
    const first = stored[0]!;
    const runText = formatDateTime(first.run.start, { timeZone: 'UTC' }); // the formatter the mails use too (browser in UTC here)
    assert.equal((await app.locator('[data-test=history-table] tbody tr td').first().innerText()).trim(), runText);

    const cases: [string, (r: StoredReport) => boolean, () => Promise<unknown>][] = [
      ['plan 2', (r) => r.run.planId === 2, () => sel(app, 'plan').selectOption('2')],
      [
        'plan 2, failed repository',
        (r) => r.run.planId === 2 && r.run.outcome === 'REPO_FAILURE',
        () => sel(app, 'outcome').selectOption('REPO_FAILURE'),
      ],
      [
        'plan 2, every problem',
        (r) => r.run.planId === 2 && r.run.outcome !== 'SUCCESS',
        () => sel(app, 'outcome').selectOption('problems'),
      ],
      [
        'plan 2, problems, delivery failed',
        (r) => r.run.planId === 2 && r.run.outcome !== 'SUCCESS' && r.delivery.status === 'failed',
        () => sel(app, 'delivery').selectOption('failed'),
      ],
    ];
    for (const [name, want, act] of cases) {
      const n = listCount();
      await act();
      await listed(app, n);
      const expected = stored.filter(want).map((r) => r.id);
      assert.deepEqual(await rowIds(app), expected.slice(0, 10), name);
      if (expected.length)
        assert.match(
          await app.locator('[data-test=history-pagination]').innerText(),
          new RegExp(`of ${expected.length} items`),
          name,
        );
    }
    assert.deepEqual(lastList().data, {
      page: 1,
      per_page: 10,
      plan_id: 2,
      outcome: ['MISSING', 'PARTIAL', 'REPO_FAILURE', 'WARNING'],
      delivery: 'failed',
    });

    // A range of run days (UTC here), then the second page of it.
    let n = listCount();
    await app.locator('[data-test=filter-clear]').click();
    await listed(app, n);
    const fromDay = new Date(stored[200]!.run.start * 1000).toISOString().slice(0, 10);
    const toDay = new Date(stored[100]!.run.start * 1000).toISOString().slice(0, 10);
    n = listCount();
    await app.locator('[data-test=filter-from]').fill(fromDay);
    await listed(app, n);
    n = listCount();
    await app.locator('[data-test=filter-to]').fill(toDay);
    await listed(app, n);
    const lo = Date.parse(`${fromDay}T00:00:00Z`) / 1000;
    const hi = Date.parse(`${toDay}T23:59:59Z`) / 1000;
    const inRange = stored.filter((r) => r.run.start >= lo && r.run.start <= hi).map((r) => r.id);
    assert.deepEqual(await rowIds(app), inRange.slice(0, 10));
    n = listCount();
    await app.locator('.bx--pagination__button--forward').click();
    await listed(app, n);
    assert.deepEqual(await rowIds(app), inRange.slice(10, 20));
    assert.deepEqual(lastList().data, { page: 2, per_page: 10, from: lo, to: hi });

    // Nothing matches (no run starts after tomorrow): said so, with NS8's empty state.
    n = listCount();
    await app.locator('[data-test=filter-clear]').click();
    await listed(app, n);
    n = listCount();
    await app.locator('[data-test=filter-from]').fill(TOMORROW);
    await listed(app, n);
    assert.deepEqual(lastList().data, { page: 1, per_page: 10, from: Date.parse(`${TOMORROW}T00:00:00Z`) / 1000 });
    await assertEmptyState(app, 'history-no-match', {
      title: 'No report matches',
      description: /^None of the 500 stored reports matches these filters\.$/,
    });
    assert.equal(await app.locator('[data-test=history-table]').count(), 0);
    await shot(tab, 'history-filtered-1280');
    await ctx.close();
  });
});

describe('mobile, keyboard, languages, accessibility', () => {
  test('390 px: no horizontal scroll, tables become stacked rows, the failing plan above the fold', async () => {
    for (const locale of ['en-US', 'it-IT']) {
      const { ctx, tab, app, frame } = await openApp(390, locale);
      const widths = await frame().evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        view: window.innerWidth,
      }));
      assert.ok(widths.scroll <= widths.view, `${locale}: scrollWidth ${widths.scroll} > ${widths.view}`);
      const outer = await tab.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        view: window.innerWidth,
      }));
      assert.ok(outer.scroll <= outer.view, `${locale}: parent page scrollWidth ${outer.scroll} > ${outer.view}`);
      // Screen-reader text (the history's live count, the trend cells' names) is there and not shown.
      const shown = await frame().evaluate(() =>
        [...document.querySelectorAll('.sr-only')].map((e) => {
          const r = e.getBoundingClientRect();
          return { text: e.textContent?.trim() ?? '', width: r.width, height: r.height };
        }),
      );
      assert.ok(shown.length > 0 && shown.every((s) => s.text !== ''), `${locale}: no screen-reader text`);
      for (const s of shown) assert.ok(s.width <= 1 && s.height <= 1, `${locale}: "${s.text}" is shown`);
      const wide = await frame().evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter(
            (e) =>
              e.getBoundingClientRect().right > window.innerWidth + 1 &&
              getComputedStyle(e).position !== 'absolute' &&
              !e.closest('thead'),
          ) // the visually hidden (clipped) heads of the stacked tables
          .map((e) => `${e.tagName}.${e.className}`)
          .slice(0, 5),
      );
      assert.deepEqual(wide, [], `${locale}: nothing sticks out on the right`);
      assert.equal(
        await app.locator('[data-test=history-table] thead').evaluate((e) => e.getBoundingClientRect().height <= 1),
        true,
        'table head hidden',
      );
      assert.equal(
        await app
          .locator('[data-test=history-table] tbody tr')
          .first()
          .locator('td')
          .first()
          .evaluate((e) => getComputedStyle(e).display),
        'block',
      );
      assert.ok(
        await app.locator('.bx--pagination__button--forward').isVisible(),
        'the next-page arrow is there on a phone',
      );
      const box = await app.locator('[data-test=plan-2] .plan-name').boundingBox();
      assert.ok(box && box.y + box.height <= 844, `${locale}: the failing plan is above the fold (y = ${box?.y})`);
      await tab.screenshot({ path: path.join(SHOTS, `status-390-${locale.slice(0, 2)}-first-screen.png`) });
      await shot(tab, `status-390-${locale.slice(0, 2)}`);
      const fix = await app.locator('[data-test=plan-2] [data-test=plan-fix]').boundingBox();
      assert.ok(
        fix && fix.y + fix.height <= 844,
        `${locale}: its Why and fix button are above the fold (y = ${fix?.y})`,
      );
      // axe on the phone page (Why, fix buttons, the mail notice, failure marks): nothing serious.
      assert.deepEqual(await axeSerious(frame()), [], `${locale}: no serious or critical axe violation at 390 px`);
      if (locale === 'it-IT') {
        // Carbon shows only the range and the arrows on a phone; the rest is there for wider screens.
        assert.equal(
          (await app.locator('[data-test=history-pagination] [data-displayed-item-range]').innerText()).trim(),
          '1–10 di 500 elementi',
        );
        const pager = await app.locator('[data-test=history-pagination]').evaluate((e) => e.textContent ?? '');
        assert.match(pager, /di 50 pagine/);
        assert.doesNotMatch(pager, /\b(of|items|pages|Page)\b/);
        assert.deepEqual(
          await app
            .locator('[data-test=history-pagination] button')
            .evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))),
          ['Pagina precedente', 'Pagina successiva'],
        );
        assert.match(await app.locator('[data-test=summary-failing]').innerText(), /piani falliti/);
        assert.match(
          await app.locator('[data-test=history-filters]').innerText(),
          /Piano[\s\S]*Esito[\s\S]*Invio[\s\S]*Esecuzioni dal/,
        );
        assert.match(await app.locator('[data-test=plan-2] [data-test=plan-next-run]').innerText(), /tra 2 ore/);
        assert.equal(await app.locator('[data-test=trends] h3').innerText(), 'Andamento');
        const n = listCount();
        await app.locator('[data-test=filter-from]').fill(TOMORROW);
        await listed(app, n);
        await assertEmptyState(app, 'history-no-match', {
          title: 'Nessun report corrisponde',
          description: /^Nessuno dei 500 report conservati corrisponde a questi filtri\.$/,
        });
        const o = await frame().evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(o <= 0, `the empty state fits the phone (${o} px too wide)`);
        await assertHeadingsInOrder(frame(), 'status 390 it, history empty');
      }
      await ctx.close();
    }
  });

  test('keyboard: Tab reaches every control in page order; names are unique; axe finds nothing serious', async () => {
    const { ctx, tab, app, frame } = await openApp(1280);
    // A string, not a function: tsx would wrap the inner helpers with a __name() the page does not have.
    const controls = (await frame().evaluate(`(() => {
      const all = [...document.querySelectorAll('button, select, input, a[href], [tabindex]:not([tabindex="-1"])')];
      const shown = all.filter((e) => !e.disabled && e.offsetParent !== null && !e.closest('.bx--modal:not(.is-visible)'));
      shown.forEach((e, i) => e.setAttribute('data-tab-order', String(i)));
      const nameOf = (e) => {
        const lb = e.getAttribute('aria-labelledby');
        const label = e.id ? document.querySelector('label[for="' + e.id + '"]') : null;
        return (e.getAttribute('aria-label') || (lb && document.getElementById(lb) && document.getElementById(lb).textContent)
          || (label && label.textContent) || e.textContent || '').trim().replace(/\\s+/g, ' ');
      };
      return shown.map((e) => ({ tag: e.tagName, name: nameOf(e) }));
    })()`)) as { tag: string; name: string }[];
    assert.ok(controls.length > 30, `found ${controls.length} controls`);
    const names = controls.filter((c) => c.tag === 'BUTTON').map((c) => c.name);
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    assert.deepEqual(dupes, [], 'every button has its own accessible name');
    assert.ok(names.every(Boolean), 'no button without a name');
    const newest = stored[0]!;
    const label = `Show the report of ${newest.run.planName}, run `;
    assert.ok(
      names.some(
        (n) =>
          n.startsWith(label) &&
          n.endsWith(
            `: ${({ SUCCESS: 'Success', PARTIAL: 'Partly failed', REPO_FAILURE: 'Failed', MISSING: 'Did not run', WARNING: 'Saved, with warnings' } as Record<string, string>)[newest.run.outcome]}`,
          ),
      ),
      names
        .filter((n) => n.startsWith('Show'))
        .slice(0, 2)
        .join(' / '),
    );

    await app.locator('[data-tab-order="0"]').focus();
    const reached: number[] = [];
    for (let i = 0; i < controls.length * 2; i++) {
      const at = await frame().evaluate(() => Number(document.activeElement?.getAttribute('data-tab-order') ?? -1));
      if (at >= 0 && !reached.includes(at)) reached.push(at);
      if (reached.length === controls.length) break;
      await tab.keyboard.press('Tab');
    }
    const missing = controls.map((c, i) => ({ ...c, i })).filter((c) => !reached.includes(c.i));
    assert.deepEqual(missing, [], 'every control is reached with Tab');
    assert.deepEqual(
      reached,
      [...reached].sort((a, b) => a - b),
      'in page order',
    );

    // A report opened from the history with the keyboard: the focus comes back to its row.
    const showId = `open-${stored[3]!.id}`;
    await app.locator(`[data-test="${showId}"]`).focus();
    await tab.keyboard.press('Enter');
    await app.locator('[data-test=report-html]').waitFor({ timeout: T });
    // Escape only once Carbon's modal has finished opening (fade-in, focus moved inside it): a key
    // pressed during the 240 ms transition can be lost.
    await modalSettled(app.locator('[data-test=report-modal]'), true);
    await tab.keyboard.press('Escape');
    await until(
      'the focus back on the row button',
      async () => await app.locator(`[data-test="${showId}"]`).evaluate((el) => el === document.activeElement),
    );
    // …and axe below only once its fade-out has ended (a half-faded heading fails its contrast).
    await modalSettled(app.locator('[data-test=report-modal]'), false);

    const found = await axeViolations(frame());
    if (found.length) console.log('axe (en):', JSON.stringify(found));
    const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(serious, [], 'no serious or critical axe violation');
    // Moderate, but refused too: no heading skips a level. (axe's page-has-heading-one stays in the
    // log above: an NS8 module titles its page with an h2, cluster-admin holds the h1.)
    await assertHeadingsInOrder(frame(), 'status 1280 en');
    await ctx.close();
  });
});
