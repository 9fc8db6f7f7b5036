// SPDX-License-Identifier: GPL-3.0-or-later
// The module's action steps, run as the NS8 agent runs them (test/sim/agent-runner.ts)
// against a real Redis with NS8's ACLs and the contract's 2-node cluster.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createClient } from 'redis';
import { loadConfig } from '../../src/config.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { readEnvFile, runAction, stubCalls } from '../sim/agent-runner.js';
import { report, writeServiceRecords } from './fixtures.js';
import { FULL_SETTINGS, freshModule, redisEnvironment as redisEnvironmentOf } from './harness.js';

const FULL = FULL_SETTINGS;
const DEFAULTS = {
  mail_to: [],
  mail_from: '',
  subject_prefix: '[NS8 Backup]',
  language: 'en',
  notify_policy: 'problems',
  wait_seconds: 30,
  recent_window: 3600,
  missed_run_grace: 7200,
  stale_age: 691200,
  reminder_interval: 86400,
  repo_check_enabled: true,
  repo_check_timeout: 60,
  plan_notifications: [],
  digest_frequency: 'weekly',
  digest_weekday: 'mon',
  digest_time: '08:00',
  failure_tolerance: 1,
  escalation_after: 0,
  escalation_to: [],
  plan_escalation: '',
  max_run_duration: 0,
  plan_max_run_duration: '',
  cluster_admin_url: '',
  telegram_chat_id: '',
  telegram_level: 'problems',
  telegram_plans: '',
  teams_level: 'problems',
  teams_plans: '',
  ntfy_level: 'problems',
  ntfy_plans: '',
  webhook_level: 'problems',
  webhook_plans: '',
};

const h = freshModule('bm-actions-');
const fileEnvironment = () => readEnvFile(path.join(h.o.stateDir, 'environment'));
const redisEnvironment = () => redisEnvironmentOf(h.redis);

describe('create-module', () => {
  test('writes no setting (defaults live in code) and makes a private receiver token', async () => {
    const env = fileEnvironment();
    assert.ok(
      !Object.keys(env).some((k) => k.startsWith('MAIL_') || k === 'WAIT_SECONDS'),
      'no setting in the environment',
    );
    assert.equal(env.TCP_PORT, '20011', 'values written at install are kept');
    const token = path.join(h.o.stateDir, 'receiver.token');
    assert.equal(statSync(token).mode & 0o777, 0o600);
    assert.ok(!JSON.stringify(env).includes(readFileSync(token, 'utf8').trim()), 'the token is not in the environment');
    assert.deepEqual(await redisEnvironment(), env, 'the agent copied the environment to Redis');
    const got = await runAction('get-configuration', {}, h.o);
    const { smarthost: _s, plans: _p, secrets: _x, ...settings } = got.output as Record<string, unknown>;
    assert.deepEqual(settings, DEFAULTS, 'get-configuration fills the defaults');
    assert.deepEqual(loadConfig(env).mail.subjectPrefix, '[NS8 Backup]', 'and so does the service');
  });
});

describe('configure-module and get-configuration', () => {
  test('round-trip every setting, restart the unit, and publish the environment', async () => {
    const res = await runAction('configure-module', FULL, h.o);
    assert.equal(res.status, 'completed', res.error);
    const got = await runAction('get-configuration', {}, h.o);
    assert.equal(got.status, 'completed', got.error);
    const { plans, secrets: _x, ...rest } = got.output as Record<string, unknown>;
    assert.deepEqual(rest, { ...FULL, smarthost: { enabled: true, host: '127.0.0.1', port: 25 } });
    assert.deepEqual(
      (plans as { id: number; name: string; destination: string }[]).map((p) => [p.id, p.name, p.destination]),
      [
        [1, 'Daily offsite', 'Backblaze ns8-backups'],
        [2, 'Weekly SMB', 'NAS share'],
      ],
      'the current plans, for the plan table',
    );
    assert.deepEqual(stubCalls(h.o), [
      'systemctl --user enable backup-monitor.service',
      'systemctl --user restart backup-monitor.service',
    ]);
    const env = fileEnvironment();
    assert.equal(env.MAIL_TO, 'ops@example.org,backup-team@example.org');
    assert.equal(env.NOTIFY_POLICY, 'always');
    assert.equal(env.REPO_CHECK_ENABLED, '0');
    assert.deepEqual(await redisEnvironment(), env);
  });

  test('the service reads the environment the action wrote', async () => {
    await runAction('configure-module', FULL, h.o);
    const cfg = loadConfig(fileEnvironment());
    assert.deepEqual(cfg.mail, {
      from: FULL.mail_from,
      to: FULL.mail_to,
      subjectPrefix: FULL.subject_prefix,
      language: 'it',
    });
    assert.equal(cfg.notify.defaultPolicy, 'always');
    assert.equal(cfg.moduleId, MODULE_ID);
    assert.equal(cfg.receiver.port, 20011);
    assert.deepEqual(cfg.correlator, { ...cfg.correlator, waitSeconds: 60, recentWindow: 7200 });
    assert.deepEqual(cfg.schedule, { ...cfg.schedule, missedRunGrace: 10800, staleAge: 1209600, reminderInterval: 0 });
    assert.deepEqual(cfg.repoCheck, { ...cfg.repoCheck, enabled: false, timeout: 120 });
  });

  test('omitted optional settings go back to their defaults', async () => {
    await runAction('configure-module', FULL, h.o);
    const res = await runAction('configure-module', { mail_to: [] }, h.o);
    assert.equal(res.status, 'completed', res.error);
    const got = await runAction('get-configuration', null, h.o);
    const { smarthost: _s, plans: _p, secrets: _x, ...settings } = got.output as Record<string, unknown>;
    assert.deepEqual(settings, DEFAULTS);
    assert.deepEqual(loadConfig(fileEnvironment()).mail.to, []);
  });

  test('schema errors are rejected field by field, nothing is written or restarted', async () => {
    const before = fileEnvironment();
    const res = await runAction(
      'configure-module',
      { mail_to: 'ops@example.org', wait_seconds: -1, language: 'de', colour: 'red' },
      h.o,
    );
    assert.equal(res.status, 'validation-failed');
    assert.equal(res.exitCode, 10);
    const errors = res.output as { field: string; parameter: string; error: string; value: unknown }[];
    assert.deepEqual(errors.map((e) => e.error).sort(), [
      '(root)_additional_property_not_allowed',
      'language_enum',
      'mail_to_invalid_type',
      'wait_seconds_number_gte',
    ]);
    assert.deepEqual(
      errors.find((e) => e.parameter === 'wait_seconds'),
      { parameter: 'wait_seconds', error: 'wait_seconds_number_gte', value: -1, field: 'wait_seconds' },
    );
    assert.deepEqual(fileEnvironment(), before);
    assert.deepEqual(stubCalls(h.o), []);
  });

  test('missing mail_to and unsafe subject prefix are schema errors', async () => {
    const res = await runAction('configure-module', { subject_prefix: 'say "$HOME"' }, h.o);
    assert.equal(res.status, 'validation-failed');
    assert.deepEqual((res.output as { error: string }[]).map((e) => e.error).sort(), [
      '(root)_required',
      'subject_prefix_pattern',
    ]);
  });

  test('bad addresses fail in 10validate with invalid_email on the exact item', async () => {
    const before = fileEnvironment();
    const res = await runAction(
      'configure-module',
      { mail_to: ['ops@example.org', 'not an address', "o'neil$@example.org"], mail_from: 'me@' },
      h.o,
    );
    assert.equal(res.status, 'validation-failed');
    assert.notEqual(res.exitCode, 0);
    assert.deepEqual(res.output, [
      { field: 'mail_to.1', parameter: 'mail_to', value: 'not an address', error: 'invalid_email' },
      { field: 'mail_to.2', parameter: 'mail_to', value: "o'neil$@example.org", error: 'invalid_email' },
      { field: 'mail_from', parameter: 'mail_from', value: 'me@', error: 'invalid_email' },
    ]);
    assert.deepEqual(fileEnvironment(), before);
    assert.deepEqual(stubCalls(h.o), []);
  });

  test('get-configuration reports a disabled smarthost, never its password', async () => {
    const admin = createClient({ url: h.redis.adminUrl });
    await admin.connect();
    await admin.hSet('cluster/smarthost', { enabled: '0', password: 'pa55-secret' });
    try {
      const got = await runAction('get-configuration', {}, h.o);
      assert.deepEqual((got.output as { smarthost: unknown }).smarthost, {
        enabled: false,
        host: '127.0.0.1',
        port: 25,
      });
      assert.ok(!JSON.stringify(got).includes('pa55-secret'));
    } finally {
      await admin.hSet('cluster/smarthost', { enabled: '1', password: '' });
      await admin.quit();
    }
  });
});

describe('get-monitor-status, list-reports, get-report', () => {
  const reports = [
    report('r-0003'),
    report('r-0002', {
      delivery: {
        ...report('x').delivery,
        status: 'failed',
        attempts: 5,
        lastError: 'smarthost refused',
        sentAt: null,
      },
    }),
    report('r-0001'),
  ];

  test('plans with and without reports, deliveries, links', async () => {
    await writeServiceRecords(h.redis, MODULE_ID, reports, {
      outbox: { 'r-0003': 1786238480000 },
      health: {
        redis: { ok: true, checkedAt: 1786238400000, error: null },
        smtp: { ok: false, checkedAt: 1786238400000, error: 'ECONNREFUSED' },
      },
    });
    const res = await runAction('get-monitor-status', {}, h.o);
    assert.equal(res.status, 'completed', res.error);
    const out = res.output as {
      plans: Record<string, unknown>[];
      deliveries: Record<string, unknown>;
      links: Record<string, unknown>;
      smarthost: unknown;
    };
    assert.deepEqual(
      out.plans.map((p) => [p.id, p.name, p.destination_name, p.last_outcome]),
      [
        [1, 'Daily offsite', 'Backblaze ns8-backups', null],
        [2, 'Weekly SMB', 'NAS share', 'PARTIAL'],
      ],
    );
    const p2 = out.plans[1]!;
    assert.equal(p2.last_report_id, 'r-0003');
    assert.equal(p2.failing_since, 1786237201);
    assert.equal(p2.last_success_at, 1785632404);
    assert.equal(p2.schedule, 'Sun *-*-* 03:00:00');
    assert.deepEqual(p2.nodes, [1, 2]);
    assert.equal(p2.policy, 'problems', 'no per-plan policy: the default policy applies (problems)');
    assert.deepEqual(p2.recipients, []);
    assert.deepEqual(p2.last_recipients, ['ops@example.org']);
    assert.deepEqual(
      (p2.modules as { module_id: string; result: string }[]).map((m) => [m.module_id, m.result]),
      [
        ['nextcloud1', 'failed'],
        ['samba1', 'success'],
        ['webtop1', 'not_run'],
      ],
    );
    // The fixture's reports are from 2026-08: older than the 7-day window, so the failed r-0002
    // is neither counted nor listed (the window's own test is below); the waiting r-0003 is.
    assert.deepEqual(out.deliveries, {
      pending: 1,
      failed: 0,
      undelivered: 0,
      window_days: 7,
      reports: 3,
      items: [
        {
          report_id: 'r-0003',
          channel: 'email',
          subject: reports[0]!.subject,
          status: 'sent',
          attempts: 1,
          last_error: null,
          last_error_code: null,
          next_attempt_at: 1786238480000,
        },
      ],
    });
    assert.deepEqual(out.links, {
      redis: { ok: true, checked_at: 1786238400000, error: null },
      smtp: { ok: false, checked_at: 1786238400000, error: 'ECONNREFUSED' },
      alertmanager: { ok: null, checked_at: null, error: null },
    });
    assert.deepEqual(out.smarthost, { enabled: true, host: '127.0.0.1', port: 25 });
  });

  // Issue #23: a third plan saving webtop1 to plan 2's destination with another retention shares
  // its repository; both tiles say so, with the retention that repository really keeps.
  test('plans sharing an application and a destination: the effective retention on both tiles', async () => {
    await writeServiceRecords(h.redis, MODULE_ID, reports);
    const admin = createClient({ url: h.redis.adminUrl });
    await admin.connect();
    const plan2 = await admin.hGetAll('cluster/backup/2');
    await admin.hSet('cluster/backup/3', { ...plan2, name: 'Hourly SMB', retention: '30', instances: 'webtop1' });
    try {
      const res = await runAction('get-monitor-status', {}, h.o);
      assert.equal(res.status, 'completed', res.error);
      const byId = new Map(
        (res.output as { plans: { id: number; retention_conflicts: unknown }[] }).plans.map((p) => [p.id, p]),
      );
      assert.deepEqual(byId.get(2)?.retention_conflicts, [
        { application: 'webtop1', other_plan_id: 3, other_plan_name: 'Hourly SMB', effective_retention: 4 },
      ]);
      assert.deepEqual(byId.get(3)?.retention_conflicts, [
        { application: 'webtop1', other_plan_id: 2, other_plan_name: 'Weekly SMB', effective_retention: 4 },
      ]);
      assert.deepEqual(byId.get(1)?.retention_conflicts, [], 'another destination: its own repository');
    } finally {
      await admin.del('cluster/backup/3');
      await admin.quit();
    }
  });

  // Issue #21: the summary counted failed deliveries among the newest 50 reports only, and not
  // the reports waiting after a refusal; an empty history said "all delivered".
  test('deliveries: reports not delivered over the last 7 days, however many reports came since', async () => {
    const nowMs = Date.now();
    const failed = (lastError: string) => ({
      ...report('x').delivery,
      status: 'failed' as const,
      attempts: 5,
      lastError,
      sentAt: null,
    });
    const recent = Array.from({ length: 60 }, (_, i) =>
      report(`n-${String(i).padStart(2, '0')}`, { createdAt: nowMs - (i + 1) * 60_000 }),
    );
    recent[55] = { ...recent[55]!, delivery: failed('550 relay refused') }; // older than the newest 50
    recent[2] = {
      ...recent[2]!,
      delivery: { ...recent[2]!.delivery, status: 'pending', attempts: 2, lastError: '451 try later', sentAt: null },
    };
    // Telegram refused n-07's bot token: its delivery failed on that channel, email's went out.
    recent[7] = {
      ...recent[7]!,
      deliveries: {
        telegram: { ...failed('401 Unauthorized'), lastErrorCode: 'CHANNEL_CREDENTIALS', recipients: [] },
      },
    };
    const old = report('o-1', { createdAt: nowMs - 8 * 86_400_000, delivery: failed('old refusal') });
    // 'n-05#telegram': another channel's queue entry (issue #22): telegram's delivery of n-05
    // waits (no error yet), told as such, not as a blank email report.
    await writeServiceRecords(h.redis, MODULE_ID, [...recent, old], {
      outbox: { 'n-02': nowMs + 60_000, 'n-05#telegram': nowMs + 60_000 },
    });
    const res = await runAction('get-monitor-status', {}, h.o);
    assert.equal(res.status, 'completed', res.error);
    type Item = { report_id: string; channel: string; subject: string; status: string };
    const d = (res.output as { deliveries: Record<string, unknown> & { items: Item[] } }).deliveries;
    assert.deepEqual(
      [d.pending, d.failed, d.undelivered, d.window_days, d.reports],
      [2, 2, 3, 7, 61],
      'the waiting one with an error, the failed one past the newest 50 and the failed telegram one; not the one of 8 days ago',
    );
    assert.deepEqual(
      d.items.map((i) => [
        i.report_id,
        i.channel,
        i.status,
        i.subject === recent[Number(i.report_id.slice(2))]!.subject,
      ]),
      [
        ['n-02', 'email', 'pending', true],
        ['n-05', 'telegram', 'pending', true],
        ['n-07', 'telegram', 'failed', true],
        ['n-55', 'email', 'failed', true],
      ],
    );
    const telegram = d.items.find((i) => i.report_id === 'n-07') as unknown as Record<string, unknown>;
    assert.deepEqual(
      [telegram.attempts, telegram.last_error, telegram.last_error_code],
      [5, '401 Unauthorized', 'CHANNEL_CREDENTIALS'],
    );

    await writeServiceRecords(h.redis, MODULE_ID, []);
    const empty = await runAction('get-monitor-status', {}, h.o);
    const e = (empty.output as { deliveries: Record<string, unknown> }).deliveries;
    assert.deepEqual([e.reports, e.undelivered, e.items], [0, 0, []], 'an empty history is told as such');
  });

  test('policy and recipients per plan (PLAN_POLICIES, NOTIFY_POLICY), next run, applications in no enabled plan', async () => {
    await writeServiceRecords(h.redis, MODULE_ID, reports);
    appendFileSync(
      path.join(h.o.stateDir, 'environment'),
      'MAIL_TO=ops@example.org\nNOTIFY_POLICY=problems\nPLAN_POLICIES=2:digest:OPS@example.org;nas@example.org\n',
    );
    await runAction('get-configuration', {}, h.o); // the agent copies the environment file to Redis after each action
    const c = createClient({ url: h.redis.moduleUrl });
    c.on('error', () => undefined);
    await c.connect();
    await c.hSet(
      `module/${MODULE_ID}/watchdog`,
      '1',
      JSON.stringify({
        schedule: '*-*-* 01:30:00',
        enabled: true,
        firstSeen: 1,
        reported: null,
        nextRunAt: 1786325400,
      }),
    );
    await c.quit();
    const res = await runAction('get-monitor-status', {}, h.o);
    assert.equal(res.status, 'completed', res.error);
    type P = { id: number; policy: string; recipients: string[]; next_run_at: number | null };
    const out = res.output as { plans: P[]; recipients: string[]; unprotected: { module_id: string }[] };
    assert.deepEqual(
      out.plans.map((p) => [p.id, p.policy, p.recipients, p.next_run_at]),
      [
        [1, 'problems', ['ops@example.org'], 1786325400],
        [2, 'digest', ['ops@example.org', 'nas@example.org'], null],
      ],
    );
    assert.deepEqual(out.recipients, ['ops@example.org']);
    // traefik1 and metrics1 are in no plan; metrics1 is flagged no_data_backup: left out, as NS8's list-backups does.
    assert.deepEqual(out.unprotected, [{ module_id: 'traefik1', ui_name: '', node: 1 }]);
    // Plan 2 disabled: traefik2 is in no enabled plan any more.
    const admin = createClient({ url: h.redis.adminUrl });
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await admin.hSet('cluster/backup/2', 'enabled', '');
      const again = await runAction('get-monitor-status', {}, h.o);
      assert.deepEqual(
        (again.output as typeof out).unprotected.map((m) => m.module_id),
        ['traefik1', 'traefik2'],
      );
    } finally {
      await admin.hSet('cluster/backup/2', 'enabled', '1');
      await admin.quit();
    }
  });

  test('list-reports pages the history newest first', async () => {
    await writeServiceRecords(h.redis, MODULE_ID, reports);
    const page = await runAction('list-reports', { page: 2, per_page: 2 }, h.o);
    assert.equal(page.status, 'completed', page.error);
    assert.deepEqual(page.output, {
      total: 3,
      total_all: 3,
      page: 2,
      per_page: 2,
      plans: [{ id: 2, name: 'Weekly SMB' }],
      outcomes: ['PARTIAL'],
      reports: [
        {
          id: 'r-0001',
          created_at: 1786238420000,
          plan_id: 2,
          plan_name: 'Weekly SMB',
          outcome: 'PARTIAL',
          reason: 'first',
          subject: reports[2]!.subject,
          run_start: 1786237201,
          run_end: 1786238370,
          delivery: {
            status: 'sent',
            attempts: 1,
            sent_at: 1786238421000,
            recipients: ['ops@example.org'],
            last_error: null,
          },
          channels: [], // email only: no other channel carried it (issue #22)
        },
      ],
    });
    // page 2.0 is an integer to JSON Schema (and to the agent's validator): it is page 2, not a traceback.
    const float = await runAction('list-reports', { page: 2.0, per_page: 2.0 }, h.o);
    assert.equal(float.status, 'completed', float.error);
    assert.deepEqual(
      (float.output as { reports: { id: string }[] }).reports.map((r) => r.id),
      ['r-0001'],
    );
    const first = await runAction('list-reports', {}, h.o);
    assert.deepEqual(
      (first.output as { reports: { id: string }[] }).reports.map((r) => r.id),
      ['r-0003', 'r-0002', 'r-0001'],
    );
    const bad = await runAction('list-reports', { per_page: 500 }, h.o);
    assert.equal(bad.status, 'validation-failed');
    assert.deepEqual(
      (bad.output as { error: string }[]).map((e) => e.error),
      ['per_page_number_lte'],
    );
  });

  test('get-report returns the stored mail; an unknown id is report_not_found', async () => {
    await writeServiceRecords(h.redis, MODULE_ID, reports);
    const res = await runAction('get-report', { id: 'r-0002' }, h.o);
    assert.equal(res.status, 'completed', res.error);
    const out = res.output as Record<string, unknown> & {
      run: Record<string, unknown>;
      delivery: Record<string, unknown>;
    };
    assert.equal(out.html, '<p>Weekly SMB &lt;x&gt;</p>');
    assert.equal(out.run.plan_name, 'Weekly SMB');
    assert.equal(
      (out.run.modules as Record<string, unknown>[])[0]!.repo_path,
      'nextcloud/3c9a7e5f-1b4d-4a8a-ae32-5f7c9d1a4b63',
    );
    assert.equal(out.delivery.last_error, 'smarthost refused');
    assert.deepEqual(out.channels, [], 'a report of an older version: email only');
    const missing = await runAction('get-report', { id: 'r-9999' }, h.o);
    assert.equal(missing.status, 'validation-failed');
    assert.deepEqual(missing.output, [{ field: 'id', parameter: 'id', value: 'r-9999', error: 'report_not_found' }]);
  });
  // Issue #22: the report's window shows every channel's delivery, not only email's.
  test("get-report returns the other channels' deliveries, by channel name", async () => {
    const email = report('r-0004').delivery;
    const telegram = {
      ...email,
      status: 'failed' as const,
      attempts: 3,
      sentAt: null,
      lastError: 'Unauthorized: bot token refused',
      lastErrorCode: '401',
      recipients: [],
    };
    const ntfy = { ...email, recipients: [], sentAt: 1786238422000 };
    // Waiting after a failed attempt: the window says when it tries again.
    const teams = { ...telegram, status: 'pending' as const, attempts: 2, nextAttemptAt: 1786238480000 };
    await writeServiceRecords(h.redis, MODULE_ID, [report('r-0004', { deliveries: { email, telegram, ntfy, teams } })]);
    const res = await runAction('get-report', { id: 'r-0004' }, h.o);
    assert.equal(res.status, 'completed', res.error);
    const out = res.output as { delivery: Record<string, unknown>; channels: unknown };
    assert.equal(out.delivery.status, 'sent');
    assert.deepEqual(out.channels, [
      {
        channel: 'ntfy',
        status: 'sent',
        attempts: 1,
        sent_at: 1786238422000,
        last_error: null,
        last_error_code: null,
        next_attempt_at: 1786238420000,
      },
      {
        channel: 'teams',
        status: 'pending',
        attempts: 2,
        sent_at: null,
        last_error: 'Unauthorized: bot token refused',
        last_error_code: '401',
        next_attempt_at: 1786238480000,
      },
      {
        channel: 'telegram',
        status: 'failed',
        attempts: 3,
        sent_at: null,
        last_error: 'Unauthorized: bot token refused',
        last_error_code: '401',
        next_attempt_at: 1786238420000,
      },
    ]);
  });
});

describe('send-test-notification without a running service', () => {
  test('fails with a clear error and exit 2', async () => {
    const res = await runAction('send-test-notification', {}, { ...h.o, env: { TCP_PORT: '1' } });
    assert.equal(res.status, 'aborted');
    assert.equal(res.exitCode, 2);
    assert.equal((res.output as { code: string }).code, 'SERVICE_UNAVAILABLE');
    assert.match(res.error, /does not answer on 127\.0\.0\.1:1/);
  });
});

describe('destroy-module', () => {
  test('stops the unit and removes the token', async () => {
    const res = await runAction('destroy-module', {}, h.o);
    assert.equal(res.status, 'completed', res.error);
    assert.deepEqual(stubCalls(h.o), ['systemctl --user disable --now backup-monitor.service']);
    assert.throws(() => statSync(path.join(h.o.stateDir, 'receiver.token')));
  });
});
