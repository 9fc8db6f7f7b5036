// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #21, item 6 and "a phone-sized page": at 390×844, in English and Italian, on a cluster of 6
// plans (failing for 3 days, partly failing, missed, warning, fine, disabled) and 500 reports, the
// first failing plan's Why and its fix are on the first screen, the page is at most 6 screens tall,
// nothing is wider than the phone and the summary cells do not overlap; axe-core finds nothing
// serious or critical in any state of the page (status, report window, empty, error) at 390 and
// 1280 px. Real imageroot actions on a real Redis, Debian Chromium (browser.ts).
// Needs `npm --prefix ui run build` first. Screenshots: artifacts/screenshots/phone-*.png (git-ignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Frame, FrameLocator } from 'playwright-core';
import { createClient } from 'redis';
import { moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import type { Redis } from '../../src/ns8/redis.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { DEST_B2, DEST_SMB, seedCluster, type SimPlan } from '../sim/cluster.js';
import { installModule, REPO_ROOT, type AgentOptions } from '../sim/agent-runner.js';
import { HISTORY_PLANS, historyReports, planStateOf } from '../fixtures/history.js';
import { axeSerious, launchChromium, modalSettled, openAppPage, T, type OpenedApp } from './browser.js';
import { startHarness, type Harness } from './harness.js';

const SHOTS = path.join(REPO_ROOT, 'artifacts', 'screenshots');
const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const PHONE = { width: 390, height: 844 };
const WARNING_PLAN = { id: 6, name: 'Files with warnings', modules: ['samba1', 'nextcloud1'] };

interface World {
  redis: RedisServer;
  root: string;
  harness: Harness;
}
let full: World;
let empty: World;
let browser: Browser;
let stored: StoredReport[]; // newest first

const plans: SimPlan[] = [
  ...HISTORY_PLANS.map((p) => ({
    id: p.id,
    name: p.name,
    repository: p.id % 2 ? DEST_B2 : DEST_SMB,
    schedule: '*-*-* 01:30:00',
    retention: 7,
    instances: [...p.modules],
    enabled: p.id !== 5,
  })),
  {
    id: WARNING_PLAN.id,
    name: WARNING_PLAN.name,
    repository: DEST_B2,
    schedule: '*-*-* 02:00:00',
    retention: 7,
    instances: [...WARNING_PLAN.modules],
    enabled: true,
  },
];

/** Six runs of the warning plan, a day apart, newest last: its applications saved, samba1 shrank. */
function warningReports(newestStart: number): StoredReport[] {
  const base = historyReports(1, newestStart)[0]!;
  return Array.from({ length: 6 }, (_, i) => {
    const start = newestStart - (5 - i) * DAY;
    return {
      ...base,
      id: `6-${start}`,
      createdAt: (start + 700) * 1000,
      subject: `[NS8 Backup] WARNING: ${WARNING_PLAN.name}`,
      run: {
        ...base.run,
        runKey: `6:${start}`,
        planId: 6,
        planName: WARNING_PLAN.name,
        outcome: 'WARNING',
        start,
        end: start + 600,
        modules: WARNING_PLAN.modules.map((id, j) => ({
          ...base.run.modules[0]!,
          moduleId: id,
          node: 1,
          result: 'success' as const,
          start: start + j * 60,
          end: start + j * 60 + 40,
          totalSize: j ? 3e9 : 1e8,
          errors: 0,
          anomalies: j ? [] : [{ kind: 'shrink' as const, value: 1e8, median: 2e9 }],
        })),
      },
    };
  });
}

const state = (planId: number, over: Partial<PlanState>): PlanState => planStateOf(stored, planId, over);

async function world(prefix: string, withPlans: SimPlan[], port: number): Promise<World & { agent: AgentOptions }> {
  const redis = await startRedis();
  await seedCluster(redis, { plans: withPlans });
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const agent = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...agent, tcpPort: port })).status, 'completed');
  const harness = await startHarness({ agent, redis, moduleId: MODULE_ID });
  return { redis, root, harness, agent };
}

async function seedReports(redis: RedisServer): Promise<void> {
  const writer = createClient({ url: redis.moduleUrl }) as Redis;
  writer.on('error', () => undefined);
  await writer.connect();
  const records = createRecordStore(writer, MODULE_ID);
  const all = [...historyReports(494, NOW - 3600), ...warningReports(NOW - 7200)].sort(
    (a, b) => a.run.start - b.run.start,
  );
  const newest = (planId: number) => all.filter((r) => r.run.planId === planId).at(-1)!;
  newest(2).run.destinationHealth = {
    destinationId: DEST_SMB,
    destinationName: 'NAS share',
    verdict: 'auth',
    checks: [],
    checkedAt: NOW * 1000,
  };
  for (const r of all) await records.store(r, { planId: r.run.planId, planName: r.run.planName } as PlanState, false);
  stored = all.reverse();
  const k = moduleKeys(MODULE_ID);
  const states = [
    state(1, { lastOutcome: 'SUCCESS', lastSuccessAt: NOW - 3600 }),
    state(2, { lastOutcome: 'REPO_FAILURE', failingSince: NOW - 3 * DAY, lastSuccessAt: NOW - 10 * DAY }),
    state(3, { lastOutcome: 'PARTIAL', failingSince: NOW - 2 * 3600, lastSuccessAt: NOW - 3 * 3600 }),
    state(4, { lastOutcome: 'MISSING', failingSince: NOW - DAY, lastSuccessAt: NOW - 2 * DAY }),
    state(5, { lastOutcome: 'SUCCESS', lastSuccessAt: NOW - 40 * DAY }),
    state(6, { lastOutcome: 'WARNING', failingSince: NOW - 7200, lastSuccessAt: NOW - 7200 }),
  ];
  for (const s of states) await writer.hSet(k.plans, String(s.planId), JSON.stringify(s));
  for (const p of plans.filter((x) => x.enabled))
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
  await writer.quit();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  full = await world('bm-ui21p-', plans, 20021);
  await seedReports(full.redis);
  empty = await world('bm-ui21e-', [], 20022);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const w of [full, empty]) {
    await w?.harness.stop();
    await w?.redis.stop();
    if (w?.root) rmSync(w.root, { recursive: true, force: true });
  }
});

const openApp = (w: World, width: number, locale = 'en-US', ready = '[data-test=summary]'): Promise<OpenedApp> =>
  openAppPage(browser, w.harness.url, { width, locale, ready });

/** Waits for the page's data (summary, history, trends) to be drawn. */
async function loaded(app: FrameLocator): Promise<void> {
  await app.locator('[data-test=history-table] tbody tr').first().waitFor({ timeout: T });
  await app.locator('[data-test=trend-1]').waitFor({ timeout: T });
}

/** The whole page: the parent is made as tall as the app's document, then put back. */
async function shot(o: OpenedApp, name: string): Promise<void> {
  const size = o.tab.viewportSize()!;
  const height = await o.frame().evaluate(() => document.documentElement.scrollHeight);
  await o.tab.setViewportSize({ width: size.width, height: Math.min(Math.max(height, size.height) + 48, 12000) });
  await o.tab.screenshot({ path: path.join(SHOTS, `phone-${name}.png`) });
  await o.tab.setViewportSize(size);
}

/** Shown elements sticking out of the app's viewport (the clipped heads of stacked tables aside). */
async function tooWide(frame: Frame): Promise<string[]> {
  return (await frame.evaluate(`[...document.querySelectorAll('body *')]
    .filter((e) => {
      const r = e.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) return false;
      if (e.closest('thead, .sr-only, .bx--modal:not(.is-visible)')) return false;
      if (getComputedStyle(e).visibility === 'hidden') return false;
      return r.right > window.innerWidth + 1 || r.left < -1;
    })
    .map((e) => e.tagName + '.' + String(e.className) + ' ' + (e.getAttribute('data-test') || '') + ' right=' + Math.round(e.getBoundingClientRect().right))
    .slice(0, 8)`)) as string[];
}

const bottomOf = async (app: FrameLocator, selector: string): Promise<number> => {
  const b = await app.locator(selector).boundingBox();
  assert.ok(b, `${selector} is shown`);
  return b.y + b.height;
};

describe('a phone-sized Status page', () => {
  for (const locale of ['en-US', 'it-IT']) {
    test(`390×844 ${locale}: the cause and its fix first, at most 6 screens, nothing too wide`, async () => {
      const o = await openApp(full, PHONE.width, locale);
      const { app } = o;
      await loaded(app);
      const lang = locale.slice(0, 2);
      await o.tab.screenshot({ path: path.join(SHOTS, `phone-status-390-${lang}-first-screen.png`) });
      await shot(o, `status-390-${lang}`);

      // Worst first, and the first failing plan's Why and fix on the first screen.
      const order = await app.locator('.plan-tile').evaluateAll((els) => els.map((e) => e.getAttribute('data-test')));
      assert.deepEqual(order.slice(0, 3), ['plan-2', 'plan-3', 'plan-4']);
      const whyBottom = await bottomOf(app, '[data-test=plan-2] [data-test=plan-why-text]');
      const fixBottom = await bottomOf(app, '[data-test=plan-2] [data-test=plan-fix]');
      assert.ok(whyBottom <= PHONE.height, `${lang}: Why above the fold (bottom ${whyBottom})`);
      assert.ok(fixBottom <= PHONE.height, `${lang}: its fix above the fold (bottom ${fixBottom})`);

      // Failing tiles: Why, What to do (the fix), Last report, then the facts.
      for (const id of [2, 3, 4, 6]) {
        const p = `[data-test=plan-${id}]`;
        const ys = await Promise.all(
          ['plan-why', 'plan-open-report', 'plan-facts'].map(
            async (t) => (await app.locator(`${p} [data-test=${t}]`).boundingBox())?.y ?? -1,
          ),
        );
        assert.ok(
          ys[0]! >= 0 && ys[0]! < ys[1]! && ys[1]! < ys[2]!,
          `${lang} plan ${id}: Why ${ys[0]}, report ${ys[1]}, facts ${ys[2]}`,
        );
      }
      // OK and disabled plans: one line each, the rest behind a button.
      for (const id of [1, 5]) {
        const tile = app.locator(`[data-test=plan-${id}]`);
        const h = (await tile.boundingBox())!.height;
        assert.ok(h <= 72, `${lang}: plan ${id} is one line (${h} px)`);
        const expand = tile.locator('[data-test=plan-expand]');
        assert.equal(await expand.getAttribute('aria-expanded'), 'false');
        assert.equal(await tile.locator('[data-test=plan-facts]').isVisible(), false);
      }
      // Module and history rows: one line each.
      const rowHeights = async (s: string) =>
        await app.locator(s).evaluateAll((trs) => trs.map((tr) => Math.round(tr.getBoundingClientRect().height)));
      for (const [what, s] of [
        ['module', '[data-test=plan-2] table.modules tbody tr'],
        ['history', '[data-test=history-table] tbody tr'],
      ] as const) {
        const hs = await rowHeights(s);
        assert.ok(
          hs.length > 0 && hs.every((h) => h <= 56),
          `${lang}: ${what} rows one line each (${hs.join(', ')} px)`,
        );
      }

      // At most 6 screens tall; nothing sticks out; the summary cells do not overlap.
      const height = await o.frame().evaluate(() => document.documentElement.scrollHeight);
      assert.ok(
        height <= 6 * PHONE.height,
        `${lang}: the page is ${height} px (${(height / PHONE.height).toFixed(1)} screens)`,
      );
      assert.deepEqual(await tooWide(o.frame()), [], `${lang}: nothing wider than the phone`);
      const cells = await app.locator('[data-test=summary] .summary-cell').evaluateAll((els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { l: r.left, r: r.right, t: r.top, b: r.bottom };
        }),
      );
      assert.equal(cells.length, 6);
      const overlaps: string[] = [];
      cells.forEach((a, i) =>
        cells.slice(i + 1).forEach((b, j) => {
          const x = Math.min(a.r, b.r) - Math.max(a.l, b.l);
          const y = Math.min(a.b, b.b) - Math.max(a.t, b.t);
          if (x > 0.5 && y > 0.5) overlaps.push(`${i}/${i + j + 1}: ${Math.round(x)}×${Math.round(y)} px`);
        }),
      );
      assert.deepEqual(overlaps, [], `${lang}: summary cells overlap`);

      // An OK plan opens with its button and shows its facts.
      await app.locator('[data-test=plan-1] [data-test=plan-expand]').click();
      await app.locator('[data-test=plan-1] [data-test=plan-facts]').waitFor({ state: 'visible' });
      assert.equal(
        await app.locator('[data-test=plan-1] [data-test=plan-expand]').getAttribute('aria-expanded'),
        'true',
      );
      assert.deepEqual(await axeSerious(o.frame()), [], `${lang}: axe at 390 px`);
      await o.ctx.close();
    });
  }

  for (const width of [PHONE.width, 1280]) {
    test(`${width} px: axe-core finds nothing serious on status, report window, error and empty`, async () => {
      const o = await openApp(full, width);
      await loaded(o.app);
      assert.deepEqual(await axeSerious(o.frame()), [], `status at ${width}`);
      if (width > 600) await shot(o, `status-${width}`);

      // The report window: its buttons on screen, then axe on it.
      await o.app.locator('[data-test=plan-2] [data-test=plan-open-report]').click();
      await o.app.locator('[data-test=report-html]').waitFor({ timeout: T });
      await o.app.locator('[data-test=view-text]').waitFor({ state: 'visible' });
      await modalSettled(o.app.locator('[data-test=report-modal]'), true);
      assert.deepEqual(await tooWide(o.frame()), [], `report window at ${width}: nothing off screen`);
      assert.deepEqual(await axeSerious(o.frame()), [], `report window at ${width}`);
      await shot(o, `report-${width}`);
      await o.ctx.close();

      // The error state: the status task aborts, the history cannot be read.
      full.harness.abort.set('get-monitor-status', 'Error 111 connecting to 127.0.0.1:6379. Connection refused.');
      full.harness.httpFailure.set('list-reports', 403);
      try {
        const e = await openApp(full, width, 'en-US', '[data-test=status-error]');
        await e.app.locator('[data-test=history-error]').waitFor({ timeout: T });
        assert.deepEqual(await tooWide(e.frame()), [], `error at ${width}: nothing too wide`);
        assert.deepEqual(await axeSerious(e.frame()), [], `error at ${width}`);
        await shot(e, `error-${width}`);
        await e.ctx.close();
      } finally {
        full.harness.abort.clear();
        full.harness.httpFailure.clear();
      }

      // The empty state: no plans, no reports.
      const m = await openApp(empty, width, 'en-US', '[data-test=plans-empty]');
      await m.app.locator('[data-test=history-empty]').waitFor({ timeout: T });
      await m.app.locator('[data-test=trends-empty]').waitFor({ timeout: T });
      assert.deepEqual(await tooWide(m.frame()), [], `empty at ${width}: nothing too wide`);
      assert.deepEqual(await axeSerious(m.frame()), [], `empty at ${width}`);
      await shot(m, `empty-${width}`);
      await m.ctx.close();
    });
  }
});
