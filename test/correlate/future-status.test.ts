// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #25 item 3, on the shipped entrypoint: a backup status dated a year ahead (a node's clock
// glitch, or milliseconds written as seconds) must not be mailed as a success dated next year,
// must not make every later real failed run a "duplicate", and /metrics must not show a last
// success in the future. The report names the node whose clock is off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startTestService } from '../helpers/service.js';
import { freePort, waitForPort } from '../helpers/ports.js';
import { adminClient, PLANS, replayRun, seedCluster, type SimPlan } from '../sim/cluster.js';
import { moduleKeys } from '../../src/domain/records.js';

const VPN = '127.0.0.2';
const YEAR = 365 * 86400;
/** One application on node 1 ("ns1"): the node whose clock is off. */
const PLAN: SimPlan = { ...PLANS[0]!, id: 3, name: 'Mail only', instances: ['mail1'] };
/** One application whose status run-backup wrote with a float NaN (Python's json.dumps writes `NaN`). */
const NAN_PLAN: SimPlan = { ...PLANS[0]!, id: 4, name: 'Domain only', instances: ['samba1'] };
const plans = [...PLANS, PLAN, NAN_PLAN];

let redis: RedisServer;
let smtp: SmtpSink;

before(async () => {
  [redis, smtp] = await Promise.all([startRedis(), startSmtpSink()]);
  await seedCluster(redis, { smtpPort: smtp.port, plans });
});
after(async () => {
  await Promise.all([smtp.stop(), redis.stop()]);
});

/**
 * Waits until the service decided `runs` runs (the run log, which the digest reads, gets every run
 * that is not a duplicate) and its outbox is empty; a run judged a duplicate never gets there.
 */
async function decided(runs: number, timeoutMs = 20_000): Promise<void> {
  const k = moduleKeys(MODULE_ID);
  const c = await adminClient(redis);
  try {
    for (const until = Date.now() + timeoutMs; ; ) {
      const [logged, queued] = await Promise.all([c.lLen(k.runLog), c.hLen(k.outbox)]);
      if (logged >= runs && queued === 0) return;
      if (Date.now() > until) throw new Error(`${logged} of ${runs} runs decided, ${queued} queued`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await c.quit();
  }
}

/** What run-backup writes on a node whose clock is a year ahead, and its event. */
async function writeFutureStatus(): Promise<number> {
  const start = Math.floor(Date.now() / 1000) + YEAR;
  const status = { start, total_size: 1000, total_file_count: 10, snapshots_count: 1, errors: 0, end: start + 5 };
  await writeStatus(PLAN.id, 'mail1', JSON.stringify(status));
  return start;
}

async function writeStatus(planId: number, moduleId: string, json: string): Promise<void> {
  const c = await adminClient(redis);
  try {
    await c
      .multi()
      .hSet(`node/1/backup_status/${planId}`, moduleId, json)
      .publish(
        'node/1/event/backup-status-changed',
        JSON.stringify({ node_id: 1, backup_id: planId, module_id: moduleId }),
      )
      .exec();
  } finally {
    await c.quit();
  }
}

describe('a backup status dated in the future', () => {
  it('is reported as a node clock problem, and the later failed runs are still mailed', async () => {
    const metricsPort = await freePort();
    const { service } = await startTestService(redis, {
      NOTIFY_POLICY: 'problems',
      METRICS_HOST: VPN,
      METRICS_PORT: String(metricsPort),
    });
    try {
      await waitForPort(metricsPort, 20_000, VPN);
      const future = await writeFutureStatus();
      await decided(1); // mailed or not, depending on how the status is read
      for (let i = 1; i <= 3; i++) {
        await new Promise((r) => setTimeout(r, 1100)); // run keys are per second
        await replayRun(redis, PLAN.id, { mail1: { errors: 1 } }, { plans });
        await decided(1 + i);
      }
      const mails = await smtp.waitFor(4, 20_000);
      const failures = mails.slice(1).map((m) => m.subject);
      assert.equal(failures.length, 3, failures.join('\n'));
      for (const s of failures) assert.match(s!, /^❌ Failed: Mail only .*Backup failed/);
      const first = mails[0]!;
      assert.doesNotMatch(first.subject!, /completed successfully/);
      assert.match(first.text!, /The clock of ns1 \(node 1\) is off/);
      assert.doesNotMatch(first.text!, new RegExp(String(new Date(future * 1000).getUTCFullYear())));

      const text = await (await fetch(`http://${VPN}:${metricsPort}/metrics`)).text();
      const nowS = Date.now() / 1000;
      for (const m of text.matchAll(/^backup_monitor_\w+_timestamp_seconds\{[^}]*plan_id="3"[^}]*\} (\S+)$/gm))
        assert.ok(Number(m[1]) <= nowS, `a time in the future in /metrics: ${m[0]}`);
      assert.doesNotMatch(text, /backup_monitor_plan_last_success_timestamp_seconds\{plan_id="3"/);
    } finally {
      await service.stop();
    }
  });

  it('an unreadable status (errors: NaN) is reported as such, not dropped', async () => {
    const { service } = await startTestService(redis, { NOTIFY_POLICY: 'problems' });
    try {
      const before = smtp.messages.length;
      const now = Math.floor(Date.now() / 1000);
      await writeStatus(NAN_PLAN.id, 'samba1', `{"start": ${now - 5}, "total_size": 1, "errors": NaN, "end": ${now}}`);
      const [mail] = (await smtp.waitFor(before + 1, 20_000)).slice(before);
      assert.match(mail!.subject!, /^❌ Failed: Domain only .*Backup failed/);
      assert.match(mail!.text!, /Domain controller — status unreadable/);
    } finally {
      await service.stop();
    }
  });
});
