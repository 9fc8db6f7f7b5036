// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #25 item 3, on the shipped entrypoint: a backup status dated a year ahead (a node's clock
// glitch, or milliseconds written as seconds) must not be mailed as a success dated next year,
// must not make every later real failed run a "duplicate", and /metrics must not show a last
// success in the future. The report names the node whose clock is off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startTestService } from '../helpers/service.js';
import { freePort, waitForPort } from '../helpers/ports.js';
import { adminClient, PLANS, replayRun, seedCluster, type SimPlan } from '../sim/cluster.js';

const VPN = '127.0.0.2';
const YEAR = 365 * 86400;
/** One application on node 1 ("ns1"): the node whose clock is off. */
const PLAN: SimPlan = { ...PLANS[0]!, id: 3, name: 'Mail only', instances: ['mail1'] };
const plans = [...PLANS, PLAN];

let redis: RedisServer;
let smtp: SmtpSink;

before(async () => {
  [redis, smtp] = await Promise.all([startRedis(), startSmtpSink()]);
  await seedCluster(redis, { smtpPort: smtp.port, plans });
});
after(async () => {
  await Promise.all([smtp.stop(), redis.stop()]);
});

/** What run-backup writes on a node whose clock is a year ahead, and its event. */
async function writeFutureStatus(): Promise<number> {
  const start = Math.floor(Date.now() / 1000) + YEAR;
  const c = await adminClient(redis);
  try {
    const status = { start, total_size: 1000, total_file_count: 10, snapshots_count: 1, errors: 0, end: start + 5 };
    await c
      .multi()
      .hSet(`node/1/backup_status/${PLAN.id}`, 'mail1', JSON.stringify(status))
      .publish(
        'node/1/event/backup-status-changed',
        JSON.stringify({ node_id: 1, backup_id: PLAN.id, module_id: 'mail1' }),
      )
      .exec();
  } finally {
    await c.quit();
  }
  return start;
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
      const [first] = await smtp.waitFor(1, 20_000);
      assert.doesNotMatch(first!.subject!, /completed successfully/);
      assert.match(first!.text!, /The clock of ns1 \(node 1\) is off/);
      assert.doesNotMatch(first!.text!, new RegExp(String(new Date(future * 1000).getUTCFullYear())));

      for (let i = 1; i <= 3; i++) {
        await new Promise((r) => setTimeout(r, 1100)); // run keys are per second
        await replayRun(redis, PLAN.id, { mail1: { errors: 1 } }, { plans });
        await smtp.waitFor(1 + i, 20_000);
      }
      const failures = smtp.messages.slice(1).map((m) => m.subject);
      assert.equal(failures.length, 3, failures.join('\n'));
      for (const s of failures) assert.match(s!, /Backup failed.*Mail only/);

      const text = await (await fetch(`http://${VPN}:${metricsPort}/metrics`)).text();
      const nowS = Date.now() / 1000;
      for (const m of text.matchAll(/^backup_monitor_\w+_timestamp_seconds\{[^}]*plan_id="3"[^}]*\} (\S+)$/gm))
        assert.ok(Number(m[1]) <= nowS, `a time in the future in /metrics: ${m[0]}`);
      assert.doesNotMatch(text, /backup_monitor_plan_last_success_timestamp_seconds\{plan_id="3"/);
    } finally {
      await service.stop();
    }
  });
});
