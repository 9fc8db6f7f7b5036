// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #22 "reminders as for email" and issue #24 item 5 on a channel besides email, end to end:
// NS8 runs replayed on a real redis-server with NS8's ACLs, the real service (in this process: its
// clock is moved ahead of wall time), a real SMTP sink and the Telegram Bot API simulator. Plans
// are scheduled once a year, so moving the clock ahead makes no run "missing"; the digest is off.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useServiceWorld } from '../helpers/service-world.js';
import { adminClient, replayRun } from '../sim/cluster.js';
import { moduleKeys, type StoredReport } from '../../src/domain/records.js';

const K = moduleKeys(MODULE_ID);
const DAY_MS = 86_400_000;
const world = useServiceWorld({ yearlyPlans: true, telegram: true, env: { DIGEST_FREQUENCY: 'off' } });

/** `count` Telegram messages were accepted and the outbox is empty: the service said what it had to. */
const telegramReaches = (count: number) => world.quiet({ telegram: count, timeoutMs: 30_000 });
const shown = () => world.telegram.sent.map((m) => m.shown.split('\n')[0]!);

async function storedReports(): Promise<StoredReport[]> {
  const c = await adminClient(world.redis);
  try {
    const ids = await c.lRange(K.history, 0, -1);
    return await Promise.all(ids.map(async (id) => JSON.parse((await c.get(`module/${MODULE_ID}/report/${id}`))!)));
  } finally {
    await c.quit();
  }
}

describe('reminders on a channel whose plan email leaves to the digest', () => {
  it('email policy digest, Telegram problems: the reminder reaches Telegram once, email skipped', async () => {
    const svc = await world.start({ NOTIFY_POLICY: 'digest', REMINDER_INTERVAL_SECONDS: '86400' });
    try {
      await replayRun(world.redis, 2, { nextcloud1: { errors: 1 } });
      await telegramReaches(1);
      world.offsetMs = DAY_MS + 1000; // a reminder is due
      await telegramReaches(2);
      await world.someTicks();
      assert.equal(world.telegram.sent.length, 2, `once: ${shown().join(' | ')}`);
      assert.match(world.telegram.sent[1]!.shown, /Weekly SMB/);
      assert.equal(world.smtp.messages.length, 0, 'the plan is mailed in the digest only');
      const [reminder] = await storedReports();
      assert.equal(reminder!.reason, 'reminder');
      assert.equal(reminder!.delivery.status, 'skipped', 'email was not meant to carry it');
      assert.equal(reminder!.deliveries!.telegram!.status, 'sent');
    } finally {
      await svc.service.stop();
    }
  });
});

describe('a stuck run on Telegram', () => {
  /** The stuck run; nothing is said while it is open. */
  async function openRunWithoutWebtop(): Promise<{ since: number; others: string[] }> {
    const run = await world.openRunWithoutWebtop();
    assert.deepEqual(shown(), [], 'an open run says nothing yet');
    return run;
  }

  it('one still-running message, then the normal report when the last application reports', async () => {
    const svc = await world.start({
      NOTIFY_POLICY: 'problems',
      REMINDER_INTERVAL_SECONDS: '0',
      MAX_RUN_SECONDS: '10800',
    });
    try {
      const { since, others } = await openRunWithoutWebtop();
      world.clockAt(since + 40 * 60);
      await telegramReaches(1);
      await world.someTicks();
      assert.equal(world.telegram.sent.length, 1, `one notice: ${shown().join(' | ')}`);
      assert.match(shown()[0]!, /^⏳ Still running: Weekly SMB – since /u);
      assert.match(world.telegram.sent[0]!.shown, /Not reported yet: Webtop <Sales & Co>/);
      assert.equal(world.smtp.messages.length, 1, 'email policy problems: the mail too');
      // Why it counts as stuck, in the mail's words (issue #24 item 5): its usual duration.
      const why = /Weekly SMB has been running since [^;]+; it usually takes \d+m( \d+s)?\./.exec(
        world.telegram.sent[0]!.shown,
      );
      assert.ok(why, world.telegram.sent[0]!.shown);
      assert.ok(world.smtp.messages[0]!.text!.includes(why[0]), 'the mail says the same');

      world.clockAt(since + 50 * 60);
      await replayRun(world.redis, 2, { webtop1: { startAt: since + 40 * 60, errors: 1 } }, { skip: others });
      await telegramReaches(2);
      await world.someTicks();
      assert.equal(world.telegram.sent.length, 2, shown().join(' | '));
      assert.match(shown()[1]!, /^⚠️ Partly failed: Weekly SMB/u, 'the normal report');
    } finally {
      await svc.service.stop();
    }
  });

  it('email policy digest: the still-running message reaches Telegram alone, email skipped', async () => {
    const svc = await world.start({
      NOTIFY_POLICY: 'digest',
      REMINDER_INTERVAL_SECONDS: '0',
      MAX_RUN_SECONDS: '10800',
    });
    try {
      const { since } = await openRunWithoutWebtop();
      world.clockAt(since + 40 * 60);
      await telegramReaches(1);
      await world.someTicks();
      assert.equal(world.telegram.sent.length, 1, `one notice: ${shown().join(' | ')}`);
      assert.match(shown()[0]!, /^⏳ Still running: Weekly SMB/u);
      assert.equal(world.smtp.messages.length, 0, 'the plan is mailed in the digest only');
      const [notice] = await storedReports();
      assert.equal(notice!.reason, 'stuck');
      assert.equal(notice!.delivery.status, 'skipped');
      assert.equal(notice!.deliveries!.telegram!.status, 'sent');
    } finally {
      await svc.service.stop();
    }
  });
});
