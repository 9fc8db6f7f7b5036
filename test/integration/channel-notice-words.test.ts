// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 items 2 and 4 on a channel besides email, end to end: a snooze's end and an escalation
// lead the Telegram message with the words that lead the mail ("Snooze ended", "Escalated"), and the
// stored report keeps the fact for a later send. NS8 runs replayed on a real redis-server with
// NS8's ACLs, the module's actions run as the agent runs them, the real service (in this process:
// its clock is moved ahead of wall time), a real SMTP sink and the Telegram Bot API simulator.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useServiceWorld } from '../helpers/service-world.js';
import { adminClient, replayRun } from '../sim/cluster.js';
import { runAction } from '../sim/agent-runner.js';
import { moduleKeys, type StoredReport } from '../../src/domain/records.js';

const K = moduleKeys(MODULE_ID);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const world = useServiceWorld({
  yearlyPlans: true,
  installed: true,
  telegram: true,
  env: { NOTIFY_POLICY: 'problems', REMINDER_INTERVAL_SECONDS: '0', DIGEST_FREQUENCY: 'off' },
});

/** `count` mails and Telegram messages went out and the outbox is empty: the service said what it had to. */
const told = (count: number) => world.quiet({ mails: count, telegram: count, timeoutMs: 30_000 });
const titles = () => world.telegram.sent.map((m) => m.shown.split('\n')[0]!);

async function newestReport(): Promise<StoredReport> {
  const c = await adminClient(world.redis);
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
    const svc = await world.start({});
    try {
      await replayRun(world.redis, 2, { nextcloud1: { errors: 1 } });
      await told(1);
      const until = Math.floor((Date.now() + DAY_MS) / 1000);
      const snoozed = await runAction('snooze-plan', { plan_id: 2, until }, world.agent);
      assert.equal(snoozed.status, 'completed', String(snoozed.error));
      world.offsetMs = 2 * DAY_MS;
      await told(2);
      await world.someTicks();
      assert.equal(world.telegram.sent.length, 2, `once: ${titles().join(' | ')}`);
      assert.match(titles()[1]!, /^⚠️ Partly failed: Weekly SMB – Snooze ended: /u);
      assert.equal(titles()[1], headOf(world.smtp.messages[1]!.subject!), 'the mail subject’s words');
      assert.equal((await newestReport()).notice, 'snoozeEnded', 'kept on the report for a later send');
    } finally {
      await svc.service.stop();
    }
  });

  it('an escalation: Escalated, on Telegram as in the mail', async () => {
    const svc = await world.start({ ESCALATION_AFTER_SECONDS: '3600', ESCALATION_TO: 'boss@example.org' });
    try {
      await replayRun(world.redis, 2, { nextcloud1: { errors: 1 } });
      await told(1);
      assert.doesNotMatch(titles()[0]!, /Escalated/);
      world.offsetMs = 2 * HOUR_MS;
      await told(2);
      await world.someTicks();
      assert.equal(world.telegram.sent.length, 2, `once: ${titles().join(' | ')}`);
      assert.match(world.smtp.messages[1]!.subject!, /Escalated/);
      assert.match(titles()[1]!, /^⚠️ Partly failed: Weekly SMB – Escalated/u);
      assert.equal((await newestReport()).notice, 'escalated');
    } finally {
      await svc.service.stop();
    }
  });
});
