// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 items 1, 2 and 6 on the admin page: on a failing plan's tile, Acknowledge (with a
// comment) shows who, when and why; Snooze until a date shows until when; End puts the plan back
// to failing; a report's link (?plan=<id>) scrolls to that plan's tile. At 1280 and 390 px, in
// English and Italian, with axe-core on the tile's states and the open dialog. Real imageroot
// actions (acknowledge-plan, snooze-plan, end-silence, list-silences) on a real Redis through the
// stand-in cluster-admin (harness.ts), Debian Chromium (browser.ts).
// Needs `npm --prefix ui run build` first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Frame, FrameLocator, Page } from 'playwright-core';
import { createClient } from 'redis';
import { formatDateTime } from '../../src/domain/format.js';
import { moduleKeys, type PlanState } from '../../src/domain/records.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { DEST_B2, seedCluster, type SimPlan } from '../sim/cluster.js';
import { installModule, type AgentOptions } from '../sim/agent-runner.js';
import { axeSerious, launchChromium, modalSettled, openAppPage, until, type OpenedApp } from './browser.js';
import { startHarness, type Harness } from './harness.js';

const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const FAILING = 2;
const LINKED = 8; // a fine plan: sorted last, below the fold
const WORDS = {
  en: {
    ack: 'Acknowledge',
    snooze: 'Snooze',
    acked: /^Acknowledged by admin (.+): NAS replaced this week$/,
    fromPage: /^Acknowledged from the admin page /,
    snoozed: 'Snoozed until',
    tooFar: 'A snooze lasts at most 30 days',
  },
  it: {
    ack: 'Prendi in carico',
    snooze: 'Sospendi',
    acked: /^Preso in carico da admin (.+): NAS replaced this week$/,
    fromPage: /^Preso in carico dalla pagina di amministrazione /,
    snoozed: 'Sospeso fino al',
    tooFar: 'Una sospensione dura al massimo 30 giorni',
  },
} as const;

let redis: RedisServer;
let root: string;
let agent: AgentOptions;
let harness: Harness;
let browser: Browser;

const plans: SimPlan[] = Array.from({ length: 8 }, (_, i) => ({
  id: i + 1,
  name: `Plan ${i + 1}`,
  repository: DEST_B2,
  schedule: '*-*-* 01:30:00',
  retention: 7,
  instances: ['mail1', 'nextcloud1'],
  enabled: true,
}));

function state(planId: number, failing: boolean): PlanState {
  return {
    planId,
    planName: `Plan ${planId}`,
    lastRunKey: `${planId}:${NOW - 3600}`,
    lastOutcome: failing ? 'PARTIAL' : 'SUCCESS',
    lastDigest: failing ? 'PARTIAL,mail1=failed,nextcloud1=success' : 'SUCCESS,mail1=success,nextcloud1=success',
    lastReportId: '',
    lastNotifiedAt: (NOW - 3000) * 1000,
    failingSince: failing ? NOW - 2 * DAY : null,
    lastSuccessAt: failing ? NOW - 3 * DAY : NOW - 3600,
  };
}

/** The <input type="datetime-local"> value of unix s in UTC (the browser's zone here). */
const localInput = (s: number) => new Date(s * 1000).toISOString().slice(0, 16);

const openApp = (width: number, locale: string, route = '?page=status'): Promise<OpenedApp> =>
  openAppPage(browser, harness.url, { width, locale, route, ready: `[data-test=plan-${FAILING}]` });

/** The last finished task of `action`, once there are more than `before` of them. */
async function finished(action: string, before: number) {
  await until(
    `${action} to finish`,
    () => harness.tasks.filter((t) => t.action === action && t.result).length > before,
  );
  return harness.tasks.filter((t) => t.action === action && t.result).at(-1)!;
}
const done = (action: string) => harness.tasks.filter((t) => t.action === action && t.result).length;

async function storedSilence(planId: number): Promise<Record<string, unknown> | null> {
  const c = createClient({ url: redis.url() });
  c.on('error', () => undefined);
  await c.connect();
  try {
    const raw = await c.hGet(`module/${MODULE_ID}/silences`, String(planId));
    return raw ? JSON.parse(raw) : null;
  } finally {
    await c.quit();
  }
}

before(async () => {
  redis = await startRedis();
  await seedCluster(redis, { plans });
  root = mkdtempSync(path.join(tmpdir(), 'bm-ui24-'));
  agent = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...agent, tcpPort: 20024 })).status, 'completed');
  const writer = createClient({ url: redis.moduleUrl });
  writer.on('error', () => undefined);
  await writer.connect();
  const k = moduleKeys(MODULE_ID);
  for (const p of plans) await writer.hSet(k.plans, String(p.id), JSON.stringify(state(p.id, p.id === FAILING)));
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

async function acknowledgeAndEnd(app: FrameLocator, tab: Page, frame: () => Frame, lang: 'en' | 'it', width: number) {
  const w = WORDS[lang];
  const tile = app.locator(`[data-test=plan-${FAILING}]`);
  const dialog = app.locator(`[data-test=silence-dialog-${FAILING}]`);
  assert.equal((await tile.locator('[data-test=acknowledge]').innerText()).trim(), w.ack);
  await tile.locator('[data-test=acknowledge]').click();
  await dialog.locator('[data-test=silence-comment]').fill('NAS replaced this week');
  await modalSettled(dialog, true);
  assert.deepEqual(await axeSerious(frame()), [], `${lang} ${width}: acknowledge dialog`);
  const acks = done('acknowledge-plan');
  await dialog.locator('.bx--modal-footer .bx--btn--primary').click();
  const ack = await finished('acknowledge-plan', acks);
  assert.equal(ack.result!.status, 'completed', ack.result!.error);
  const at = (ack.result!.output as { acknowledged: { at: number } }).acknowledged.at;
  const shown = tile.locator('[data-test=silence-acknowledged] .silence-text');
  await shown.waitFor();
  const m = w.acked.exec((await shown.innerText()).trim());
  assert.ok(m, `${lang} ${width}: ${await shown.innerText()}`);
  assert.ok(m[1]!.startsWith(formatDateTime(at)), `when: ${m[1]}`);
  assert.equal(await tile.locator('[data-test=acknowledge]').count(), 0, 'acknowledged: no second Acknowledge');
  const record = (await storedSilence(FAILING)) as { acknowledged: { by: string; comment: string } };
  assert.deepEqual([record.acknowledged.by, record.acknowledged.comment], ['admin', 'NAS replaced this week']);
  await modalSettled(dialog, false);
  assert.deepEqual(await axeSerious(frame()), [], `${lang} ${width}: acknowledged tile`);
  const box = await tile.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= width + 1, `${lang} ${width}: the tile fits the page`);

  const ends = done('end-silence');
  await tile.locator('[data-test=end-acknowledged]').click();
  await finished('end-silence', ends);
  await tile.locator('[data-test=acknowledge]').waitFor();
  assert.equal(await tile.locator('[data-test=silence-acknowledged]').count(), 0);
  assert.equal(await storedSilence(FAILING), null);
  assert.equal(await tile.getAttribute('data-class'), 'failing');
  void tab;
}

async function snoozeAndEnd(app: FrameLocator, frame: () => Frame, lang: 'en' | 'it', width: number) {
  const w = WORDS[lang];
  const tile = app.locator(`[data-test=plan-${FAILING}]`);
  const dialog = app.locator(`[data-test=silence-dialog-${FAILING}]`);
  assert.equal((await tile.locator('[data-test=snooze]').innerText()).trim(), w.snooze);
  await tile.locator('[data-test=snooze]').click();
  // More than 30 days: the form says so and runs nothing.
  const snoozes = done('snooze-plan');
  const tasks = harness.tasks.length;
  await dialog.locator('[data-test=snooze-until]').fill(localInput(NOW + 40 * DAY));
  await dialog.locator('.bx--modal-footer .bx--btn--primary').click();
  assert.equal((await dialog.locator('[data-test=silence-form-error]').innerText()).trim(), w.tooFar);
  assert.equal(harness.tasks.length, tasks, 'no task for a snooze the action would refuse');
  await modalSettled(dialog, true);
  assert.deepEqual(await axeSerious(frame()), [], `${lang} ${width}: snooze dialog with its error`);

  const until3 = Math.floor((NOW + 3 * DAY) / 60) * 60;
  await dialog.locator('[data-test=snooze-until]').fill(localInput(until3));
  await dialog.locator('[data-test=silence-comment]').fill('NAS maintenance');
  await dialog.locator('.bx--modal-footer .bx--btn--primary').click();
  const sn = await finished('snooze-plan', snoozes);
  assert.equal(sn.result!.status, 'completed', sn.result!.error);
  assert.deepEqual(sn.data, { plan_id: FAILING, until: until3, comment: 'NAS maintenance' });
  const shown = tile.locator('[data-test=silence-snoozed] .silence-text');
  await shown.waitFor();
  const text = (await shown.innerText()).trim();
  assert.ok(text.startsWith(`${w.snoozed} ${formatDateTime(until3)}`), `${lang} ${width}: ${text}`);
  assert.match(text, /\(admin\): NAS maintenance$/);
  assert.equal(((await storedSilence(FAILING)) as { snoozed: { until: number } }).snoozed.until, until3);
  assert.equal(await tile.locator('[data-test=snooze]').count(), 0);
  assert.equal(await tile.locator('[data-test=acknowledge]').count(), 1, 'a snoozed plan can still be acknowledged');

  const ends = done('end-silence');
  await tile.locator('[data-test=end-snoozed]').click();
  await finished('end-silence', ends);
  await tile.locator('[data-test=snooze]').waitFor();
  assert.equal(await tile.locator('[data-test=silence-snoozed]').count(), 0);
  assert.equal(await storedSilence(FAILING), null);
}

describe('acknowledge and snooze on the admin page (issue #24)', () => {
  for (const width of [1280, 390])
    for (const lang of ['en', 'it'] as const)
      test(`${width} px, ${lang}: acknowledge, snooze, end`, async () => {
        const { ctx, tab, app, frame } = await openApp(width, lang === 'en' ? 'en-US' : 'it-IT');
        try {
          await acknowledgeAndEnd(app, tab, frame, lang, width);
          await snoozeAndEnd(app, frame, lang, width);
        } finally {
          await ctx.close();
        }
      });

  test('a task without a user: "from the admin page"; a reload still shows it (list-silences)', async () => {
    const { ctx, app } = await openApp(1280, 'en-US');
    try {
      agent.user = '';
      const tile = app.locator(`[data-test=plan-${FAILING}]`);
      await tile.locator('[data-test=acknowledge]').click();
      const acks = done('acknowledge-plan');
      await app.locator(`[data-test=silence-dialog-${FAILING}] .bx--modal-footer .bx--btn--primary`).click();
      await finished('acknowledge-plan', acks);
      await tile.locator('[data-test=silence-acknowledged]').waitFor();
      const lists = done('list-silences');
      await app.locator('[data-test=refresh]').click();
      await finished('list-silences', lists);
      await until('the page to settle', async () => !(await app.locator('[data-test=refresh]').isDisabled()));
      assert.match((await tile.locator('[data-test=silence-acknowledged]').innerText()).trim(), WORDS.en.fromPage);
      await tile.locator('[data-test=end-acknowledged]').click();
      await tile.locator('[data-test=acknowledge]').waitFor();
    } finally {
      agent.user = undefined;
      await ctx.close();
    }
  });

  for (const width of [1280, 390])
    test(`${width} px: a report's link (?plan=${LINKED}) scrolls to that plan's tile`, async () => {
      const { ctx, tab, app } = await openApp(width, 'en-US', `?plan=${LINKED}`);
      try {
        const tile = app.locator(`[data-test=plan-${LINKED}]`);
        await until('the linked tile in view', async () => {
          const box = await tile.boundingBox();
          return !!box && box.y >= 0 && box.y < tab.viewportSize()!.height;
        });
        const outline = (el: Element) => `${getComputedStyle(el).outlineStyle} ${getComputedStyle(el).outlineColor}`;
        assert.equal(await tile.evaluate(outline), 'solid rgb(15, 98, 254)', 'the linked plan is outlined');
        const other = await app.locator('[data-test=plan-1]').evaluate(outline);
        assert.notEqual(other, 'solid rgb(15, 98, 254)', 'only the linked plan is outlined');
        // Without the link the page starts at the top, where the linked plan is not.
        const plain = await openApp(width, 'en-US');
        try {
          const box = await plain.app.locator(`[data-test=plan-${LINKED}]`).boundingBox();
          assert.ok(box && box.y > plain.tab.viewportSize()!.height, 'the plan is below the fold without the link');
        } finally {
          await plain.ctx.close();
        }
      } finally {
        await ctx.close();
      }
    });
});
