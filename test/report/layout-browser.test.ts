// SPDX-License-Identifier: GPL-3.0-or-later
// The report as a phone and a desktop show it: Chromium renders every outcome's HTML (both
// languages, hostile names too) at 390 and 1280 px. Nothing may scroll sideways, the card stays
// ≤ 600 px, every text keeps a 4.5:1 contrast (3:1 when large) against what is really behind it,
// also with Chromium's forced dark mode (what mail apps do to light mails). Screenshots are kept
// in artifacts/report/ for a person to look at.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderReport } from '../../src/report/render.js';
import { fill, STRINGS } from '../../src/report/strings.js';
import type { RunReport } from '../../src/domain/run.js';
import { OPTIONS, RUNS } from './fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = path.join(ROOT, 'artifacts', 'report');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WIDTHS = [390, 1280];

const LONG = 'Ü'.repeat(3) + 'x'.repeat(5000);
const hostile: RunReport = {
  ...RUNS.partial!,
  planName: LONG,
  destinationName: 'https://very.long.host.example.org/' + 'a/'.repeat(400),
  modules: RUNS.partial!.modules.map((m, i) => ({
    ...m,
    uiName: i === 0 ? 'גיבוי שרת הקבצים הראשי של המשרד ‮evil‬ ' + 'ש'.repeat(400) : 'W'.repeat(3000),
    errorLines: i === 0 ? ['Fatal: ' + 'e'.repeat(2000), 'שגיאה: ‏גישה נדחתה'] : undefined,
  })),
};
const CASES: [string, RunReport][] = [...Object.entries(RUNS), ['hostile', hostile]];

/** For every element with its own text: colour, the first opaque background behind it, font size. */
// A string, not a function: tsx would add helpers (__name) the page does not have.
const CONTRAST_SCRIPT = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const bgOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const st = getComputedStyle(el);
    if (!own || st.display === 'none' || st.opacity === '0') continue;
    const a = lum(rgb(st.color)); const b = lum(bgOf(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(st.fontSize) >= 18 || (parseFloat(st.fontSize) >= 14 && Number(st.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) out.push(el.tagName + ' "' + el.textContent.trim().slice(0, 30) + '" ' + st.color + ' on ' + bgOf(el) + ' = ' + ratio.toFixed(2));
  }
  return out;
})()`;

const METRICS_SCRIPT = `(() => ({
  scroll: document.documentElement.scrollWidth, view: window.innerWidth,
  card: Math.max(...[...document.querySelectorAll('table table')].map((t) => t.getBoundingClientRect().width)),
}))()`;

/** For every element with its own text: colour, the first opaque background behind it, font size. */
const contrastProblems = (page: Page): Promise<string[]> => page.evaluate(CONTRAST_SCRIPT);

for (const dark of [false, true]) {
  describe(`report HTML in Chromium${dark ? ', forced dark mode' : ''}`, () => {
    let browser: Browser;
    let page: Page;
    before(async () => {
      mkdirSync(SHOTS, { recursive: true });
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: dark ? [...ARGS, '--blink-settings=forceDarkModeEnabled=true'] : ARGS,
      });
      page = await browser.newPage({ viewport: { width: 390, height: 900 } });
    });
    after(async () => {
      await browser?.close();
    });
    // Forced dark mode changes colours, not layout: its run checks the phone width only.
    const widths = dark ? [390] : WIDTHS;

    for (const [name, run] of CASES) {
      for (const lang of ['en', 'it'] as const) {
        it(`${name} (${lang}): no sideways scroll at ${WIDTHS.join(' and ')} px, card ≤ 600 px, readable`, async () => {
          const { html } = renderReport(run, name === 'success' ? 'success' : 'first', { ...OPTIONS, language: lang });
          assert.ok(!/<style|<link|<script/i.test(html), 'inline CSS only, no script');
          for (const width of widths) {
            await page.setViewportSize({ width, height: 900 });
            await page.setContent(html, { waitUntil: 'load' });
            const m = (await page.evaluate(METRICS_SCRIPT)) as { scroll: number; view: number; card: number };
            assert.ok(m.scroll <= m.view, `${name}/${lang}@${width}: scrollWidth ${m.scroll} > ${m.view}`);
            assert.ok(m.card <= 600, `${name}/${lang}@${width}: card ${m.card} px`);
            assert.deepEqual(await contrastProblems(page), [], `${name}/${lang}@${width}: low contrast`);
            if (lang === 'en' || name === 'warning') {
              await page.screenshot({
                path: path.join(SHOTS, `${name}-${lang}-${width}${dark ? '-dark' : ''}.png`),
                fullPage: true,
              });
            }
          }
        });
      }
    }
  });
}

/** A phone screen: what an administrator sees at 7 am before scrolling (issue #21). */
const PHONE = { width: 390, height: 844 };

/**
 * Where the decisive lines are, in px from the top of the mail: the first bullet of "What to do"
 * (found by its title) and, for the first failed application, its name and its first error line.
 */
const foldScript = (whatToDo: string) => `(() => {
  const at = (el) => el ? { text: el.textContent.trim(), bottom: el.getBoundingClientRect().bottom + window.scrollY } : null;
  const title = [...document.querySelectorAll('div')].find((d) => d.children.length === 0 && d.textContent.trim() === ${JSON.stringify(whatToDo)});
  const failed = document.querySelector('[data-result="failed"]');
  return {
    firstStep: at(title && title.parentElement.querySelector('li')),
    failedName: at(failed && failed.querySelector('span[dir="auto"]')),
    firstErrorLine: at(failed && failed.querySelector('div[style*="monospace"] > span')),
  };
})()`;

interface Spot {
  text: string;
  bottom: number;
}

describe('the cause and the fix above the fold, at 390 × 844 px (issue #21)', () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
    page = await browser.newPage({ viewport: PHONE });
  });
  after(async () => {
    await browser?.close();
  });
  const spots = async (run: RunReport, lang: 'en' | 'it') => {
    await page.setContent(renderReport(run, 'first', { ...OPTIONS, language: lang }).html, { waitUntil: 'load' });
    return (await page.evaluate(foldScript(STRINGS[lang].whatToDo))) as Record<string, Spot | null>;
  };

  for (const lang of ['en', 'it'] as const) {
    it(`credentials refused (${lang}): the fix is the first bullet, names the destination, above the fold`, async () => {
      const run = RUNS.repo_auth!;
      const { firstStep } = await spots(run, lang);
      const action = fill(STRINGS[lang].destination.action.auth, { destination: run.destinationName });
      assert.ok(firstStep, 'a "What to do" list');
      assert.ok(firstStep.text.includes(run.destinationName), `names the destination: ${firstStep.text}`);
      assert.ok(firstStep.text.includes(action.slice(1)), `says the fix: ${firstStep.text}`);
      assert.ok(firstStep.bottom <= PHONE.height, `first bullet ends at ${firstStep.bottom} px`);
    });

    it(`partly failed (${lang}): the failed application and its first error line above the fold`, async () => {
      const run = RUNS.partial!;
      const failed = run.modules.find((m) => m.result === 'failed')!;
      const { failedName, firstErrorLine } = await spots(run, lang);
      assert.ok(failedName && firstErrorLine, 'a failed application with error lines');
      assert.equal(failedName.text, failed.uiName);
      assert.equal(firstErrorLine.text, failed.errorLines![0]);
      assert.ok(failedName.bottom <= PHONE.height, `name ends at ${failedName.bottom} px`);
      assert.ok(firstErrorLine.bottom <= PHONE.height, `first error line ends at ${firstErrorLine.bottom} px`);
    });
  }
});
