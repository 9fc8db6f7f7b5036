// SPDX-License-Identifier: GPL-3.0-or-later
// Maintenance windows (issue #24 item 3), end to end: NS8 runs replayed on a real redis-server with
// NS8's ACLs, the actions run as the agent runs them, the real service (in this process: its clock
// runs days ahead of wall time, and the replayed runs are dated by that clock) and a real SMTP sink.
// The window is weekly and opens two days from now; plans are scheduled once a year unless a test
// says otherwise, so jumping ahead makes no run "missing".
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useServiceWorld } from '../helpers/service-world.js';
import { adminClient, PLANS, replayRun } from '../sim/cluster.js';
import { runAction } from '../sim/agent-runner.js';
import { moduleKeys } from '../../src/domain/records.js';

const K = moduleKeys(MODULE_ID);
const HOUR = 3600;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const world = useServiceWorld({
  yearlyPlans: true,
  installed: true,
  env: {
    NOTIFY_POLICY: 'problems',
    REMINDER_INTERVAL_SECONDS: '86400',
    DIGEST_FREQUENCY: 'off',
    MISSED_RUN_GRACE_SECONDS: '600',
  },
});
/** When this test's weekly window opens (unix s, a whole minute two days from now). */
let opensAt = 0;
let runs = 0;

beforeEach(() => {
  runs = 0;
  opensAt = Math.floor(Date.now() / 60_000) * 60 + 2 * 24 * HOUR;
});

/** `*-*-* HH:MM:00 UTC` of a unix time, with its weekday: a weekly expression. */
function weekly(t: number): string {
  const d = new Date(t * 1000);
  const hm = d.toISOString().slice(11, 16);
  return `${WEEKDAYS[d.getUTCDay()]} *-*-* ${hm}:00 UTC`;
}

/** One more run of Weekly SMB, started a minute before the service's now, decided. */
async function runOfPlan2(failed: string[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100)); // run keys are per second
  const startAt = Math.floor((Date.now() + world.offsetMs) / 1000) - 60;
  const apps = PLANS.find((p) => p.id === 2)!.instances;
  await replayRun(
    world.redis,
    2,
    Object.fromEntries(apps.map((id) => [id, { startAt, ...(failed.includes(id) ? { errors: 1 } : {}) }])),
  );
  await world.quiet({ runs: ++runs });
}

const planState = async () => {
  const c = await adminClient(world.redis);
  return JSON.parse((await c.hGet(K.plans, '2').finally(() => c.quit())) ?? 'null');
};

/** A failure inside the window, held across a restart and past the window until the next run. */
async function failureHeldInWindow() {
  let svc = await world.start();
  await runOfPlan2([]); // all saved: nothing to tell
  const added = await world.action('add-maintenance-window', {
    calendar: weekly(opensAt),
    duration_seconds: 2 * HOUR,
    comment: 'NAS firmware',
  });
  assert.equal(added.window.plan_id, null, 'cluster-wide');
  await svc.service.stop();
  svc = await world.start(); // the window is in Redis, not in the process
  world.clockAt(opensAt + HOUR);
  await runOfPlan2(['nextcloud1']);
  assert.deepEqual(world.subjects(), [], 'a failure inside the window is held');
  assert.equal((await planState()).lastOutcome, 'PARTIAL', 'and still recorded');
  world.clockAt(opensAt + 8 * HOUR); // past the window; the held news of a flip would be due by now
  await world.someTicks();
  assert.deepEqual(world.subjects(), [], 'not told before the next run says whether it still stands');
  return svc;
}

describe('maintenance window', () => {
  it('holds a failure inside it and reports it once after it when the next run fails too', async () => {
    const svc = await failureHeldInWindow();
    try {
      await runOfPlan2(['nextcloud1']);
      assert.equal(world.smtp.messages.length, 1, world.subjects().join(' | '));
      assert.match(
        world.subjects()[0]!,
        /^⚠️ Partly failed: Weekly SMB – 1 of 4 applications not saved · (?!.*Reminder)/u,
      );
      await world.someTicks();
      assert.equal(world.smtp.messages.length, 1, 'once');
    } finally {
      await svc.service.stop();
    }
  });

  it('decides the held failure once: no correlation per watchdog tick until the next run', async () => {
    const svc = await failureHeldInWindow();
    try {
      const correlations = () => svc.log.lines.filter((l) => l.includes('run correlated')).length;
      const seen = correlations();
      await world.someTicks();
      assert.equal(correlations(), seen, 'past the window, nothing new to decide before the next run');
      await runOfPlan2(['nextcloud1']);
      assert.equal(correlations(), seen + 1, 'the next run is decided');
      assert.equal(world.smtp.messages.length, 1, world.subjects().join(' | '));
    } finally {
      await svc.service.stop();
    }
  });

  it('never reports it when the next run succeeds', async () => {
    const svc = await failureHeldInWindow();
    try {
      await runOfPlan2([]);
      world.clockAt(opensAt + 3 * 24 * HOUR);
      await world.someTicks();
      assert.deepEqual(world.subjects(), []);
      assert.equal((await planState()).lastOutcome, 'SUCCESS');
    } finally {
      await svc.service.stop();
    }
  });

  it('holds a missed run inside it: recorded, not mailed', async () => {
    const due = opensAt + 30 * 60; // the plan's run, half an hour into the window
    const c = await adminClient(world.redis);
    await c.hSet('cluster/backup/2', 'schedule', `*-*-* ${new Date(due * 1000).toISOString().slice(11, 16)}:00 UTC`);
    await c.quit();
    const svc = await world.start();
    try {
      await runOfPlan2([]);
      await world.action('add-maintenance-window', {
        calendar: weekly(opensAt),
        duration_seconds: 2 * HOUR,
        plan_id: 2,
      });
      await world.someTicks(); // the watchdog sees the schedule before the run is due
      world.clockAt(due + 900);
      await world.quiet({ runs: ++runs });
      assert.equal((await planState()).lastOutcome, 'MISSING', 'the missed run is recorded');
      world.clockAt(opensAt + 8 * HOUR);
      await world.someTicks();
      assert.deepEqual(world.subjects(), []);
    } finally {
      await svc.service.stop();
    }
  });

  it('is listed by list-silences, removed by id; a bad calendar, length or plan is refused', async () => {
    const { window } = await world.action('add-maintenance-window', {
      calendar: 'Sat *-*-* 22:00',
      duration_seconds: 4 * HOUR,
      plan_id: 2,
    });
    const listed = await world.action('list-silences', {});
    assert.deepEqual(listed.maintenance_windows, [window]);
    // The page reads the calendars in the zone the service gets (bin/write-service-env: /etc/localtime).
    assert.equal(listed.time_zone, readlinkSync('/etc/localtime').split('zoneinfo/')[1] ?? '');
    assert.equal(window.calendar, 'Sat *-*-* 22:00');
    for (const [input, error] of [
      [{ calendar: 'Sat *-*-* 25:00', duration_seconds: 3600 }, 'calendar_not_understood'],
      [{ calendar: 'Sun..Mon 03:00', duration_seconds: 3600 }, 'calendar_not_understood'],
      [{ calendar: 'daily', duration_seconds: 8 * 24 * HOUR }, 'duration_seconds_number_lte'],
      [{ calendar: 'daily', duration_seconds: 3600, plan_id: 99 }, 'unknown_plan'],
    ] as const) {
      const res = await runAction('add-maintenance-window', input, world.agent);
      assert.equal(res.status, 'validation-failed', JSON.stringify(input));
      assert.equal((res.output as { error: string }[])[0]!.error, error);
    }
    const short = await runAction('add-maintenance-window', { calendar: 'daily', duration_seconds: 30 }, world.agent);
    assert.equal(short.status, 'validation-failed', 'under a minute: the schema refuses it');
    assert.deepEqual(await world.action('remove-maintenance-window', { id: window.id }), { removed: window.id });
    assert.deepEqual((await world.action('list-silences', {})).maintenance_windows, []);
    const again = await runAction('remove-maintenance-window', { id: window.id }, world.agent);
    assert.equal(again.status, 'validation-failed');
  });
});
