// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23 on the admin page: an application whose cleanup has failed for several runs says
// "retention stuck since <date>" on its plan's tile, and repositories nobody owns are one notice
// with a count whose list opens on demand; neither shows when there is nothing to say. At 1280 and
// 390 px, English and Italian, axe-core clean. Real get-monitor-status on a real Redis through the
// stand-in cluster-admin (harness.ts), Debian Chromium (browser.ts). Needs `npm --prefix ui run build`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { createClient } from 'redis';
import { moduleKeys, type PlanState } from '../../src/domain/records.js';
import { remember } from '../../src/trends/anomaly.js';
import type { ModuleRow, RunReport } from '../../src/domain/run.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { DEST_B2, seedCluster, type SimPlan } from '../sim/cluster.js';
import { installModule, type AgentOptions } from '../sim/agent-runner.js';
import { axeSerious, launchChromium, openAppPage, type OpenedApp } from './browser.js';
import { startHarness, type Harness } from './harness.js';

const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const RUN_START = NOW - 3600;
const STUCK_SINCE = RUN_START - 2 * DAY;
/** STUCK_SINCE as the page writes it in UTC (the browser's zone here), computed apart from the page's formatter. */
const STUCK_TEXT = new Date(STUCK_SINCE * 1000).toISOString().slice(0, 16).replace('T', ' ');
const WORDS = {
  en: {
    stuck: `Cloud: retention stuck since ${STUCK_TEXT}. Backups are saved, but old snapshots are no longer removed`,
    title: '2 repositories at the destinations belong to no application here',
    show: 'Show the repositories',
    removed:
      /^Wiki \(dokuwiki3\) at NAS <share>: its application is no longer in the cluster; last backup .*Delete the folder dokuwiki\/u-2/,
    other: /^mail1 at NAS <share>: written by another cluster \(mail\/u-3\)/,
  },
  it: {
    stuck: `Cloud: retention bloccata dal ${STUCK_TEXT}. I backup sono salvati, ma i vecchi snapshot non vengono più rimossi`,
    title: '2 repository nelle destinazioni non appartengono a nessuna applicazione di questo cluster',
    show: 'Mostra i repository',
    removed: /^Wiki \(dokuwiki3\) in NAS <share>: l'applicazione non è più nel cluster/,
    other: /^mail1 in NAS <share>: scritto da un altro cluster \(mail\/u-3\)/,
  },
} as const;

let redis: RedisServer;
let root: string;
let harness: Harness;
let browser: Browser;

const plan: SimPlan = {
  id: 2,
  name: 'Nightly',
  repository: DEST_B2,
  schedule: '*-*-* 01:30:00',
  retention: 3,
  instances: ['mail1', 'nextcloud1'],
  enabled: true,
};

const row = (moduleId: string, uiName: string, stuck: boolean): ModuleRow => ({
  moduleId,
  uiName,
  node: 1,
  nodeName: 'ns1',
  result: 'success',
  start: RUN_START,
  end: RUN_START + 60,
  totalSize: 1000,
  totalFileCount: 10,
  snapshotsCount: 1,
  errors: stuck ? 1 : 0,
  repoPath: `${moduleId}/u-1`,
  confirmation: {
    verdict: stuck ? 'cleanup_failed' : 'confirmed',
    since: RUN_START,
    latestSnapshot: RUN_START + 5,
    snapshotCount: stuck ? 9 : 3,
    retention: 3,
    ...(stuck ? { cleanupStuck: { since: STUCK_SINCE, runs: 3 } } : {}),
  },
});

/** The last run, decided and not mailed (policy digest): only the recent runs keep it. */
const RUN: RunReport = {
  runKey: `2:${RUN_START}`,
  planId: 2,
  planName: 'Nightly',
  destinationId: DEST_B2,
  destinationName: 'B2',
  outcome: 'WARNING',
  start: RUN_START,
  end: RUN_START + 60,
  nodes: [{ id: 1, name: 'ns1' }],
  modules: [row('nextcloud1', 'Cloud', true), row('mail1', '', false)],
  triggers: ['event'],
};

const STATE: PlanState = {
  planId: 2,
  planName: 'Nightly',
  lastRunKey: RUN.runKey,
  lastOutcome: 'WARNING',
  lastDigest: 'WARNING,mail1=success,nextcloud1=success',
  lastReportId: '',
  lastNotifiedAt: (NOW - 3000) * 1000,
  failingSince: STUCK_SINCE,
  lastSuccessAt: RUN_START,
};

const repo = (kind: string, moduleId: string, uiName: string, p: string) => ({
  kind,
  moduleId,
  uiName,
  path: p,
  destinationName: 'NAS <share>',
  lastBackupAt: NOW - 40 * DAY,
});

async function writer<T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const c = createClient({ url: redis.moduleUrl });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.quit();
  }
}

before(async () => {
  redis = await startRedis();
  await seedCluster(redis, { plans: [plan] });
  root = mkdtempSync(path.join(tmpdir(), 'bm-ui23-'));
  const agent: AgentOptions = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...agent, tcpPort: 20023 })).status, 'completed');
  await writer(async (c) => {
    const k = moduleKeys(MODULE_ID);
    await c.hSet(k.plans, '2', JSON.stringify(STATE));
    await c.hSet(k.runs, '2', JSON.stringify(remember([], RUN)));
  });
  harness = await startHarness({ agent, redis, moduleId: MODULE_ID });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await harness?.stop();
  await redis?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const openApp = (width: number, locale: string): Promise<OpenedApp> =>
  openAppPage(browser, harness.url, { width, locale, ready: '[data-test=plan-2]' });

describe('issue #23 on the status page', () => {
  test('nothing to say: no unowned notice', async () => {
    await writer((c) => c.del(moduleKeys(MODULE_ID).unownedRepositories));
    const { ctx, app } = await openApp(390, 'en');
    try {
      assert.equal(await app.locator('[data-test=unowned]').count(), 0);
      assert.equal(await app.locator('[data-test=plan-retention-stuck-mail1]').count(), 0, 'confirmed: not stuck');
    } finally {
      await ctx.close();
    }
  });

  for (const width of [1280, 390])
    for (const lang of ['en', 'it'] as const)
      test(`${lang} ${width}: retention stuck on the tile, unowned repositories in one notice`, async () => {
        await writer((c) =>
          c.set(
            moduleKeys(MODULE_ID).unownedRepositories,
            JSON.stringify({
              v: 1,
              at: NOW - 600,
              repositories: [
                repo('other_cluster', 'mail1', '', 'mail/u-3'),
                repo('removed', 'dokuwiki3', 'Wiki', 'dokuwiki/u-2'),
              ],
            }),
          ),
        );
        const w = WORDS[lang];
        const { ctx, app, frame } = await openApp(width, lang);
        try {
          const stuck = app.locator('[data-test=plan-2] [data-test=plan-retention-stuck-nextcloud1]');
          assert.ok((await stuck.innerText()).trim().startsWith(w.stuck), await stuck.innerText());
          const notice = app.locator('[data-test=unowned]');
          assert.equal((await notice.locator('.bx--inline-notification__title').innerText()).trim(), w.title);
          const toggle = notice.locator('[data-test=unowned-toggle]');
          assert.equal((await toggle.innerText()).trim(), w.show);
          assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
          assert.equal(await notice.locator('[data-test=unowned-list]').count(), 0, 'compact until asked');
          assert.deepEqual(await axeSerious(frame()), [], `${lang} ${width}: closed`);
          await toggle.click();
          await notice.locator('[data-test=unowned-list]').waitFor();
          assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
          assert.match((await notice.locator('[data-test=unowned-removed]').innerText()).trim(), w.removed);
          assert.match((await notice.locator('[data-test=unowned-other_cluster]').innerText()).trim(), w.other);
          assert.deepEqual(await axeSerious(frame()), [], `${lang} ${width}: open`);
          for (const el of [notice, app.locator('[data-test=plan-2]')]) {
            const box = await el.boundingBox();
            assert.ok(box && box.x >= 0 && box.x + box.width <= width + 1, `${lang} ${width}: fits the page`);
          }
          const sw = await frame().evaluate(() => document.documentElement.scrollWidth);
          assert.ok(sw <= width, `${lang} ${width}: no horizontal scroll (${sw})`);
        } finally {
          await ctx.close();
        }
      });
});
