// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 items 2 and 4 on a channel besides email, end to end: a snooze's end and an escalation
// lead the Telegram message with the words that lead the mail ("Snooze ended", "Escalated"), and the
// stored report keeps the fact for a later send. NS8 runs replayed on a real redis-server with
// NS8's ACLs, the module's actions run as the agent runs them, the real service (in this process:
// its clock is moved ahead of wall time), a real SMTP sink and the Telegram Bot API simulator.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis, MODULE_ID, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startInProcessService } from '../helpers/service.js';
import { freePort } from '../helpers/ports.js';
import { adminClient, PLANS, replayRun, seedCluster } from '../sim/cluster.js';
import { installModule, runAction, type AgentOptions } from '../sim/agent-runner.js';
import { startTelegramSim, type TelegramSim } from '../sim/telegram.js';
import { moduleKeys, type StoredReport } from '../../src/domain/records.js';

const K = moduleKeys(MODULE_ID);
const CHAT = '-1001234567890';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
let redis: RedisServer;
let smtp: SmtpSink;
let sim: TelegramSim;
let root: string;
let agent: AgentOptions;
/** How far the service's clock runs ahead of wall time. */
let offsetMs = 0;

before(async () => {
  [redis, smtp, sim] = await Promise.all([startRedis(), startSmtpSink(), startTelegramSim()]);
});
after(async () => {
  await Promise.allSettled([sim?.stop(), smtp?.stop(), redis?.stop()]);
});
beforeEach(async () => {
  const c = await adminClient(redis);
  await c.flushAll().finally(() => c.quit());
  smtp.messages.length = 0;
  sim.sent.length = 0;
  offsetMs = 0;
  await seedCluster(redis, { smtpPort: smtp.port, plans: PLANS.map((p) => ({ ...p, schedule: '*-06-15 03:00:00' })) });
  root = mkdtempSync(path.join(tmpdir(), 'bm-notice-words-'));
  agent = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...agent, tcpPort: await freePort() })).status, 'completed');
});

const start = (env: Record<string, string>) =>
  startInProcessService(
    redis,
    {
      NOTIFY_POLICY: 'problems',
      REMINDER_INTERVAL_SECONDS: '0',
      DIGEST_FREQUENCY: 'off',
      TELEGRAM_BOT_TOKEN: sim.token,
      TELEGRAM_API_URL: sim.url,
      TELEGRAM_CHAT_ID: CHAT,
      TELEGRAM_LEVEL: 'problems',
      ...env,
    },
    { clock: { now: () => Date.now() + offsetMs }, watchdogTickMs: 200 },
  );

/** `count` mails and Telegram messages went out and the outbox is empty: the service said what it had to. */
async function told(count: number): Promise<void> {
  const c = await adminClient(redis);
  try {
    const until = Date.now() + 30_000;
    for (;;) {
      const queued = await c.hLen(K.outbox);
      if (sim.sent.length >= count && smtp.messages.length >= count && queued === 0) return;
      if (Date.now() > until)
        throw new Error(`not quiet: ${sim.sent.length} messages, ${smtp.messages.length} mails, ${queued} queued`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await c.quit();
  }
}

/** The watchdog ticks every 200 ms: a second is five chances to send what is due (and must not be). */
const someTicks = () => new Promise((r) => setTimeout(r, 1000));
const titles = () => sim.sent.map((m) => m.shown.split('\n')[0]!);

async function newestReport(): Promise<StoredReport> {
  const c = await adminClient(redis);
  try {
    const [id] = await c.lRange(K.history, 0, 0);
    return JSON.parse((await c.get(K.report(id!)))!);
  } finally {
    await c.quit();
  }
}

/** The mail's subject without its tail (prefix and the seed tool's words): what a channel's title is. */
const headOf = (subject: string) => subject.slice(0, subject.lastIndexOf(' · '));

describe('a channel message leads with the words that lead the mail', () => {
  it("a snooze's end: Snooze ended, on Telegram as in the mail, once", async () => {
    const svc = await start({});
    try {
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      await told(1);
      const until = Math.floor((Date.now() + DAY_MS) / 1000);
      const snoozed = await runAction('snooze-plan', { plan_id: 2, until }, agent);
      assert.equal(snoozed.status, 'completed', String(snoozed.error));
      offsetMs = 2 * DAY_MS;
      await told(2);
      await someTicks();
      assert.equal(sim.sent.length, 2, `once: ${titles().join(' | ')}`);
      assert.match(titles()[1]!, /^⚠️ Partly failed: Weekly SMB – Snooze ended: /u);
      assert.equal(titles()[1], headOf(smtp.messages[1]!.subject!), 'the mail subject’s words');
      assert.equal((await newestReport()).notice, 'snoozeEnded', 'kept on the report for a later send');
    } finally {
      await svc.service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an escalation: Escalated, on Telegram as in the mail', async () => {
    const svc = await start({ ESCALATION_AFTER_SECONDS: '3600', ESCALATION_TO: 'boss@example.org' });
    try {
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      await told(1);
      assert.doesNotMatch(titles()[0]!, /Escalated/);
      offsetMs = 2 * HOUR_MS;
      await told(2);
      await someTicks();
      assert.equal(sim.sent.length, 2, `once: ${titles().join(' | ')}`);
      assert.match(smtp.messages[1]!.subject!, /Escalated/);
      assert.match(titles()[1]!, /^⚠️ Partly failed: Weekly SMB – Escalated/u);
      assert.equal((await newestReport()).notice, 'escalated');
    } finally {
      await svc.service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
