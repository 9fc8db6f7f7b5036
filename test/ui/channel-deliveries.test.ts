// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #22 on the admin page: a report whose Telegram delivery failed (the bot token refused,
// CHANNEL_CREDENTIALS) is shown as failing, with the error catalogue's words, in the report
// history and counted by the deliveries tile; a report only Telegram carried (email 'skipped')
// is not flagged. The report window has one line per delivery drawn the same way, email's included
// (Telegram failed with its words, ntfy sent, email retrying after a 451 with its words and next
// attempt) and says why email skipped a report. At 1280 px and 390 px, English and Italian, axe-core clean. Reports are stored
// as the service stores them (report, history, index entry); the real imageroot actions answer
// through the stand-in cluster-admin (harness.ts), in Debian Chromium (browser.ts).
// Needs `npm --prefix ui run build` first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { createClient } from 'redis';
import { moduleKeys, type StoredReport } from '../../src/domain/records.js';
import { formatDateTime } from '../../src/domain/format.js';
import { indexEntry } from '../../src/domain/report-index.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { installModule, type AgentOptions } from '../sim/agent-runner.js';
import { seedCluster } from '../sim/cluster.js';
import { report } from '../imageroot/fixtures.js';
import { axeSerious, launchChromium, modalSettled, openAppPage, T, until } from './browser.js';
import { startHarness, type Harness } from './harness.js';

const catalogue = JSON.parse(readFileSync('imageroot/pypkg/backup_monitor/errors.json', 'utf8')) as {
  codes: Record<string, Record<string, string>>;
};
const words = (lang: string) =>
  JSON.parse(readFileSync(`ui/public/i18n/${lang}/translation.json`, 'utf8')) as {
    status: Record<string, string>;
    settings: Record<string, string>;
  };

const NOW_MS = Date.now();
const FAILING = 'tg-failed';
const SKIPPED = 'tg-only';
// Teams waiting after a 503, older than the tile's 7 days: only the history and its window show it.
const RETRYING = 'teams-retrying';
const RETRY_AT_MS = NOW_MS + 600_000;
// Email waiting after the smarthost's 451, Telegram sent: email's line says what the others' do.
const EMAIL_RETRYING = 'email-retrying';
const EMAIL_RETRY_AT_MS = NOW_MS + 900_000;
const sent = { ...report('x').delivery, status: 'sent' as const, attempts: 1, sentAt: NOW_MS - 60_000 };
const telegram = (over: Partial<StoredReport['delivery']>) => ({ ...sent, recipients: [], ...over });
const emailRetrying: StoredReport['delivery'] = {
  ...sent,
  status: 'pending',
  attempts: 2,
  sentAt: null,
  nextAttemptAt: EMAIL_RETRY_AT_MS,
  lastError: '451 4.3.0 Try again later',
  lastErrorCode: 'SMTP_TEMPORARY',
};

const reports: StoredReport[] = [
  report(FAILING, {
    createdAt: NOW_MS - 120_000,
    delivery: sent,
    deliveries: {
      email: sent,
      telegram: telegram({
        status: 'failed',
        sentAt: null,
        lastError: 'Telegram answered 401: Unauthorized',
        lastErrorCode: 'CHANNEL_CREDENTIALS',
      }),
      ntfy: telegram({}),
    },
  }),
  report(SKIPPED, {
    createdAt: NOW_MS - 240_000,
    delivery: { ...sent, status: 'skipped', attempts: 0, sentAt: null },
    deliveries: { telegram: telegram({}) },
  }),
  report(RETRYING, {
    createdAt: NOW_MS - 8 * 86_400_000,
    delivery: sent,
    deliveries: {
      email: sent,
      teams: telegram({
        status: 'pending',
        attempts: 2,
        sentAt: null,
        nextAttemptAt: RETRY_AT_MS,
        lastError: 'Teams answered 503: Service Unavailable',
        lastErrorCode: 'CHANNEL_UNAVAILABLE',
      }),
    },
  }),
  report(EMAIL_RETRYING, {
    createdAt: NOW_MS - 9 * 86_400_000,
    delivery: emailRetrying,
    deliveries: { email: emailRetrying, telegram: telegram({}) },
  }),
];

let redis: RedisServer;
let root: string;
let agent: AgentOptions;
let harness: Harness;
let browser: Browser;

before(async () => {
  redis = await startRedis();
  await seedCluster(redis);
  root = mkdtempSync(path.join(tmpdir(), 'bm-ui22-'));
  agent = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...agent, tcpPort: 20022 })).status, 'completed');
  const c = createClient({ url: redis.moduleUrl });
  c.on('error', () => undefined);
  await c.connect();
  const k = moduleKeys(MODULE_ID);
  const m = c.multi();
  for (const r of reports) {
    m.set(k.report(r.id), JSON.stringify(r))
      .rPush(k.history, r.id)
      .hSet(k.index, r.id, JSON.stringify(indexEntry(r)));
  }
  await m.exec();
  await c.quit();
  harness = await startHarness({ agent, redis, moduleId: MODULE_ID });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await harness?.stop();
  await redis?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** "Telegram: Failed" in `lang`, as the history and the report window label a channel's state. */
function stateLabel(lang: string, channel: string, status: string): string {
  const w = words(lang);
  const name = channel === 'email' ? w.status.channel_email! : w.settings[`channel_${channel}`]!;
  return w.status.channel_state!.replace('{channel}', name).replace('{status}', w.status[`delivery_${status}`]!);
}

/** Opens a report from the history; returns the window, faded in. */
async function openReport(app: FrameLocator, id: string): Promise<Locator> {
  await app.locator(`[data-test=open-${id}]`).click();
  const modal = app.locator('[data-test=report-modal]');
  await modal.locator('[data-test=report-html]').waitFor({ timeout: T });
  await modalSettled(modal, true);
  return modal;
}

async function closeReport(modal: Locator): Promise<void> {
  await modal.locator('.bx--modal-close').click();
  await modalSettled(modal, false);
}

/** The report window: a line per channel, each on the screen, then the skipped email's reason. */
async function checkReportWindow(tab: Page, frame: Frame, lang: string, width: number): Promise<void> {
  const w = words(lang);
  const app = tab.frameLocator('#app-frame');
  let modal = await openReport(app, FAILING);
  const line = (channel: string) => modal.locator(`[data-test=report-delivery-${channel}]`);
  const tag = (channel: string) => line(channel).locator('.bx--tag');
  assert.equal((await tag('email').innerText()).trim(), stateLabel(lang, 'email', 'sent'));
  const sentTo = w.status.sent_to!.replace('{to}', 'ops@example.org');
  assert.ok((await line('email').innerText()).includes(sentTo), 'to whom, on its line');
  assert.equal((await line('telegram').locator('.bx--tag').innerText()).trim(), stateLabel(lang, 'telegram', 'failed'));
  const error = line('telegram').locator('[data-test=report-delivery-error]');
  assert.equal((await error.innerText()).trim(), catalogue.codes.CHANNEL_CREDENTIALS![lang]);
  assert.equal(await error.getAttribute('title'), 'Telegram answered 401: Unauthorized', "the channel's own words");
  assert.equal((await line('ntfy').innerText()).trim(), stateLabel(lang, 'ntfy', 'sent'), 'sent: the state alone');
  for (const channel of ['telegram', 'ntfy']) {
    const box = (await line(channel).boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= width, `${channel} line inside ${width} px: ${JSON.stringify(box)}`);
  }
  assert.deepEqual(await axeSerious(frame), [], `${lang} ${width} report window`);
  await tab.screenshot({ path: `artifacts/ui/channel-deliveries-report-${width}-${lang}.png` });
  await closeReport(modal);

  modal = await openReport(app, SKIPPED);
  assert.equal((await tag('email').innerText()).trim(), stateLabel(lang, 'email', 'skipped'));
  assert.equal(
    (await modal.locator('[data-test=report-email-skipped]').innerText()).trim(),
    w.status.email_skipped_note,
    'why email did not carry it',
  );
  assert.equal((await line('telegram').innerText()).trim(), stateLabel(lang, 'telegram', 'sent'));
  await closeReport(modal);

  modal = await openReport(app, RETRYING);
  assert.equal((await line('teams').locator('.bx--tag').innerText()).trim(), stateLabel(lang, 'teams', 'pending'));
  assert.equal(
    (await line('teams').locator('[data-test=report-delivery-retry]').innerText()).trim(),
    w.status.next_attempt_at!.replace('{time}', formatDateTime(RETRY_AT_MS, { ms: true, timeZone: 'UTC' })),
  );
  assert.equal(
    (await line('teams').locator('[data-test=report-delivery-error]').innerText()).trim(),
    catalogue.codes.CHANNEL_UNAVAILABLE![lang],
  );
  await closeReport(modal);

  // Email's own line while it retries: the same state, next attempt and words as a channel's line.
  modal = await openReport(app, EMAIL_RETRYING);
  assert.equal((await tag('email').innerText()).trim(), stateLabel(lang, 'email', 'pending'));
  assert.equal(
    (await line('email').locator('[data-test=report-delivery-retry]').innerText()).trim(),
    w.status.next_attempt_at!.replace('{time}', formatDateTime(EMAIL_RETRY_AT_MS, { ms: true, timeZone: 'UTC' })),
  );
  const emailError = line('email').locator('[data-test=report-delivery-error]');
  assert.equal((await emailError.innerText()).trim(), catalogue.codes.SMTP_TEMPORARY![lang]);
  assert.equal(await emailError.getAttribute('title'), '451 4.3.0 Try again later', "the smarthost's own words");
  assert.equal((await tag('telegram').innerText()).trim(), stateLabel(lang, 'telegram', 'sent'));
  assert.ok(!(await line('email').innerText()).includes(sentTo), 'not "sent to" while it retries');
  const box = (await line('email').boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= width, `email line inside ${width} px: ${JSON.stringify(box)}`);
  assert.deepEqual(await axeSerious(frame), [], `${lang} ${width} report window, email retrying`);
  await closeReport(modal);
}

for (const [width, lang] of [
  [1280, 'en'],
  [390, 'it'],
  [390, 'en'],
  [1280, 'it'],
] as const) {
  test(`${width} px, ${lang}: the failing Telegram delivery is shown, counted and in the report window`, async () => {
    const w = words(lang);
    const failedTelegram = w.status
      .channel_state!.replace('{channel}', w.settings.channel_telegram!)
      .replace('{status}', w.status.delivery_failed!);
    const { ctx, tab, app, frame } = await openAppPage(browser, harness.url, {
      width,
      locale: lang,
      ready: `[data-test=report-${FAILING}]`,
    });
    try {
      const row = app.locator(`[data-test=report-${FAILING}]`);
      const skippedRow = app.locator(`[data-test=report-${SKIPPED}]`);

      // The tile counts the failing channel and lists it by name.
      const tile = app.locator('[data-test=deliveries]');
      const item = tile.locator(`[data-test=delivery-item-${FAILING}-telegram]`);
      await item.waitFor({ timeout: T });
      assert.ok(
        (await tile.innerText()).includes(w.status.deliveries_undelivered!.replace('{n}', '1').replace('{days}', '7')),
        'the tile counts the failing channel',
      );
      assert.equal((await item.locator('.bx--tag').innerText()).trim(), failedTelegram);
      assert.equal(await tile.locator('[data-test^=delivery-item-]').count(), 1, 'the skipped email is no item');

      if (width > 600) {
        // The delivery column: email's tag, Telegram's failing tag and the catalogue's words.
        assert.equal((await row.locator('[data-test=delivery-telegram]').innerText()).trim(), failedTelegram);
        const error = (await row.locator('[data-test=delivery-error-telegram]').innerText()).trim();
        assert.ok(error.includes(catalogue.codes.CHANNEL_CREDENTIALS![lang]!), error);
        assert.equal(
          await row.locator('[data-test=delivery-error-telegram]').getAttribute('title'),
          'Telegram answered 401: Unauthorized',
          "the channel's own words on hover",
        );
        assert.equal(
          (await skippedRow.locator('[data-test=delivery-email]').innerText()).trim(),
          w.status
            .channel_state!.replace('{channel}', w.status.channel_email!)
            .replace('{status}', w.status.delivery_skipped!),
        );
        assert.equal(
          await tile.locator(`[data-test=delivery-item-${FAILING}-telegram] .error-text`).innerText(),
          catalogue.codes.CHANNEL_CREDENTIALS![lang],
        );
      } else {
        // A phone: the mark flags the report Telegram did not deliver, not the one email skipped.
        const mark = row.locator('.delivery-mark');
        await until('the mark', () => mark.isVisible());
        assert.ok((await mark.getAttribute('title'))!.includes(failedTelegram));
        assert.equal(await skippedRow.locator('.delivery-mark').count(), 0, "email 'skipped' is not 'not sent'");
        const overflow = await app.locator('body').evaluate(() => document.documentElement.scrollWidth);
        assert.ok(overflow <= width, `scrollWidth ${overflow} > ${width}`);
      }
      assert.deepEqual(await axeSerious(frame()), [], `${lang} ${width}`);
      await checkReportWindow(tab, frame(), lang, width);
      await tab.screenshot({ path: `artifacts/ui/channel-deliveries-${width}-${lang}.png`, fullPage: true });
    } finally {
      await ctx.close();
    }
  });
}
