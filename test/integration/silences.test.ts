// SPDX-License-Identifier: GPL-3.0-or-later
// Acknowledge and snooze (issue #24), end to end: replayed NS8 runs on a real redis-server with
// NS8's ACLs, the module's actions run as the agent runs them, the real service (in this process:
// its clock runs days ahead of wall time) and a real SMTP sink. Plans are scheduled once a year,
// so jumping days ahead makes no run "missing"; the scheduled digest is off (samples are asked).
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useServiceWorld } from '../helpers/service-world.js';
import { adminClient, replayRun } from '../sim/cluster.js';
import { runAction } from '../sim/agent-runner.js';
import { moduleKeys } from '../../src/domain/records.js';

const K = moduleKeys(MODULE_ID);
const DAY_MS = 86_400_000;
const world = useServiceWorld({
  yearlyPlans: true,
  installed: true,
  env: { NOTIFY_POLICY: 'problems', REMINDER_INTERVAL_SECONDS: '86400', DIGEST_FREQUENCY: 'off' },
});

let runs = 0;
/** One more run of Weekly SMB (a second after the last: run keys are per second), decided. */
async function runOfPlan2(failed: string[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100));
  await replayRun(world.redis, 2, Object.fromEntries(failed.map((id) => [id, { errors: 1 }])));
  await world.quiet({ runs: ++runs });
}

const storedSilence = async () => {
  const c = await adminClient(world.redis);
  return c.hGet(K.silences, '2').finally(() => c.quit());
};

describe('acknowledge', () => {
  beforeEach(() => {
    runs = 0;
  });

  it('no reminder for 3 days, also across a restart; another application failing mails once; recovery mails once', async () => {
    let svc = await world.start();
    try {
      await runOfPlan2(['nextcloud1']);
      assert.equal(world.smtp.messages.length, 1);
      const out = await world.action('acknowledge-plan', { plan_id: 2, comment: 'NAS replaced this week' });
      assert.deepEqual(out.acknowledged.applications, ['nextcloud1']);
      assert.equal(out.acknowledged.by, 'admin', 'the cluster-admin user that ran the action');
      await svc.service.stop();
      svc = await world.start(); // what was acknowledged is in Redis, not in the process
      for (const day of [1, 2, 3]) {
        world.offsetMs = day * DAY_MS + 1000; // a reminder is due every day
        await world.someTicks();
      }
      await runOfPlan2(['nextcloud1']); // the same failure again: no repeat either
      assert.deepEqual(
        world.subjects().length,
        1,
        `no reminder or repeat while acknowledged: ${world.subjects().join(' | ')}`,
      );
      const listed = await world.action('list-silences', {});
      assert.equal(listed.silences[0].acknowledged.comment, 'NAS replaced this week');

      await runOfPlan2(['nextcloud1', 'samba1']);
      assert.equal(world.smtp.messages.length, 2, 'another application failing is news');
      assert.match(world.subjects()[1]!, /Weekly SMB – 2 of 4 applications not saved/);
      assert.equal(await storedSilence(), null, 'and ends the acknowledgement');
      assert.deepEqual((await world.action('list-silences', {})).silences, []);

      await world.action('acknowledge-plan', { plan_id: 2 });
      await runOfPlan2([]);
      assert.equal(world.smtp.messages.length, 3);
      assert.match(world.subjects()[2]!, /^✅ Recovered: Weekly SMB/);
      assert.equal(await storedSilence(), null, 'a recovery ends it');
      world.offsetMs = 5 * DAY_MS;
      await world.someTicks();
      assert.equal(world.smtp.messages.length, 3);
    } finally {
      await svc.service.stop();
    }
  });

  it('is refused for a plan that is not failing', async () => {
    const res = await runAction('acknowledge-plan', { plan_id: 2 }, world.agent);
    assert.equal(res.status, 'validation-failed');
    assert.equal((res.output as { error: string }[])[0]!.error, 'plan_not_failing');
  });
});

describe('snooze', () => {
  beforeEach(() => {
    runs = 0;
  });

  it('until Friday: nothing until then, listed in the digests meanwhile, one mail on Friday if still failing', async () => {
    const svc = await world.start();
    try {
      await runOfPlan2(['nextcloud1']);
      const friday = Math.floor((Date.now() + 3 * DAY_MS) / 1000);
      const out = await world.action('snooze-plan', { plan_id: 2, until: friday, comment: 'NAS maintenance' });
      assert.equal(out.snoozed.until, friday);
      await runOfPlan2(['nextcloud1', 'samba1']); // news, held
      for (const day of [1, 2]) {
        world.offsetMs = day * DAY_MS;
        await world.someTicks();
        const res = await fetch(`${svc.url}/test-notification`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'digest' }),
        });
        assert.equal(res.status, 200, await res.text());
        const digest = (await world.smtp.waitFor(1 + day)).at(-1)!;
        assert.match(digest.text!, /1 plan snoozed: Weekly SMB until \d{4}-\d\d-\d\d \d\d:\d\d/);
      }
      assert.equal(world.subjects().filter((s) => !/digest/.test(s)).length, 1, world.subjects().join(' | '));
      const c = await adminClient(world.redis);
      const state = JSON.parse((await c.hGet(K.plans, '2'))!);
      await c.quit();
      assert.equal(state.lastDigest.includes('samba1=failed'), true, 'every problem is still recorded');

      world.offsetMs = friday * 1000 - Date.now() + 1000;
      const mails = await world.smtp.waitFor(4);
      assert.match(mails[3]!.subject!, /^⚠️ Partly failed: Weekly SMB – .*🔁 Reminder/);
      assert.equal(await storedSilence(), null, 'the snooze ended by itself');
      await world.someTicks();
      assert.equal(world.smtp.messages.length, 4, 'once');
    } finally {
      await svc.service.stop();
    }
  });

  it('its end is announced once in its own words, also with reminders off', async () => {
    const svc = await world.start({ REMINDER_INTERVAL_SECONDS: '0' });
    try {
      await runOfPlan2(['nextcloud1']);
      const until = Math.floor((Date.now() + DAY_MS) / 1000);
      await world.action('snooze-plan', { plan_id: 2, until });
      world.offsetMs = 2 * DAY_MS;
      const mails = await world.smtp.waitFor(2);
      assert.match(mails[1]!.subject!, /^⚠️ Partly failed: Weekly SMB – Snooze ended: /u);
      assert.match(mails[1]!.text!, /Snooze ended: Weekly SMB is still failing\./);
      assert.equal(await storedSilence(), null);
      await world.someTicks();
      assert.equal(world.smtp.messages.length, 2, `once: ${world.subjects().join(' | ')}`);
    } finally {
      await svc.service.stop();
    }
  });

  it('until the next success: ends at the first full success', async () => {
    const svc = await world.start();
    try {
      await runOfPlan2(['nextcloud1']);
      await world.action('snooze-plan', { plan_id: 2, until_success: true });
      await runOfPlan2(['nextcloud1', 'samba1']);
      world.offsetMs = 2 * DAY_MS;
      await world.someTicks();
      assert.equal(world.smtp.messages.length, 1);
      await runOfPlan2([]);
      assert.equal(world.smtp.messages.length, 2);
      assert.match(world.subjects()[1]!, /^✅ Recovered: Weekly SMB/);
      assert.equal(await storedSilence(), null);
      await runOfPlan2(['samba1']);
      assert.equal(world.smtp.messages.length, 3, 'the next failure is mailed again');
    } finally {
      await svc.service.stop();
    }
  });

  it('more than 30 days ahead, in the past or without an end is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [input, error] of [
      [{ plan_id: 2, until: now + 31 * 86_400 }, 'snooze_too_long'],
      [{ plan_id: 2, until: now - 60 }, 'snooze_in_past'],
      [{ plan_id: 2 }, 'snooze_without_end'],
      [{ plan_id: 99, until_success: true }, 'unknown_plan'],
    ] as const) {
      const res = await runAction('snooze-plan', input, world.agent);
      assert.equal(res.status, 'validation-failed', JSON.stringify(input));
      assert.equal((res.output as { error: string }[])[0]!.error, error);
    }
  });
});

describe('failure tolerance and escalation', () => {
  beforeEach(() => {
    runs = 0;
  });

  it('tolerance 3: mails on the third consecutive failure, not before; no reminder of the failures held', async () => {
    const svc = await world.start({ FAILURE_TOLERANCE: '3' });
    try {
      await runOfPlan2(['nextcloud1']);
      await runOfPlan2(['nextcloud1']);
      world.offsetMs = 2 * DAY_MS; // a reminder, or the held news, would be due by now
      await world.someTicks();
      assert.deepEqual(world.subjects(), []);
      await runOfPlan2(['nextcloud1']);
      assert.equal(world.smtp.messages.length, 1);
      assert.match(
        world.subjects()[0]!,
        /^⚠️ Partly failed: Weekly SMB – 1 of 4 applications not saved · (?!.*Reminder)/u,
      );
      const c = await adminClient(world.redis);
      const state = JSON.parse((await c.hGet(K.plans, '2'))!);
      await c.quit();
      assert.equal(state.failedRuns, 3);
    } finally {
      await svc.service.stop();
    }
  });

  it('escalation after 48 h unacknowledged goes to the escalation recipients once', async () => {
    const svc = await world.start({ ESCALATION_AFTER_SECONDS: '172800', ESCALATION_TO: 'boss@example.org' });
    try {
      await runOfPlan2(['nextcloud1']);
      for (const day of [1, 2, 3, 4]) {
        world.offsetMs = day * DAY_MS + 1000; // one reminder a day
        await world.smtp.waitFor(1 + day);
        await world.someTicks();
      }
      assert.equal(world.smtp.messages.length, 5, world.subjects().join(' | '));
      assert.deepEqual(
        world.smtp.envelopes.map((e) => e.to.join(',')),
        [
          'admin@example.org',
          'admin@example.org',
          'admin@example.org,boss@example.org',
          'admin@example.org',
          'admin@example.org',
        ],
      );
      assert.match(world.subjects()[2]!, /^⚠️ Partly failed: Weekly SMB – Escalated: failing for 2 days/u);
      assert.doesNotMatch(world.subjects()[3]!, /Escalated/);
    } finally {
      await svc.service.stop();
    }
  });

  it('an acknowledged plan is not escalated', async () => {
    const svc = await world.start({ ESCALATION_AFTER_SECONDS: '172800', ESCALATION_TO: 'boss@example.org' });
    try {
      await runOfPlan2(['nextcloud1']);
      await world.action('acknowledge-plan', { plan_id: 2 });
      world.offsetMs = 3 * DAY_MS;
      await world.someTicks();
      assert.deepEqual(
        world.smtp.envelopes.map((e) => e.to.join(',')),
        ['admin@example.org'],
      );
    } finally {
      await svc.service.stop();
    }
  });
});
