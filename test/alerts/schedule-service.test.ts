// SPDX-License-Identifier: GPL-3.0-or-later
// The watchdog inside the real service: a missed scheduled run mails MISSING once; a plan that
// stays failing gets reminders on the interval, not one per tick. Real redis-server + SMTP sink;
// the service clock runs ahead of wall time so no test waits for a real schedule.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startInProcessService } from '../helpers/service.js';
import { eventually } from '../helpers/prometheus.js';
import { adminClient, PLANS, replayRun, seedCluster, type SimPlan } from '../sim/cluster.js';

let redis: RedisServer;
let smtp: SmtpSink;
before(async () => {
  redis = await startRedis();
  smtp = await startSmtpSink();
});
after(async () => {
  await smtp.stop();
  await redis.stop();
});

const EVERY_MINUTE: SimPlan[] = PLANS.map((p) => ({ ...p, schedule: p.id === 2 ? '*-*-* *:*:00' : p.schedule }));

beforeEach(async () => {
  const c = await adminClient(redis);
  await c.flushAll();
  await c.quit();
  smtp.messages.length = 0;
});

describe('schedule watchdog in the service', () => {
  it('a missed run is mailed once as MISSING; disabled plans never', async () => {
    await seedCluster(redis, {
      smtpPort: smtp.port,
      plans: [...EVERY_MINUTE, { ...PLANS[0]!, id: 3, name: 'Off', schedule: '*-*-* *:*:00', enabled: false }],
    });
    // A frozen clock: with an every-minute schedule, a wall clock that crosses a minute boundary
    // during the test makes a second run due (and rightly mailed), which is not what this tests.
    const frozenAt = Date.now();
    let offset = 0;
    const { service } = await startInProcessService(
      redis,
      { MISSED_RUN_GRACE_SECONDS: '60' },
      { clock: { now: () => frozenAt + offset }, watchdogTickMs: 200 },
    );
    try {
      const c = await adminClient(redis);
      await eventually(
        'plans first seen',
        async () => c.hLen('module/backup-monitor1/watchdog'),
        (n) => n === 3,
      );
      await c.quit();
      await new Promise((r) => setTimeout(r, 500)); // a few ticks: plans are new, nothing is due
      assert.equal(smtp.messages.length, 0);
      offset = 5 * 60_000; // five minutes later, still no status: the run due 1-2 minutes ago is missing
      const [mail] = await smtp.waitFor(1, 10_000);
      assert.match(mail!.subject!, /^⏰ Did not run: Weekly SMB · .*⏰ Backup did not run/);
      await new Promise((r) => setTimeout(r, 1000)); // five more ticks at the same instant
      assert.equal(smtp.messages.length, 1, 'once per expected run, and never for the disabled plan');
    } finally {
      await service.stop();
    }
  });

  it('a plan that keeps failing gets a reminder on the interval, not per tick', async () => {
    await seedCluster(redis, { smtpPort: smtp.port });
    let offset = 0;
    const { service, log } = await startInProcessService(
      redis,
      { REMINDER_INTERVAL_SECONDS: '3600' },
      { clock: { now: () => Date.now() + offset }, watchdogTickMs: 200 },
    );
    try {
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      await smtp.waitFor(1, 10_000);
      await new Promise((r) => setTimeout(r, 1000)); // five ticks, nothing due
      assert.equal(smtp.messages.length, 1);
      offset = 3601_000;
      const mails = await smtp.waitFor(2, 10_000);
      assert.match(
        mails[1]!.subject!,
        /^⚠️ Partly failed: Weekly SMB – .* · \[NS8 Backup\] 🔁 Reminder: ⚠️ Backup partially failed$/,
      );
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(smtp.messages.length, 2, 'the next reminder waits another interval');
      assert.ok(log.lines.some((l) => /run correlated .*plan=2 .*reason=reminder/.test(l)));
    } finally {
      await service.stop();
    }
  });
});
