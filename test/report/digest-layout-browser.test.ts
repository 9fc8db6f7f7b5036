// SPDX-License-Identifier: GPL-3.0-or-later
// The digest as a phone and a desktop show it (issue #21): Chromium renders a digest with a plan
// in every state, in both languages, with ordinary and hostile names, at 390 and 1280 px. Nothing
// may scroll sideways or stick out of the viewport (the state word beside a name does not wrap),
// and the card stays ≤ 600 px. Screenshots go to artifacts/report/ (git-ignored) for a person.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { digestContent, type DigestInput } from '../../src/digest/content.js';
import { renderDigestHtml } from '../../src/report/digest.js';
import { everyState } from '../digest/fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = path.join(ROOT, 'artifacts', 'report');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];
const WIDTHS = [390, 1280];

/** Every plan and destination renamed to something long, unbroken or right-to-left. */
function hostile(): DigestInput {
  const i = everyState();
  const names = ['x'.repeat(300), 'גיבוי שרת הקבצים הראשי ‮evil‬ ' + 'ש'.repeat(200), 'Nightly backup of everything'];
  return {
    ...i,
    snapshots: i.snapshots.map((s, n) => ({
      ...s,
      plan: { ...s.plan, name: names[n % names.length]! },
      destination: { ...s.destination!, name: 'https://very.long.host.example.org/' + 'a/'.repeat(200) },
    })),
  };
}

const CASES: [string, DigestInput][] = [
  ['every-state', everyState()],
  ['hostile', hostile()],
];

// A string, not a function: tsx would add helpers (__name) the page does not have.
const METRICS_SCRIPT = `(() => ({
  scroll: document.documentElement.scrollWidth, view: window.innerWidth,
  card: Math.max(...[...document.querySelectorAll('table table')].map((t) => t.getBoundingClientRect().width)),
  outside: [...document.body.querySelectorAll('*')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map((e) => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 30)),
}))()`;

describe('digest HTML in Chromium', () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  });
  after(async () => {
    await browser?.close();
  });

  for (const [name, input] of CASES) {
    for (const language of ['en', 'it'] as const) {
      it(`${name} (${language}): nothing wider than the viewport at ${WIDTHS.join(' and ')} px`, async () => {
        const html = renderDigestHtml(digestContent(input), {
          language,
          subjectPrefix: '[NS8 Backup]',
          timeZone: 'Europe/Rome',
          moduleId: 'backup-monitor1',
          frequency: 'daily',
        });
        for (const width of WIDTHS) {
          await page.setViewportSize({ width, height: 844 });
          await page.setContent(html, { waitUntil: 'load' });
          const m = (await page.evaluate(METRICS_SCRIPT)) as {
            scroll: number;
            view: number;
            card: number;
            outside: string[];
          };
          assert.ok(m.scroll <= m.view, `${name}/${language}@${width}: scrollWidth ${m.scroll} > ${m.view}`);
          assert.deepEqual(m.outside, [], `${name}/${language}@${width}: past the right edge`);
          assert.ok(m.card <= 600, `${name}/${language}@${width}: card ${m.card} px`);
          await page.screenshot({ path: path.join(SHOTS, `digest-${name}-${language}-${width}.png`), fullPage: true });
        }
      });
    }
  }
});
