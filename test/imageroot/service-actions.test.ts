// SPDX-License-Identifier: GPL-3.0-or-later
// Actions that talk to the running service (send-test-notification, get-alertmanager-config):
// the real service (src/service.ts) in-process, a real SMTP sink as smarthost, real Redis.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startTestService } from '../helpers/service.js';
import { freePort } from '../helpers/ports.js';
import { adminClient, replayRun, seedCluster, type ModuleResult } from '../sim/cluster.js';
import { moduleKeys } from '../../src/domain/records.js';
import { formatDateTime } from '../../src/domain/format.js';
import { installModule, runAction, type AgentOptions } from '../sim/agent-runner.js';

let redis: RedisServer;
let smtp: SmtpSink;
let root: string;
let o: AgentOptions;
let service: Awaited<ReturnType<typeof startTestService>>;

before(async () => {
  [redis, smtp] = await Promise.all([startRedis(), startSmtpSink()]);
  await seedCluster(redis, { smtpPort: smtp.port });
  root = mkdtempSync(path.join(tmpdir(), 'bm-svc-'));
  o = { stateDir: path.join(root, 'state'), redis };
  const tcpPort = await freePort();
  const created = await installModule({ ...o, tcpPort });
  assert.equal(created.status, 'completed', created.error);
  // The service gets the token the module made, as bin/write-service-env hands it over.
  const token = readFileSync(path.join(o.stateDir, 'receiver.token'), 'utf8').trim();
  service = await startTestService(redis, {
    RECEIVER_TOKEN: token,
    MAIL_TO: 'ops@example.org',
    NOTIFY_POLICY: 'problems', // the default a module starts with (the test helper's is `always`)
    TCP_PORT: String(tcpPort),
  });
});
after(async () => {
  await service?.service.stop();
  await Promise.all([redis?.stop(), smtp?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('send-test-notification', () => {
  test('a real mail through the smarthost to the given address', async () => {
    const res = await runAction('send-test-notification', { to: ['someone@example.org'] }, o);
    assert.equal(res.status, 'completed', res.error);
    const out = res.output as { ok: boolean; recipients: string[]; message_id: string };
    assert.equal(out.ok, true);
    assert.deepEqual(out.recipients, ['someone@example.org']);
    const [mail] = await smtp.waitFor(1);
    assert.deepEqual(smtp.envelopes[0]!.to, ['someone@example.org']);
    assert.equal(`<${mail!.messageId!.replace(/^<|>$/g, '')}>`, `<${out.message_id.replace(/^<|>$/g, '')}>`);
  });

  test('without `to` it uses the configured recipients', async () => {
    const res = await runAction('send-test-notification', {}, o);
    assert.equal(res.status, 'completed', res.error);
    assert.deepEqual((res.output as { recipients: string[] }).recipients, ['ops@example.org']);
  });

  test('a bad address is rejected by the schema before the service is asked', async () => {
    const res = await runAction('send-test-notification', { to: ['nope'] }, o);
    assert.equal(res.status, 'validation-failed');
    assert.deepEqual(
      (res.output as { field: string; error: string }[]).map((e) => e.error),
      ['to_format'],
    );
  });

  test('a smarthost that refuses connections gives a stable code, plain words and exit 2', async () => {
    const admin = await adminClient(redis);
    await admin.hSet('cluster/smarthost', 'port', String(await freePort()));
    try {
      const res = await runAction('send-test-notification', {}, o);
      assert.equal(res.status, 'aborted');
      assert.equal(res.exitCode, 2);
      const out = res.output as { ok: boolean; code: string; error: string };
      assert.equal(out.ok, false);
      assert.equal(out.code, 'SMTP_CONNECTION');
      assert.match(res.error, /test notification failed \(SMTP_CONNECTION\)/);
    } finally {
      await admin.hSet('cluster/smarthost', 'port', String(smtp.port));
      await admin.quit();
    }
  });

  test('without the module token the service refuses the call', async () => {
    const res = await runAction('send-test-notification', {}, { ...o, env: { RECEIVER_TOKEN: 'wrong-token' } });
    assert.equal(res.exitCode, 2);
    assert.equal(res.status, 'aborted');
    assert.deepEqual(res.output, { ok: false, code: 'UNAUTHORIZED', error: 'missing or wrong bearer token' });
  });
});

describe('get-alertmanager-config', () => {
  test('returns the receiver YAML and the webhook URL', async () => {
    const res = await runAction('get-alertmanager-config', {}, o);
    assert.equal(res.status, 'completed', res.error);
    const out = res.output as { yaml: string; url: string };
    assert.equal(out.url, `http://127.0.0.1:${service.service.port}/alert`);
    assert.match(out.yaml, /webhook_configs/);
  });
});

// Issue #21: under the default policy (problems) successes are not mailed; the page must still
// show them: the last run, its sizes and the trends come from the runs the service keeps for every
// run (module/<id>/runs and runlog), not from the last mailed report.
describe('get-monitor-status and get-trends: the last run, not the last mail', () => {
  type Mod = { module_id: string; result: string; total_size: number | null; ui_name: string; node: number | null };
  type Plan = { id: number; last_outcome: string; last_run_start: number; last_report_id: string; modules: Mod[] };
  type Trend = {
    id: number;
    outcomes: { at: number; outcome: string }[];
    applications: { module_id: string; sizes: (number | null)[]; failed: number[] }[];
  };

  /** The run log holds `runs` decided runs and the outbox is empty: every report was sent. */
  async function quiet(runs: number): Promise<void> {
    const c = await adminClient(redis);
    const k = moduleKeys(MODULE_ID);
    try {
      for (const until = Date.now() + 30_000; ; ) {
        const [logged, queued] = await Promise.all([c.lLen(k.runLog), c.hLen(k.outbox)]);
        if (logged >= runs && queued === 0) return;
        if (Date.now() > until) throw new Error(`not quiet: ${logged}/${runs} runs logged, ${queued} queued`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await c.quit();
    }
  }

  test('policy problems: a mailed failure, a mailed recovery, an unmailed success: the page shows the success', async () => {
    const before = smtp.messages.length;
    const logged = await (async () => {
      const c = await adminClient(redis);
      try {
        return await c.lLen(moduleKeys(MODULE_ID).runLog);
      } finally {
        await c.quit();
      }
    })();
    const series: Record<string, ModuleResult>[] = [
      { nextcloud1: { errors: 1 } },
      {},
      { samba1: { sizeBytes: 3_333_333 } },
    ];
    for (const [i, results] of series.entries()) {
      await new Promise((r) => setTimeout(r, 1100)); // run keys are per second
      await replayRun(redis, 2, results);
      await quiet(logged + i + 1);
    }
    assert.equal(
      smtp.messages.length - before,
      2,
      smtp.messages
        .slice(before)
        .map((m) => m.subject)
        .join(' / '),
    );

    const res = await runAction('get-monitor-status', {}, o);
    assert.equal(res.status, 'completed', res.error);
    const plan = (res.output as { plans: Plan[] }).plans.find((p) => p.id === 2)!;
    const trends = await runAction('get-trends', {}, o);
    assert.equal(trends.status, 'completed', trends.error);
    const trend = (trends.output as { plans: Trend[] }).plans.find((p) => p.id === 2)!;
    const runStarts = trend.outcomes.map((x) => x.at);
    assert.deepEqual(
      trend.outcomes.map((x) => x.outcome),
      ['PARTIAL', 'SUCCESS', 'SUCCESS'],
      'every run counts, mailed or not',
    );
    assert.equal(plan.last_outcome, 'SUCCESS');
    assert.equal(plan.last_run_start, runStarts[2], 'the last run is the unmailed success');
    const samba = plan.modules.find((m) => m.module_id === 'samba1')!;
    assert.equal(samba.total_size, 3_333_333, "the last run's sizes");
    assert.equal(samba.ui_name, 'Domain controller');
    assert.equal(samba.node, 1);
    assert.ok(plan.modules.every((m) => m.result === 'success'));
    // Sizes of successful runs only: the failed application has no size in its failed run.
    const cloud = trend.applications.find((a) => a.module_id === 'nextcloud1')!;
    assert.deepEqual(cloud.failed, [0]);
    assert.deepEqual(
      cloud.sizes.map((x) => x === null),
      [true, false, false],
    );
  });

  test('one "last full success" for page and mail: a WARNING run is not one', async () => {
    // Three earlier runs saved samba1 (~1 MB): a run that saves 1 kB of it is a WARNING (shrink).
    const k = moduleKeys(MODULE_ID);
    const c = await adminClient(redis);
    try {
      const logged = await c.lLen(k.runLog);
      const mailed = smtp.messages.length;
      await new Promise((r) => setTimeout(r, 1100));
      await replayRun(redis, 2, { samba1: { sizeBytes: 1000 } });
      await quiet(logged + 1);
      assert.equal(smtp.messages.length, mailed + 1, 'the warning is mailed');
      const state = JSON.parse((await c.hGet(k.plans, '2'))!) as { lastReportId: string; lastOutcome: string };
      assert.equal(state.lastOutcome, 'WARNING');
      const stored = JSON.parse((await c.get(k.report(state.lastReportId)))!) as {
        text: string;
        run: { start: number; trend: { lastFullSuccessAt: number | null } };
      };
      const mailSays = stored.run.trend.lastFullSuccessAt;
      assert.ok(
        mailSays !== null && mailSays < stored.run.start,
        'the mail names the last SUCCESS run, before this one',
      );
      assert.ok(
        stored.text.includes(formatDateTime(mailSays, { timeZone: 'Europe/Rome', zoneName: true, seconds: false })),
      );

      const res = await runAction('get-monitor-status', {}, o);
      const plan = (
        res.output as { plans: (Plan & { last_full_success_at: number; last_success_at: number })[] }
      ).plans.find((p) => p.id === 2)!;
      assert.equal(plan.last_outcome, 'WARNING');
      assert.equal(plan.last_full_success_at, mailSays, 'the page says what the mail says');
      assert.equal(plan.last_success_at, stored.run.start, 'staleness still counts the WARNING run as saved');
      const samba = plan.modules.find((m) => m.module_id === 'samba1')! as Mod & { anomalies: { kind: string }[] };
      assert.deepEqual(
        samba.anomalies.map((a) => a.kind),
        ['shrink'],
        'the abnormal application is named',
      );
    } finally {
      await c.quit();
    }
  });
});
