// SPDX-License-Identifier: GPL-3.0-or-later
// The admin page as an NS8 app inside cluster-admin (the harness of test/ui/, issue #12):
// - at 390 px (a phone) every page is reachable through the mobile menu and nothing needs
//   horizontal scrolling;
// - cluster-admin's keyboard shortcuts keep working while the app has the focus (the app
//   registers its window with core's `configureKeyboardShortcuts`, as ns8-kickstart does);
// - the logo is a file under img/ matching core's glob apps/<id>/img/*logo*png;
// - screenshots for the Software Center repository (scripts/make-repository.ts): always written
//   to artifacts/screenshots/, and to docs/screenshots/ (committed) with UPDATE_SCREENSHOTS=1.
// Needs `npm --prefix ui run build` first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { MODULE_ID } from '../helpers/redis-server.js';
import { replayRun } from '../sim/cluster.js';
import { REPO_ROOT } from '../sim/agent-runner.js';
import { UI_DIST, type Harness } from '../ui/harness.js';
import { startAppStack, until, type AppStack } from '../ui/browser.js';
import { moduleKeys } from '../../src/domain/records.js';
import { createClient } from 'redis';

const SHOTS = path.join(REPO_ROOT, 'artifacts', 'screenshots');
const COMMITTED = path.join(REPO_ROOT, 'docs', 'screenshots');
const T = 15_000;
const PHONE = { width: 390, height: 844 };

let stack: AppStack;
let harness: Harness;
let browser: Browser;

/** cluster-admin at `viewport`, first on one of its own pages so the test can hook core before the app loads. */
async function openApp(
  viewport: { width: number; height: number },
  page = 'status',
): Promise<{ tab: Page; app: FrameLocator; close: () => Promise<void> }> {
  const ctx = await browser.newContext({ locale: 'en-US', viewport });
  const tab = await ctx.newPage();
  tab.setDefaultTimeout(T);
  tab.on('pageerror', (e) => console.error('page error:', e.message));
  await tab.goto(`${harness.url}#/status`);
  // What core's App.vue does with the app's window (configureKeyboardShortcuts): Ctrl+Shift+S
  // goes to the cluster status page, Ctrl+Shift+F opens the global search.
  await tab.evaluate(() => {
    const core = (
      window as unknown as {
        core: {
          $on: (n: string, f: (w: Window) => void) => void;
          $router: { push: (p: string) => void };
          searched?: boolean;
        };
      }
    ).core;
    core.$on('configureKeyboardShortcuts', (w: Window) => {
      (core as { registered?: number }).registered = ((core as { registered?: number }).registered ?? 0) + 1;
      w.addEventListener('keydown', (e: KeyboardEvent) => {
        if (e.ctrlKey && e.shiftKey && e.code === 'KeyS') {
          core.$router.push('/status');
          e.preventDefault();
        }
        if (e.ctrlKey && e.shiftKey && e.code === 'KeyF') {
          core.searched = true;
          e.preventDefault();
        }
      });
    });
  });
  await tab.evaluate(
    ([id, p]) => {
      location.hash = `#/apps/${id}?page=${p}`;
    },
    [MODULE_ID, page],
  );
  return { tab, app: tab.frameLocator('#app-frame'), close: () => ctx.close() };
}

/** Widths inside the app's frame: nothing may need horizontal scrolling. */
async function overflow(tab: Page): Promise<{ scroll: number; client: number; wide: string[] }> {
  const frame = tab.frame({ url: /apps\// })!;
  return await frame.evaluate(() => {
    const el = document.scrollingElement!;
    const wide = [...document.querySelectorAll('body *')]
      .filter((n) => {
        const r = n.getBoundingClientRect();
        return r.width > 0 && r.right > el.clientWidth + 1 && getComputedStyle(n).position !== 'fixed';
      })
      .slice(0, 5)
      .map((n) => `${n.tagName.toLowerCase()}.${[...n.classList].join('.')}`);
    return { scroll: el.scrollWidth, client: el.clientWidth, wide };
  });
}

async function shot(tab: Page, name: string): Promise<void> {
  const file = path.join(SHOTS, `${name}.png`);
  await tab.screenshot({ path: file });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(COMMITTED, { recursive: true });
    copyFileSync(file, path.join(COMMITTED, `${name}.png`));
  }
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  stack = await startAppStack({ tmpPrefix: 'bm-mobile-', configureMailTo: ['ops@example.org'] });
  ({ harness, browser } = stack);
  // Real reports in the status page, for realistic screenshots.
  await replayRun(stack.redis, 1, {});
  await replayRun(stack.redis, 2, { nextcloud1: { errors: 1 } }, { skip: ['webtop1'] });
  const c = createClient({ url: stack.redis.url() });
  await c.connect();
  await until('two reports', async () => (await c.lLen(moduleKeys(MODULE_ID).history)) >= 2, 30_000);
  await c.quit();
});

after(async () => {
  await stack?.stop();
});

describe('the admin page as an NS8 app', () => {
  test('at 390 px every page is reachable from the mobile menu, and nothing scrolls sideways', async () => {
    const { tab, app, close } = await openApp(PHONE);
    try {
      await app.locator('[data-test=plan-2]').waitFor({ timeout: 40_000 });
      assert.equal(await app.locator('#app-side-nav').isVisible(), false, 'the side menu is hidden on a phone');
      const toggle = app.locator('[data-test=mobile-menu-toggle]');
      assert.equal(await toggle.isVisible(), true, 'a menu button replaces it');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      let o = await overflow(tab);
      assert.ok(
        o.scroll <= o.client,
        `status page wider than the phone (${o.scroll} > ${o.client}): ${o.wide.join(', ')}`,
      );
      await shot(tab, 'mobile-status');

      for (const page of ['settings', 'about', 'status']) {
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        const link = app.locator(`[data-test=mobile-nav-${page}]`);
        await link.waitFor();
        if (page === 'settings') await shot(tab, 'mobile-menu');
        await link.click();
        await until(`#/apps/…?page=${page}`, async () =>
          (await tab.evaluate(() => location.hash)).endsWith(`?page=${page}`),
        );
        await app.locator('[data-test=mobile-nav-status]').waitFor({ state: 'detached' });
        const title = { settings: 'Settings', about: 'About', status: 'Status' }[page];
        await until(
          `the bar says ${title}`,
          async () => (await app.locator('.mobile-page').innerText()).trim() === title,
        );
        await until(`the ${page} page`, async () => (await app.locator('h2').first().innerText()).trim() === title);
        if (page === 'settings') await app.locator('[data-test=settings-form]').waitFor({ timeout: 30_000 }); // filled by get-configuration
        o = await overflow(tab);
        assert.ok(
          o.scroll <= o.client,
          `${page} page wider than the phone (${o.scroll} > ${o.client}): ${o.wide.join(', ')}`,
        );
        if (page === 'settings') await shot(tab, 'mobile-settings');
      }
      // Keyboard: Escape closes the menu and gives the focus back to its button.
      await toggle.click();
      await app.locator('[data-test=mobile-nav-status]').waitFor();
      await tab.keyboard.press('Escape');
      await app.locator('[data-test=mobile-nav-status]').waitFor({ state: 'detached' });
      assert.equal(await app.locator('[data-test=mobile-menu-toggle]:focus').count(), 1);
    } finally {
      await close();
    }
  });

  test('on a wide screen the side menu is there and the mobile bar is not', async () => {
    const { tab, app, close } = await openApp({ width: 1280, height: 1000 });
    try {
      await app.locator('[data-test=plan-2]').waitFor({ timeout: 40_000 });
      assert.equal(await app.locator('#app-side-nav').isVisible(), true);
      assert.equal(await app.locator('[data-test=mobile-menu-toggle]').isVisible(), false);
      await shot(tab, 'status');
      await app.locator('[data-test=nav-settings]').click();
      await app.locator('h2').first().waitFor();
      await until('settings loaded', async () => (await tab.evaluate(() => location.hash)).endsWith('?page=settings'));
      await app.locator('[data-test=settings-form]').waitFor({ timeout: 30_000 });
      await shot(tab, 'settings');
    } finally {
      await close();
    }
  });

  test("cluster-admin's keyboard shortcuts work while the app has the focus", async () => {
    const { tab, app, close } = await openApp({ width: 1280, height: 900 });
    try {
      await app.locator('[data-test=plan-2]').waitFor({ timeout: 40_000 });
      assert.equal(
        await tab.evaluate(() => (window as unknown as { core: { registered?: number } }).core.registered),
        1,
        'the app registered its window once',
      );
      await app.locator('h2').first().click();
      assert.equal(
        await tab.evaluate(() => document.activeElement?.id),
        'app-frame',
        'the keys go to the app, not to cluster-admin',
      );
      await tab.keyboard.press('Control+Shift+F');
      assert.equal(
        await tab.evaluate(() => (window as unknown as { core: { searched?: boolean } }).core.searched),
        true,
      );
      await tab.keyboard.press('Control+Shift+S');
      await until('cluster status page', async () => (await tab.evaluate(() => location.hash)) === '#/status');
    } finally {
      await close();
    }
  });

  test('the logo is a 256x256 PNG file under img/ (core globs apps/<id>/img/*logo*png), not inlined', () => {
    const logos = readdirSync(path.join(UI_DIST, 'img')).filter((f) => /logo.*png$/.test(f));
    assert.deepEqual(logos, ['backup-monitor-logo.png']);
    const png = readFileSync(path.join(UI_DIST, 'img', logos[0]!));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [256, 256]);
    const bundles = readdirSync(path.join(UI_DIST, 'assets')).filter((f) => f.endsWith('.js'));
    for (const b of bundles)
      assert.doesNotMatch(
        readFileSync(path.join(UI_DIST, 'assets', b), 'utf8'),
        /data:image\/png/,
        `${b} inlines a PNG`,
      );
  });

  test('shortcuts.json: entries of the shape core list-shortcuts reads, pointing at our pages', () => {
    const list = JSON.parse(readFileSync(path.join(UI_DIST, 'shortcuts.json'), 'utf8')) as {
      name: Record<string, string>;
      description: Record<string, string>;
      tags: Record<string, string[]>;
      path: string;
    }[];
    assert.ok(list.length >= 1);
    for (const s of list) {
      for (const lang of ['en', 'it']) {
        assert.ok(s.name[lang] && s.description[lang], `${lang} texts`);
        assert.ok(Array.isArray(s.tags[lang]) && s.tags[lang]!.length > 0);
      }
      assert.match(s.path, /^\?page=(status|settings|about)$/, 'core prefixes /apps/<id>/');
    }
  });
});
