// SPDX-License-Identifier: GPL-3.0-or-later
// Maintenance windows (issue #24 item 3), end to end: NS8 runs replayed on a real redis-server with
// NS8's ACLs, the actions run as the agent runs them, the real service (in this process: its clock
// runs days ahead of wall time, and the replayed runs are dated by that clock) and a real SMTP sink.
// The window is weekly and opens two days from now; plans are scheduled once a year unless a test
// says otherwise, so jumping ahead makes no run "missing".
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis, MODULE_ID, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startInProcessService } from '../helpers/service.js';
import { freePort } from '../helpers/ports.js';
import { adminClient, PLANS, replayRun, seedCluster } from '../sim/cluster.js';
import { installModule, runAction, type AgentOptions } from '../sim/agent-runner.js';
import { moduleKeys } from '../../src/domain/records.js';

const K = moduleKeys(MODULE_ID);
const HOUR = 3600;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
let redis: RedisServer;
let smtp: SmtpSink;
let root: string;
let agent: AgentOptions;
/** How far the service's clock runs ahead of wall time. */
let offsetMs = 0;
/** When this test's weekly window opens (unix s, a whole minute two days from now). */
let opensAt = 0;
let runs = 0;

before(async () => {
  [redis, smtp] = await Promise.all([startRedis(), startSmtpSink()]);
});
after(async () => {
  await Promise.allSettled([smtp?.stop(), redis?.stop()]);
});
beforeEach(async () => {
  const c = await adminClient(redis);
  await c.flushAll().finally(() => c.quit());
  smtp.messages.length = 0;
  offsetMs = 0;
  runs = 0;
  opensAt = Math.floor(Date.now() / 60_000) * 60 + 2 * 24 * HOUR;
  await seedCluster(redis, { smtpPort: smtp.port, plans: PLANS.map((p) => ({ ...p, schedule: '*-06-15 03:00:00' })) });
  root = mkdtempSync(path.join(tmpdir(), 'bm-maintenance-'));
  agent = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...agent, tcpPort: await freePort() })).status, 'completed');
});

const start = () =>
  startInProcessService(
    redis,
    {
      NOTIFY_POLICY: 'problems',
      REMINDER_INTERVAL_SECONDS: '86400',
      DIGEST_FREQUENCY: 'off',
      MISSED_RUN_GRACE_SECONDS: '600',
    },
    { clock: { now: () => Date.now() + offsetMs }, watchdogTickMs: 200 },
  );

/** `*-*-* HH:MM:00 UTC` of a unix time, with its weekday: a weekly expression. */
function weekly(t: number): string {
  const d = new Date(t * 1000);
  const hm = d.toISOString().slice(11, 16);
  return `${WEEKDAYS[d.getUTCDay()]} *-*-* ${hm}:00 UTC`;
}

/** The service's clock set to `t` (unix s). */
const clockAt = (t: number) => {
  offsetMs = t * 1000 - Date.now();
};

/** Decided runs in the run log reach `count` and the outbox is empty: the service has done its work. */
async function quiet(count: number): Promise<void> {
  const c = await adminClient(redis);
  try {
    const until = Date.now() + 20_000;
    for (;;) {
      const [logged, queued] = await Promise.all([c.lLen(K.runLog), c.hLen(K.outbox)]);
      if (logged >= count && queued === 0) return;
      if (Date.now() > until) throw new Error(`not quiet: ${logged}/${count} runs logged, ${queued} queued`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await c.quit();
  }
}

/** One more run of Weekly SMB, started a minute before the service's now, decided. */
async function runOfPlan2(failed: string[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100)); // run keys are per second
  const startAt = Math.floor((Date.now() + offsetMs) / 1000) - 60;
  const apps = PLANS.find((p) => p.id === 2)!.instances;
  await replayRun(
    redis,
    2,
    Object.fromEntries(apps.map((id) => [id, { startAt, ...(failed.includes(id) ? { errors: 1 } : {}) }])),
  );
  await quiet(++runs);
}

/** The watchdog ticks every 200 ms: a second is five chances to send what is due. */
const someTicks = () => new Promise((r) => setTimeout(r, 1000));

async function action(name: string, input: unknown) {
  const res = await runAction(name, input, agent);
  assert.equal(res.status, 'completed', `${name}: ${res.error}${res.output}`);
  // biome-ignore lint/suspicious/noExplicitAny: the action's output, as its validate-output.json says
  return res.output as any;
}

const planState = async () => {
  const c = await adminClient(redis);
  return JSON.parse((await c.hGet(K.plans, '2').finally(() => c.quit())) ?? 'null');
};
const subjects = () => smtp.messages.map((m) => m.subject ?? '');

/** A failure inside the window, held across a restart and past the window until the next run. */
async function failureHeldInWindow() {
  let svc = await start();
  await runOfPlan2([]); // all saved: nothing to tell
  const added = await action('add-maintenance-window', {
    calendar: weekly(opensAt),
    duration_seconds: 2 * HOUR,
    comment: 'NAS firmware',
  });
  assert.equal(added.window.plan_id, null, 'cluster-wide');
  await svc.service.stop();
  svc = await start(); // the window is in Redis, not in the process
  clockAt(opensAt + HOUR);
  await runOfPlan2(['nextcloud1']);
  assert.deepEqual(subjects(), [], 'a failure inside the window is held');
  assert.equal((await planState()).lastOutcome, 'PARTIAL', 'and still recorded');
  clockAt(opensAt + 8 * HOUR); // past the window; the held news of a flip would be due by now
  await someTicks();
  assert.deepEqual(subjects(), [], 'not told before the next run says whether it still stands');
  return svc;
}

describe('maintenance window', () => {
  it('holds a failure inside it and reports it once after it when the next run fails too', async () => {
    const svc = await failureHeldInWindow();
    try {
      await runOfPlan2(['nextcloud1']);
      assert.equal(smtp.messages.length, 1, subjects().join(' | '));
      assert.match(subjects()[0]!, /^⚠️ Partly failed: Weekly SMB – 1 of 4 applications not saved · (?!.*Reminder)/u);
      await someTicks();
      assert.equal(smtp.messages.length, 1, 'once');
    } finally {
      await svc.service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('decides the held failure once: no correlation per watchdog tick until the next run', async () => {
    const svc = await failureHeldInWindow();
    try {
      const correlations = () => svc.log.lines.filter((l) => l.includes('run correlated')).length;
      const seen = correlations();
      await someTicks();
      assert.equal(correlations(), seen, 'past the window, nothing new to decide before the next run');
      await runOfPlan2(['nextcloud1']);
      assert.equal(correlations(), seen + 1, 'the next run is decided');
      assert.equal(smtp.messages.length, 1, subjects().join(' | '));
    } finally {
      await svc.service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('never reports it when the next run succeeds', async () => {
    const svc = await failureHeldInWindow();
    try {
      await runOfPlan2([]);
      clockAt(opensAt + 3 * 24 * HOUR);
      await someTicks();
      assert.deepEqual(subjects(), []);
      assert.equal((await planState()).lastOutcome, 'SUCCESS');
    } finally {
      await svc.service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('holds a missed run inside it: recorded, not mailed', async () => {
    const due = opensAt + 30 * 60; // the plan's run, half an hour into the window
    const c = await adminClient(redis);
    await c.hSet('cluster/backup/2', 'schedule', `*-*-* ${new Date(due * 1000).toISOString().slice(11, 16)}:00 UTC`);
    await c.quit();
    const svc = await start();
    try {
      await runOfPlan2([]);
      await action('add-maintenance-window', { calendar: weekly(opensAt), duration_seconds: 2 * HOUR, plan_id: 2 });
      await someTicks(); // the watchdog sees the schedule before the run is due
      clockAt(due + 900);
      await quiet(++runs);
      assert.equal((await planState()).lastOutcome, 'MISSING', 'the missed run is recorded');
      clockAt(opensAt + 8 * HOUR);
      await someTicks();
      assert.deepEqual(subjects(), []);
    } finally {
      await svc.service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('is listed by list-silences, removed by id; a bad calendar, length or plan is refused', async () => {
    try {
      const { window } = await action('add-maintenance-window', {
        calendar: 'Sat *-*-* 22:00',
        duration_seconds: 4 * HOUR,
        plan_id: 2,
      });
      const listed = await action('list-silences', {});
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
        const res = await runAction('add-maintenance-window', input, agent);
        assert.equal(res.status, 'validation-failed', JSON.stringify(input));
        assert.equal((res.output as { error: string }[])[0]!.error, error);
      }
      const short = await runAction('add-maintenance-window', { calendar: 'daily', duration_seconds: 30 }, agent);
      assert.equal(short.status, 'validation-failed', 'under a minute: the schema refuses it');
      assert.deepEqual(await action('remove-maintenance-window', { id: window.id }), { removed: window.id });
      assert.deepEqual((await action('list-silences', {})).maintenance_windows, []);
      const again = await runAction('remove-maintenance-window', { id: window.id }, agent);
      assert.equal(again.status, 'validation-failed');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
