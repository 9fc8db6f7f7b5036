// SPDX-License-Identifier: GPL-3.0-or-later
// Renders build/logo.svg to ui/public/img/backup-monitor-logo.png, 256x256 with transparency,
// in Debian's Chromium (playwright-core, no downloaded browser). The PNG is committed: the
// Software Center wants a 256x256 logo.png, cluster-admin globs apps/<id>/img/*logo*png.
//   node --import tsx build/make-logo.ts
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { LOGO_FILE, REPO_ROOT } from '../scripts/module-metadata.js';

const svg = readFileSync(path.join(REPO_ROOT, 'build', 'logo.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 256, height: 256 }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: LOGO_FILE, omitBackground: true });
} finally {
  await browser.close();
}
process.stdout.write(`${LOGO_FILE}\n`);
