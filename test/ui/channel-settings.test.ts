// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #22 §4/§5 on the admin page: the Channels section at 390 and 1280 px, in English and
// Italian — secrets shown only as set / not set, replaced through Save and never echoed to the page,
// the module environment (Redis) or the service's log; Send test showing the channel's own answer
// (the Telegram simulator: sent, then "chat not found"), and a channel not yet saved saying so.
// Real actions on a real Redis, the real service, Debian Chromium, axe-core. Needs the UI built.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { MODULE_ID } from '../helpers/redis-server.js';
import { redisEnvironment } from '../imageroot/harness.js';
import { REPO_ROOT } from '../sim/agent-runner.js';
import { startTelegramSim, type TelegramSim } from '../sim/telegram.js';
import { axeSerious, startAppStack, T, until, type AppStack } from './browser.js';

const SHOTS = path.join(REPO_ROOT, 'artifacts', 'screenshots');
const NEW_TOKEN = '987654:real-new-token-from-the-page';
let stack: AppStack;
let sim: TelegramSim;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  sim = await startTelegramSim();
  sim.chats.add('-100123');
  // The running service has Telegram configured (through the simulator); ntfy is not configured.
  stack = await startAppStack({
    tmpPrefix: 'bm-ui22-',
    serviceEnv: {
      TELEGRAM_BOT_TOKEN: sim.token,
      TELEGRAM_API_URL: sim.url,
      TELEGRAM_CHAT_ID: '-100123',
      TELEGRAM_LEVEL: 'problems',
    },
  });
});
after(async () => {
  await stack?.stop();
  await sim?.stop();
});

async function open(
  width: number,
  locale = 'en-US',
): Promise<{ tab: Page; app: FrameLocator; close(): Promise<void> }> {
  const ctx = await stack.browser.newContext({ locale, timezoneId: 'UTC', viewport: { width, height: 844 } });
  const tab = await ctx.newPage();
  tab.setDefaultTimeout(T);
  await tab.goto(`${stack.harness.url}#/apps/${MODULE_ID}?page=settings`);
  const app = tab.frameLocator('#app-frame');
  await app.locator('[data-test=channel-telegram]').waitFor({ timeout: T });
  return { tab, app, close: () => ctx.close() };
}

const appFrame = (tab: Page) =>
  tab.frames().find((f) => f !== tab.mainFrame() && f.url().includes(`/apps/${MODULE_ID}/index.html`))!;

const noSideScroll = (tab: Page) =>
  appFrame(tab).evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe('Channels section of the Settings page', () => {
  for (const [width, locale] of [
    [390, 'en-US'],
    [1280, 'it-IT'],
  ] as const) {
    test(`${width} px, ${locale}: four channels, secrets as not set, no sideways scroll, axe clean`, async () => {
      const o = await open(width, locale);
      try {
        for (const kind of ['telegram', 'teams', 'ntfy', 'webhook'])
          await o.app.locator(`[data-test=channel-${kind}]`).waitFor();
        const status = (await o.app.locator('[data-test=status-telegram_bot_token]').textContent())?.trim();
        assert.equal(status, locale === 'en-US' ? 'Not set' : 'Non impostato');
        assert.equal(await o.app.locator('input[data-test=field-telegram_bot_token]').getAttribute('type'), 'password');
        assert.ok(await noSideScroll(o.tab), 'no sideways scroll');
        assert.deepEqual(await axeSerious(appFrame(o.tab)), []);
        await o.app.locator('[data-test=channels]').scrollIntoViewIfNeeded();
        await o.tab.screenshot({ path: path.join(SHOTS, `channels-${width}-${locale}.png`), fullPage: true });
      } finally {
        await o.close();
      }
    });
  }

  test('Send test: the channel answers sent, then its own error; a channel not saved says so', async () => {
    const o = await open(1280);
    try {
      await o.app.locator('[data-test=test-telegram]').click();
      const ok = o.app.locator('[data-test=test-result-telegram]');
      await ok.waitFor();
      assert.match((await ok.textContent()) ?? '', /Test message sent through Telegram/);
      await until('the simulator got the sample', () => sim.sent.length === 1);
      sim.script.push({ status: 400, description: 'Bad Request: chat not found' });
      await o.app.locator('[data-test=test-telegram]').click();
      await until('the channel error on the page', async () => /chat not found/.test((await ok.textContent()) ?? ''));
      assert.match((await ok.textContent()) ?? '', /Telegram refused the test message/);
      await o.app.locator('[data-test=test-ntfy]').click();
      const off = o.app.locator('[data-test=test-result-ntfy]');
      await off.waitFor();
      assert.match((await off.textContent()) ?? '', /Save this channel first/);
      assert.deepEqual(await axeSerious(appFrame(o.tab)), []);
    } finally {
      await o.close();
    }
  });

  test('a secret typed and saved shows as set, never comes back to the page, the environment or the log', async () => {
    const o = await open(390);
    try {
      await o.app.locator('input[data-test=field-telegram_chat_id]').fill('-100123');
      await o.app.locator('input[data-test=field-telegram_bot_token]').fill(NEW_TOKEN);
      await o.app.locator('select[data-test=field-telegram_level]').selectOption('every');
      await o.app.locator('[data-test=save]').click();
      await o.app.locator('[data-test=saved]').waitFor();
      const status = o.app.locator('[data-test=status-telegram_bot_token]');
      await until('the token shows as set', async () => (await status.textContent())?.trim() === 'Set');
      assert.equal(await o.app.locator('input[data-test=field-telegram_bot_token]').inputValue(), '');
      assert.deepEqual(await axeSerious(appFrame(o.tab)), [], 'axe clean with the remove box shown');
      const page = await appFrame(o.tab).evaluate(() => document.documentElement.outerHTML);
      assert.ok(!page.includes(NEW_TOKEN), 'the page holds no token');
      const stored = JSON.parse(readFileSync(path.join(stack.agent.stateDir, 'channel-secrets.json'), 'utf8'));
      assert.equal(stored.telegram_bot_token, NEW_TOKEN);
      assert.ok(
        !JSON.stringify(await redisEnvironment(stack.redis)).includes(NEW_TOKEN),
        'not in module/<id>/environment',
      );
      const tasks = JSON.stringify(stack.harness.tasks.filter((t) => t.action === 'get-configuration'));
      assert.ok(!tasks.includes(NEW_TOKEN), 'get-configuration never returns it');
      // Remove it again with the box: not set.
      await o.app
        .locator('input[data-test=clear-telegram_bot_token]')
        .locator('xpath=following-sibling::label')
        .click();
      await o.app.locator('[data-test=save]').click();
      await until('removed', async () => (await status.textContent())?.trim() === 'Not set');
      const healthz = await (await fetch(`${stack.service.url}/healthz`)).text();
      const log = stack.service.log.lines.join('\n') + stack.service.log.stderr;
      for (const secret of [NEW_TOKEN, sim.token]) {
        assert.ok(!healthz.includes(secret), '/healthz holds no token');
        assert.ok(!log.includes(secret), 'the service log holds no token');
      }
    } finally {
      await o.close();
    }
  });
});
