// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 3 on the Settings page: the maintenance windows are listed (schedule in words,
// duration, plans, next start, open now), one is added (a bad schedule shows the action's error on
// the field and stores nothing) and removed after a confirmation. At 1280 and 390 px, in English
// and Italian, with axe-core on the list, the form with its error and the confirmation (once the
// modal has finished fading). Real imageroot actions (add-maintenance-window,
// remove-maintenance-window, list-silences) on a real Redis through the stand-in cluster-admin
// (harness.ts), Debian Chromium (browser.ts). Needs `npm --prefix ui run build` first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Frame, FrameLocator } from 'playwright-core';
import { createClient } from 'redis';
import { formatDateTime } from '../../src/domain/format.js';
import { moduleKeys } from '../../src/domain/records.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { seedCluster } from '../sim/cluster.js';
import { installModule, type AgentOptions } from '../sim/agent-runner.js';
import { axeSerious, launchChromium, modalSettled, openAppPage, T, until } from './browser.js';
import { startHarness, type Harness } from './harness.js';

const HOUR = 3600;
/** The calendar field's error line (Carbon puts it beside the input, in the same wrapper). */
const CALENDAR_ERROR =
  '.bx--text-input__field-outer-wrapper:has(input[data-test=field-calendar]) + .bx--form-requirement, .bx--text-input-wrapper:has(input[data-test=field-calendar]) .bx--form-requirement';
const WORDS = {
  en: {
    weekly: 'Every Saturday at 22:00',
    fourHours: '4 hours',
    plan: 'Weekly SMB',
    all: 'All plans',
    badCalendar: /^This schedule is not understood/,
    none: 'No maintenance windows.',
    added: /^by admin \d{4}-\d{2}-\d{2} /,
    remove: 'Remove',
    openNow: 'Open now',
  },
  it: {
    weekly: 'Ogni sabato alle 22:00',
    fourHours: '4 ore',
    plan: 'Weekly SMB',
    all: 'Tutti i piani',
    badCalendar: /^Pianificazione non riconosciuta/,
    none: 'Nessuna finestra di manutenzione.',
    added: /^da admin \d{4}-\d{2}-\d{2} /,
    remove: 'Rimuovi',
    openNow: 'Aperta ora',
  },
} as const;

let redis: RedisServer;
let root: string;
let agent: AgentOptions;
let harness: Harness;
let browser: Browser;

before(async () => {
  redis = await startRedis();
  await seedCluster(redis, {});
  root = mkdtempSync(path.join(tmpdir(), 'bm-ui24mw-'));
  agent = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...agent, tcpPort: 20124 })).status, 'completed');
  harness = await startHarness({ agent, redis, moduleId: MODULE_ID });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await harness?.stop();
  await redis?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function openSettings(width: number, locale: string) {
  const o = await openAppPage(browser, harness.url, {
    width,
    locale,
    route: '?page=settings',
    ready: '[data-test=settings-form]',
  });
  const section = o.app.locator('[data-test=maintenance-windows]');
  await section.locator('[data-test=no-windows], [data-test=window-list]').first().waitFor({ timeout: T });
  return { ...o, section };
}

const done = (action: string) => harness.tasks.filter((t) => t.action === action && t.result).length;
async function finished(action: string, before: number) {
  await until(`${action} to finish`, () => done(action) > before);
  return harness.tasks.filter((t) => t.action === action && t.result).at(-1)!;
}

async function storedWindows(): Promise<Record<string, string>> {
  const c = createClient({ url: redis.url() });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return { ...(await c.hGetAll(moduleKeys(MODULE_ID).maintenance)) };
  } finally {
    await c.quit();
  }
}

/** The next Saturday 22:00 UTC after now (the machine's zone, which list-silences names). */
function nextSaturday22(): number {
  const now = Date.now();
  const d = new Date(now);
  d.setUTCHours(22, 0, 0, 0);
  while (d.getUTCDay() !== 6 || d.getTime() <= now) d.setUTCDate(d.getUTCDate() + 1);
  return d.getTime() / 1000;
}

/** The page fits its width: nothing sticks out sideways. */
async function fits(frame: Frame, width: number): Promise<void> {
  const scroll = await frame.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `the page is ${scroll} px wide at ${width} px`);
}

async function addRemove(
  app: FrameLocator,
  section: ReturnType<FrameLocator['locator']>,
  frame: () => Frame,
  lang: 'en' | 'it',
  width: number,
) {
  const w = WORDS[lang];
  const where = `${lang} ${width}`;
  assert.equal((await section.locator('[data-test=no-windows]').innerText()).trim(), w.none);

  // A schedule the action does not understand: its error on the field, nothing stored.
  const calendar = section.locator('input[data-test=field-calendar]');
  await calendar.fill('Sat *-*-* 25:00');
  const adds = done('add-maintenance-window');
  await section.locator('[data-test=add-window]').click();
  const refused = await finished('add-maintenance-window', adds);
  assert.equal(refused.result!.status, 'validation-failed', where);
  const fieldError = section.locator(CALENDAR_ERROR);
  await fieldError.waitFor();
  assert.match((await fieldError.innerText()).trim(), w.badCalendar, where);
  assert.equal(await calendar.getAttribute('aria-invalid'), 'true', `${where}: the field says it is invalid`);
  assert.deepEqual(await storedWindows(), {}, `${where}: nothing stored`);
  assert.equal(await section.locator('[data-test=no-windows]').count(), 1);
  assert.deepEqual(await axeSerious(frame()), [], `${where}: the form with its error`);

  // A weekly window for one plan.
  await calendar.fill('Sat *-*-* 22:00');
  await section.locator('input[data-test=field-window_duration]').fill('4');
  await section.locator('select[data-test=unit-window_duration]').selectOption('hours');
  await section.locator('select[data-test=field-window-plan]').selectOption('2');
  await section.locator('[data-test=field-window-comment]').fill('NAS firmware');
  const lists = done('list-silences');
  await section.locator('[data-test=add-window]').click();
  const added = await finished('add-maintenance-window', adds + 1);
  assert.equal(added.result!.status, 'completed', added.result!.error);
  assert.deepEqual(added.data, {
    calendar: 'Sat *-*-* 22:00',
    duration_seconds: 4 * HOUR,
    plan_id: 2,
    comment: 'NAS firmware',
  });
  const listed = await finished('list-silences', lists);
  assert.match(
    String((listed.result!.output as { time_zone: string }).time_zone),
    /^(Etc\/)?UTC$/,
    'the zone the test computes in',
  );
  const id = (added.result!.output as { window: { id: string } }).window.id;
  const row = section.locator(`[data-test=window-${id}]`);
  await row.waitFor();
  assert.equal((await row.locator('[data-test=window-schedule]').innerText()).trim(), w.weekly);
  assert.equal((await row.locator('[data-test=window-duration]').innerText()).trim(), w.fourHours);
  assert.equal((await row.locator('[data-test=window-plan]').innerText()).trim(), w.plan);
  const next = (await row.locator('[data-test=window-next]').innerText()).trim();
  assert.ok(next.startsWith(formatDateTime(nextSaturday22())), `${where}: next start ${next}`);
  assert.match((await row.locator('[data-test=window-added]').innerText()).trim(), w.added);
  assert.equal((await row.locator('[data-test=window-comment]').innerText()).trim(), 'NAS firmware');
  assert.equal(await row.locator('[data-test=window-open]').count(), 0, 'a Saturday-night window is not open now');
  assert.equal(await section.locator(CALENDAR_ERROR).count(), 0, 'the error is gone');
  assert.equal(await calendar.inputValue(), '', 'the form is empty again');
  assert.equal(Object.keys(await storedWindows()).length, 1);
  const box = await row.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= width + 1, `${where}: the window fits the page`);
  await fits(frame(), width);
  assert.deepEqual(await axeSerious(frame()), [], `${where}: the list`);

  // Remove, after a confirmation.
  const dialog = app.locator('[data-test=remove-window-dialog]');
  const removes = done('remove-maintenance-window');
  await row.locator('[data-test=remove-window]').click();
  await modalSettled(dialog, true);
  assert.match(
    (await dialog.locator('[data-test=remove-window-text]').innerText()).trim(),
    new RegExp(`^${w.weekly} \\(${w.plan}\\)`),
  );
  assert.equal(done('remove-maintenance-window'), removes, 'nothing removed before the confirmation');
  assert.deepEqual(await axeSerious(frame()), [], `${where}: the confirmation`);
  assert.equal((await dialog.locator('.bx--modal-footer .bx--btn--danger').innerText()).trim(), w.remove);
  await dialog.locator('.bx--modal-footer .bx--btn--danger').click();
  const removed = await finished('remove-maintenance-window', removes);
  assert.equal(removed.result!.status, 'completed', removed.result!.error);
  assert.deepEqual(removed.data, { id });
  await modalSettled(dialog, false);
  await section.locator('[data-test=no-windows]').waitFor();
  assert.deepEqual(await storedWindows(), {});
  assert.deepEqual(await axeSerious(frame()), [], `${where}: after the confirmation closed`);
}

describe('maintenance windows on the Settings page (issue #24)', () => {
  for (const width of [1280, 390])
    for (const lang of ['en', 'it'] as const)
      test(`${width} px, ${lang}: a bad schedule refused, a window added, listed and removed`, async () => {
        const { ctx, app, section, frame } = await openSettings(width, lang === 'en' ? 'en-US' : 'it-IT');
        try {
          await addRemove(app, section, frame, lang, width);
        } finally {
          await ctx.close();
        }
      });

  test('a window open now says so, with its end; cluster-wide: all plans', async () => {
    const { ctx, section, frame } = await openSettings(390, 'en-US');
    try {
      const opened = Math.floor(Date.now() / 60_000) * 60 - HOUR;
      const hm = new Date(opened * 1000).toISOString().slice(11, 16);
      await section.locator('input[data-test=field-calendar]').fill(`*-*-* ${hm}`);
      await section.locator('input[data-test=field-window_duration]').fill('2');
      await section.locator('select[data-test=unit-window_duration]').selectOption('hours');
      const adds = done('add-maintenance-window');
      await section.locator('[data-test=add-window]').click();
      const added = await finished('add-maintenance-window', adds);
      assert.equal(added.result!.status, 'completed', added.result!.error);
      const id = (added.result!.output as { window: { id: string } }).window.id;
      const row = section.locator(`[data-test=window-${id}]`);
      await row.waitFor();
      assert.equal((await row.locator('[data-test=window-open]').innerText()).trim(), WORDS.en.openNow);
      assert.ok(
        (await row.locator('[data-test=window-open-until]').innerText()).startsWith(formatDateTime(opened + 2 * HOUR)),
      );
      assert.ok(
        (await row.locator('[data-test=window-next]').innerText()).startsWith(formatDateTime(opened + 24 * HOUR)),
      );
      assert.equal((await row.locator('[data-test=window-plan]').innerText()).trim(), WORDS.en.all);
      assert.deepEqual(await axeSerious(frame()), [], 'the open window');
      await row.locator('[data-test=remove-window]').click();
      const dialog = section.locator('[data-test=remove-window-dialog]');
      await modalSettled(dialog, true);
      const removes = done('remove-maintenance-window');
      await dialog.locator('.bx--modal-footer .bx--btn--danger').click();
      await finished('remove-maintenance-window', removes);
      await section.locator('[data-test=no-windows]').waitFor();
    } finally {
      await ctx.close();
    }
  });
});
