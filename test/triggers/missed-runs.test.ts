// SPDX-License-Identifier: GPL-3.0-or-later
// Missed-run watchdog: pure verdicts, then against a real redis-server holding the contract's
// cluster (plans read by the service's own read-plan.ts, records kept with module credentials),
// then in the service, whose pipeline turns the watchdog's reminder of a missed run into a mail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import type { WatchRecord } from '../../src/domain/records.js';
import { MissedRunWatchdog, redisWatchStore } from '../../src/triggers/missed-runs.js';
import { checkPlan, observe } from '../../src/schedule/watch.js';
import { listPlanIds, readPlanSnapshots } from '../../src/correlate/read-plan.js';
import type { PlanSnapshot, ModuleStatus } from '../../src/domain/backup.js';
import type { PlanState } from '../../src/domain/records.js';
import type { Redis } from '../../src/ns8/redis.js';
import { memoryLogger } from '../../src/log.js';
import { eventually } from '../helpers/prometheus.js';
import { startRedis } from '../helpers/redis-server.js';
import { startInProcessService } from '../helpers/service.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { adminClient, seedCluster, PLANS, DEST_B2, type SimPlan } from '../sim/cluster.js';

const H = 3600;
const SUN_0600 = Date.parse('2026-08-09T06:00:00+02:00') / 1000;
const W = { grace: 2 * H, tolerance: 60, timeZone: 'Europe/Rome' };
const st = (start: number, errors = 0): ModuleStatus => ({
  start,
  end: start + 100,
  errors,
  totalSize: 1,
  totalFileCount: 1,
  snapshotsCount: 1,
});

function snap(
  schedule: string,
  statuses: Record<string, ModuleStatus>,
  o: { enabled?: boolean; nodes?: Record<string, number | null> } = {},
): PlanSnapshot {
  const nodes = o.nodes ?? { nextcloud1: 1, samba1: 1, webtop1: 2 };
  return {
    plan: {
      id: 2,
      name: 'Weekly SMB',
      repository: 'd',
      schedule,
      retention: 4,
      instances: Object.keys(nodes),
      enabled: o.enabled ?? true,
    },
    destination: null,
    nodeNames: new Map(),
    modules: Object.entries(nodes).map(([id, node]) => ({ id, uiName: '', node, uuid: '', image: id })),
    statuses: new Map(Object.entries(statuses)),
  };
}
const known: WatchRecord = {
  schedule: 'Sun *-*-* 03:00:00',
  enabled: true,
  firstSeen: SUN_0600 - 30 * 24 * H,
  reported: null,
};
const T = 1786237200; // 03:00 CEST

test('checkPlan: named verdicts for the contract plan 2 on Sunday 06:00', () => {
  const cases: {
    name: string;
    s: PlanSnapshot;
    rec?: Partial<WatchRecord>;
    now?: number;
    want: string;
    at?: number;
  }[] = [
    {
      name: 'everything ran',
      s: snap('Sun *-*-* 03:00:00', { nextcloud1: st(T + 2, 1), samba1: st(T + 252), webtop1: st(T + 24) }),
      want: 'ran',
      at: T,
    },
    { name: 'a failed run is not missing', s: snap('Sun *-*-* 03:00:00', { nextcloud1: st(T + 2, 3) }), want: 'ran' },
    {
      name: 'one node down: the run happened, its report says so',
      s: snap('Sun *-*-* 03:00:00', { webtop1: st(T + 24) }),
      want: 'ran',
    },
    {
      name: 'statuses from last week only',
      s: snap('Sun *-*-* 03:00:00', { nextcloud1: st(T - 7 * 24 * H), samba1: st(T - 7 * 24 * H) }),
      want: 'missing',
      at: T,
    },
    { name: 'never ran at all', s: snap('Sun *-*-* 03:00:00', {}), want: 'missing', at: T },
    {
      name: 'started a little before T (clock skew)',
      s: snap('Sun *-*-* 03:00:00', { samba1: st(T - 30) }),
      want: 'ran',
    },
    {
      name: 'still inside the grace period',
      s: snap('Sun *-*-* 03:00:00', {}),
      now: T + H,
      want: 'missing',
      at: T - 7 * 24 * H,
    },
    { name: 'already reported', s: snap('Sun *-*-* 03:00:00', {}), rec: { reported: T }, want: 'already-reported' },
    {
      name: 'plan first seen after T',
      s: snap('Sun *-*-* 03:00:00', {}),
      rec: { firstSeen: T + 60 },
      want: 'new-plan',
    },
    {
      name: 'disabled plans are never missing',
      s: snap('Sun *-*-* 03:00:00', {}, { enabled: false }),
      want: 'disabled',
    },
    { name: 'unknown syntax is refused, not guessed', s: snap('*-*~01 03:00', {}), want: 'bad-schedule' },
    {
      name: 'modules no longer in the cluster',
      s: snap('Sun *-*-* 03:00:00', {}, { nodes: { gone1: null } }),
      want: 'no-modules',
    },
    {
      name: 'a year that is over',
      s: snap('2025-*-* 03:00', {}),
      rec: { firstSeen: 0 },
      want: 'missing',
      at: Date.parse('2025-12-31T03:00:00+01:00') / 1000,
    },
    { name: 'never due yet', s: snap('2030-*-* 03:00', {}), want: 'never-due' },
  ];
  for (const c of cases) {
    const v = checkPlan(c.s, { ...known, ...c.rec }, c.now ?? SUN_0600, W);
    assert.equal(v.kind, c.want, c.name);
    if (c.at !== undefined) assert.equal('expectedAt' in v ? v.expectedAt : null, c.at, c.name);
    if (v.kind === 'missing') assert.deepEqual(v.modules, ['nextcloud1', 'samba1', 'webtop1']);
  }
});

test('observe: a new schedule or a re-enabled plan starts afresh', () => {
  const s = snap('Sun *-*-* 03:00:00', {});
  assert.deepEqual(observe(undefined, s, 100), {
    schedule: 'Sun *-*-* 03:00:00',
    enabled: true,
    firstSeen: 100,
    reported: null,
  });
  assert.deepEqual(observe({ ...known, reported: T }, s, 100), { ...known, reported: T });
  assert.equal(observe(known, snap('*-*-* 01:30:00', {}), 100).firstSeen, 100);
  assert.equal(observe({ ...known, enabled: false }, s, 100).firstSeen, 100);
  assert.equal(observe(known, snap('Sun *-*-* 03:00:00', {}, { enabled: false }), 100).firstSeen, known.firstSeen);
});

const extraPlans: SimPlan[] = [
  ...PLANS,
  {
    id: 3,
    name: 'Disabled daily',
    repository: DEST_B2,
    schedule: 'daily',
    retention: 3,
    instances: ['mail1'],
    enabled: false,
  },
  {
    id: 4,
    name: 'Odd schedule',
    repository: DEST_B2,
    schedule: '*-*~01 03:00',
    retention: 3,
    instances: ['mail1'],
    enabled: true,
  },
];

test('real Redis: plan 2 missing once, across restarts; disabled and odd plans never; reminders asked, never for a disabled plan', async (t) => {
  const redis = await startRedis();
  await seedCluster(redis, { plans: extraPlans });
  const admin = await adminClient(redis);
  // Plan 1 ran at 01:30 as in NS8.md §10.2; plan 2 has no status at all (its nodes were off).
  await admin.hSet('node/1/backup_status/1', {
    mail1: JSON.stringify({ start: 1786231802, errors: 0, end: 1786231985 }),
    samba1: JSON.stringify({ start: 1786232515, errors: 0, end: 1786233130 }),
  });
  await admin.quit();
  const reader = createClient({ url: redis.url() }) as Redis;
  const writer = createClient({ url: redis.moduleUrl }) as Redis;
  for (const c of [reader, writer]) {
    c.on('error', () => undefined);
    await c.connect();
  }
  t.after(async () => {
    await reader.quit();
    await writer.quit();
    await redis.stop();
  });

  let now = Date.parse('2026-08-01T12:00:00+02:00');
  const missing: [number, number, string[]][] = [];
  const reminders: number[] = [];
  const failingState: PlanState = {
    planId: 1,
    planName: 'Daily offsite',
    lastRunKey: '1:1786145400',
    lastOutcome: 'PARTIAL',
    lastDigest: '',
    lastReportId: 'r',
    lastNotifiedAt: now,
    failingSince: 1786145400,
    lastSuccessAt: null,
  };
  const log = memoryLogger();
  const make = () =>
    new MissedRunWatchdog({
      readPlans: async () => readPlanSnapshots(reader, await listPlanIds(reader)),
      // Plan 3 is disabled and was failing when it was switched off: its reminder is long due, never sent.
      readPlanState: async (id) =>
        id === 1 ? failingState : id === 3 ? { ...failingState, planId: 3, lastNotifiedAt: 0 } : undefined,
      store: redisWatchStore(writer, 'module/backup-monitor1/watchdog'),
      sink: {
        missing: (p, at, m) => {
          missing.push([p, at, m]);
        },
        reminderDue: (p) => {
          reminders.push(p);
        },
      },
      clock: { now: () => now },
      log,
      intervalMs: 60_000,
      watch: W,
      reminder: { reminderIntervalSeconds: 24 * H, notifyOnSuccess: true },
    });
  let dog = make();
  const first = await dog.tick();
  assert.deepEqual(
    first.map((v) => v.kind),
    ['new-plan', 'new-plan', 'disabled', 'bad-schedule'],
  );
  assert.deepEqual(missing, []);

  now = SUN_0600 * 1000;
  const second = await dog.tick();
  // Plan 1 ran at 01:30 (two of its modules reported: that run's own report tells the rest).
  assert.deepEqual(
    second.map((v) => v.kind),
    ['ran', 'missing', 'disabled', 'bad-schedule'],
  );
  assert.deepEqual(missing, [[2, T, ['nextcloud1', 'samba1', 'traefik2', 'webtop1']]]);
  assert.deepEqual(reminders, [1], 'plan 1 failing and last mailed 8 days ago; disabled plan 3 never');

  // Same tick again, then a restarted watchdog: nothing new.
  await dog.tick();
  dog = make();
  assert.deepEqual(
    (await dog.tick()).map((v) => v.kind),
    ['ran', 'already-reported', 'disabled', 'bad-schedule'],
  );
  assert.equal(missing.length, 1);
  assert.equal(log.lines.filter((l) => l.includes('schedule not understood')).length, 2, 'once per watchdog instance');
  const stored = await writer.hGetAll('module/backup-monitor1/watchdog');
  assert.equal(JSON.parse(stored['2']!).reported, T);
  // The next trigger time is kept for the admin page: Sunday 9 Aug 06:00 +02 -> Sunday 16 Aug 03:00 +02.
  assert.equal(JSON.parse(stored['2']!).nextRunAt, Date.parse('2026-08-16T03:00:00+02:00') / 1000);
  assert.equal(JSON.parse(stored['1']!).nextRunAt, Date.parse('2026-08-10T01:30:00+02:00') / 1000);
  assert.equal(JSON.parse(stored['3']!).nextRunAt, null, 'disabled plan: no next run');
});

/** `HH:MM` of `ms` on the wall clock of `timeZone`. */
const wallTime = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(ms);

test('the service: a plan that keeps missing its run gets a reminder that it did not run', async (t) => {
  const redis = await startRedis();
  const smtp = await startSmtpSink();
  t.after(async () => {
    await smtp.stop();
    await redis.stop();
  });
  // A frozen service clock, and a daily plan due 10 minutes later: one expected run in the test.
  const frozenAt = Date.now();
  let offsetMs = 0;
  const daily = `*-*-* ${wallTime(frozenAt + 10 * 60_000, 'Europe/Rome')}:00`;
  await seedCluster(redis, { smtpPort: smtp.port, plans: [{ ...PLANS[1]!, schedule: daily }] });
  const { service, log } = await startInProcessService(
    redis,
    { MISSED_RUN_GRACE_SECONDS: '60', REMINDER_INTERVAL_SECONDS: '3600' },
    { clock: { now: () => frozenAt + offsetMs }, watchdogTickMs: 200 },
  );
  try {
    const seen = await adminClient(redis);
    await eventually(
      'plan first seen',
      async () => seen.hLen('module/backup-monitor1/watchdog'),
      (n) => n === 1,
    );
    await seen.quit();
    offsetMs = 15 * 60_000; // the run was due 5 minutes ago; nothing of the plan ran
    const [missed] = await smtp.waitFor(1, 10_000);
    assert.match(missed!.subject!, /^⏰ Did not run: Weekly SMB · (?!.*Reminder).*⏰ Backup did not run$/u);
    offsetMs = 15 * 60_000 + 3601_000; // an hour later, still nothing: the next run is a day away
    const mails = await smtp.waitFor(2, 10_000);
    assert.match(
      mails[1]!.subject!,
      /^⏰ Did not run: Weekly SMB – failing for 1 hour · .*🔁 Reminder: ⏰ Backup did not run$/,
    );
    assert.ok(log.lines.some((l) => /run correlated .*plan=2 .*outcome=MISSING.*reason=reminder/.test(l)));
  } finally {
    await service.stop();
  }
});
