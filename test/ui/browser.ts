// SPDX-License-Identifier: GPL-3.0-or-later
// What the admin-page tests (test/ui/, test/ns8-app/) share: Debian Chromium through
// playwright-core (never a downloaded browser), the whole stack around the page (real Redis with
// NS8's ACLs, SMTP sink, the module installed by the simulated agent, the real service, the
// cluster-admin harness), polling with a deadline, and the reading of an empty state.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Frame,
  type FrameLocator,
  type Locator,
  type Page,
} from 'playwright-core';
import { freePort } from '../helpers/ports.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startTestService } from '../helpers/service.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { installModule, runAction, type AgentOptions } from '../sim/agent-runner.js';
import { seedCluster, type SimPlan } from '../sim/cluster.js';
import { startHarness, type Harness } from './harness.js';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

/** The tests' patience: Python actions can take seconds on the shared 2-core machine. */
export const T = 60_000;

/** Polls `check` every 100 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = T): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until a Carbon modal has finished fading in (opacity 1, the focus inside it) or out
 * (visibility hidden, 240 ms after `is-visible` goes): axe checks the colours of what is painted
 * (a half-faded button fails its contrast), and a key pressed mid-transition can be lost.
 */
export function modalSettled(modal: Locator, open: boolean): Promise<void> {
  return until(open ? 'the window open' : 'the window closed', () =>
    modal.evaluate(
      (el, o) =>
        o
          ? el.classList.contains('is-visible') &&
            getComputedStyle(el).opacity === '1' &&
            el.contains(document.activeElement)
          : !el.classList.contains('is-visible') && getComputedStyle(el).visibility === 'hidden',
      open,
    ),
  );
}

export interface AxeViolation {
  id: string;
  impact: string;
  first: string;
}

/**
 * Waits (at most 5 s) until no finite CSS transition or animation is running in the frame: axe
 * reads the colours being painted, and a button fading back from its hover colour behind a modal
 * that just opened fails its contrast. Endless ones (a loading skeleton) are not waited for.
 */
async function transitionsEnded(frame: Frame): Promise<void> {
  const running = `document.getAnimations().filter((a) => a.playState === 'running' && a.effect && Number.isFinite(a.effect.getComputedTiming().endTime)).length`;
  const end = Date.now() + 5000;
  while (((await frame.evaluate(running)) as number) > 0 && Date.now() < end)
    await new Promise((r) => setTimeout(r, 50));
}

/**
 * axe-core on the app's document (injected once per page): every violation, the first node of each.
 * A string, not a function: tsx would wrap inner helpers with a __name() the page does not have.
 */
export async function axeViolations(frame: Frame): Promise<AxeViolation[]> {
  await transitionsEnded(frame);
  if (!(await frame.evaluate('typeof window.axe !== "undefined"')))
    await frame.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  return (await frame.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, first: v.nodes[0] ? v.nodes[0].target.join(' ') : '' })))`,
  )) as AxeViolation[];
}

/** The serious and critical ones: what the page tests refuse. */
export const axeSerious = async (frame: Frame): Promise<AxeViolation[]> =>
  (await axeViolations(frame)).filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** A tab on the module's page inside the cluster-admin harness. */
export interface OpenedApp {
  ctx: BrowserContext;
  tab: Page;
  /** The module's iframe, for locators. */
  app: FrameLocator;
  /** The module's frame, for evaluate (looked up each time: a reload replaces it). */
  frame: () => Frame;
}

/**
 * Opens `harnessUrl#/apps/<module><route>` (route `?page=status` unless told) in a new context: `width` px wide, a touch phone
 * 844 px tall below 600 px, otherwise 800 px tall; UTC; the page's errors in the test's log.
 * Waits until `ready` is on the page.
 */
export async function openAppPage(
  browser: Browser,
  harnessUrl: string,
  opts: { width: number; locale?: string; route?: string; ready: string },
): Promise<OpenedApp> {
  const phone = opts.width < 600;
  const ctx = await browser.newContext({
    locale: opts.locale ?? 'en-US',
    timezoneId: 'UTC',
    viewport: { width: opts.width, height: phone ? 844 : 800 },
    isMobile: phone,
    hasTouch: phone,
  });
  const tab = await ctx.newPage();
  tab.setDefaultTimeout(T);
  tab.on('pageerror', (e) => console.error('page error:', e.message));
  await tab.goto(`${harnessUrl}#/apps/${MODULE_ID}${opts.route ?? '?page=status'}`);
  const app = tab.frameLocator('#app-frame');
  await app.locator(opts.ready).first().waitFor({ timeout: T });
  const frame = () =>
    tab.frames().find((f) => f !== tab.mainFrame() && f.url().includes(`/apps/${MODULE_ID}/index.html`))!;
  return { ctx, tab, app, frame };
}

export interface AppStack {
  redis: RedisServer;
  smtp: SmtpSink;
  agent: AgentOptions;
  service: Awaited<ReturnType<typeof startTestService>>;
  harness: Harness;
  browser: Browser;
  /** Stops everything it started, each once, even after a partial start. */
  stop(): Promise<void>;
}

/**
 * The page's whole world: Redis seeded with the contract's cluster (`plans` as given), the module
 * installed (and configured with `mailTo` when given), the service mailing to the SMTP sink,
 * the cluster-admin harness and Chromium.
 */
export async function startAppStack(opts: {
  tmpPrefix: string;
  plans?: SimPlan[];
  configureMailTo?: string[];
  /** More of the service's environment (issue #22: a channel pointed at a simulator). */
  serviceEnv?: Record<string, string>;
}): Promise<AppStack> {
  const s: Partial<AppStack> & { root?: string } = {};
  const stop = async () => {
    await s.browser?.close();
    await s.harness?.stop();
    await s.service?.service.stop();
    await Promise.all([s.redis?.stop(), s.smtp?.stop()]);
    if (s.root) rmSync(s.root, { recursive: true, force: true });
  };
  try {
    [s.redis, s.smtp] = await Promise.all([startRedis(), startSmtpSink()]);
    await seedCluster(s.redis, { smtpPort: s.smtp.port, ...(opts.plans ? { plans: opts.plans } : {}) });
    s.root = mkdtempSync(path.join(tmpdir(), opts.tmpPrefix));
    s.agent = { stateDir: path.join(s.root, 'state'), redis: s.redis };
    const tcpPort = await freePort();
    const created = await installModule({ ...s.agent, tcpPort });
    assert.equal(created.status, 'completed', created.error);
    if (opts.configureMailTo) {
      const res = await runAction('configure-module', { mail_to: opts.configureMailTo }, s.agent);
      assert.equal(res.status, 'completed', res.error);
    }
    const token = readFileSync(path.join(s.agent.stateDir, 'receiver.token'), 'utf8').trim();
    s.service = await startTestService(s.redis, {
      RECEIVER_TOKEN: token,
      TCP_PORT: String(tcpPort),
      MAIL_TO: 'ops@example.org',
      REPO_CHECK_ENABLED: '0',
      ...opts.serviceEnv,
    });
    s.harness = await startHarness({ agent: s.agent, redis: s.redis, moduleId: MODULE_ID });
    s.browser = await launchChromium();
  } catch (err) {
    await stop();
    throw err;
  }
  return { ...(s as Omit<AppStack, 'stop'>), stop };
}

export interface EmptyStateView {
  title: string;
  description: string;
  /** The pictogram as drawn: its box, its shapes, and whether screen readers skip it. */
  pictogram: { width: number; height: number; shapes: number; hidden: boolean } | null;
  centered: boolean;
}

/** What an empty state (components/EmptyState.vue, NsEmptyState's markup) inside `[data-test=<testId>]` shows. */
export async function emptyState(app: FrameLocator, testId: string): Promise<EmptyStateView> {
  return await app.locator(`[data-test=${testId}] .empty-state`).evaluate((el) => {
    const svg = el.querySelector(':scope > svg');
    const box = svg?.getBoundingClientRect();
    return {
      title: el.querySelector(':scope > .title')?.textContent?.trim() ?? '',
      description: el.querySelector(':scope > .description')?.textContent?.trim() ?? '',
      pictogram: svg
        ? {
            width: Math.round(box!.width),
            height: Math.round(box!.height),
            shapes: svg.querySelectorAll('path, circle, rect, polygon, polyline, line, ellipse').length,
            hidden: svg.getAttribute('aria-hidden') === 'true',
          }
        : null,
      centered: getComputedStyle(el).textAlign === 'center',
    };
  });
}

/** Asserts the NsEmptyState look: a visible 64 px pictogram hidden from screen readers, centred, titled. */
export async function assertEmptyState(
  app: FrameLocator,
  testId: string,
  want: { title: string | RegExp; description: RegExp },
): Promise<void> {
  const v = await emptyState(app, testId);
  if (typeof want.title === 'string') assert.equal(v.title, want.title, `${testId}: title`);
  else assert.match(v.title, want.title, `${testId}: title`);
  assert.match(v.description, want.description, `${testId}: description`);
  assert.deepEqual(
    v.pictogram && { ...v.pictogram, shapes: v.pictogram.shapes > 0 },
    { width: 64, height: 64, shapes: true, hidden: true },
    `${testId}: pictogram`,
  );
  assert.equal(v.centered, true, `${testId}: centred`);
}

/**
 * Fails on any axe `heading-order` finding, whatever its impact (axe calls it moderate, so
 * axeSerious lets it through): a screen-reader user moving by headings meets a section one level
 * below the page title, never a skipped level. The message lists every misplaced heading and the
 * page's outline as drawn. axe's `page-has-heading-one` is not asked: NS8 modules title their page
 * with an h2 inside cluster-admin's iframe (ns8-kickstart, ns8-dokuwiki), and so does this one.
 */
export async function assertHeadingsInOrder(frame: Frame, what: string): Promise<void> {
  await axeViolations(frame); // settles transitions and injects axe once
  const found = (await frame.evaluate(
    `axe.run(document, { runOnly: ['heading-order'], resultTypes: ['violations'] }).then((r) => r.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' ') + ' ' + n.html)))`,
  )) as string[];
  const outline = (await frame.evaluate(
    `[...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading]')].filter((h) => h.offsetParent !== null).map((h) => h.tagName + ' ' + h.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40)).join(' | ')`,
  )) as string;
  assert.deepEqual(found, [], `${what}: headings skip a level (outline: ${outline})`);
}
