// SPDX-License-Identifier: GPL-3.0-or-later
// Who hears about which plan (issue #14), end to end: replayed NS8 runs (real redis-server with
// NS8's ACLs, the node's own credentials), the real service, a real SMTP sink. "Exactly N mails"
// waits until the service is quiet (no open run, empty outbox), never a fixed time.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis, MODULE_ID, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startTestService } from '../helpers/service.js';
import { freePort } from '../helpers/ports.js';
import { adminClient, replayRun, seedCluster } from '../sim/cluster.js';
import { installModule, runAction } from '../sim/agent-runner.js';
import { moduleKeys } from '../../src/domain/records.js';

const K = moduleKeys(MODULE_ID);
let redis: RedisServer;
let smtp: SmtpSink;

before(async () => {
  [redis, smtp] = await Promise.all([startRedis(), startSmtpSink()]);
});
// Whatever failed before: a server or client left open keeps the test process, and `npm test`,
// from ending (issue #25).
after(async () => {
  await Promise.allSettled([smtp?.stop(), redis?.stop()]);
});
beforeEach(async () => {
  const c = await adminClient(redis);
  try {
    await c.flushAll();
  } finally {
    await c.quit();
  }
  smtp.messages.length = 0;
  smtp.envelopes.length = 0;
  await seedCluster(redis, { smtpPort: smtp.port });
});

/**
 * Quiet: the run log holds `runs` decided runs (the pipeline appends after queueing a report) and
 * the outbox is empty (delivery removes a report once the sink accepted it).
 */
async function quiet(
  _service: Awaited<ReturnType<typeof startTestService>>['service'],
  runs: number,
  timeoutMs = 20_000,
): Promise<void> {
  const c = await adminClient(redis);
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [logged, queued] = await Promise.all([c.lLen(K.runLog), c.hLen(K.outbox)]);
      if (logged >= runs && queued === 0) return;
      if (Date.now() > until)
        throw new Error(`not quiet after ${timeoutMs} ms: ${logged}/${runs} runs logged, ${queued} queued`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await c.quit();
  }
}

/** Replays runs of a plan one after another (one second apart: run keys are per second). */
async function replaySeries(
  planId: number,
  failures: boolean[],
  service: Awaited<ReturnType<typeof startTestService>>['service'],
) {
  for (const [i, fail] of failures.entries()) {
    await new Promise((r) => setTimeout(r, 1100));
    await replayRun(redis, planId, fail ? { nextcloud1: { errors: 1 } } : {});
    await quiet(service, i + 1);
  }
}

describe('per-plan policies', () => {
  it('problems: nothing for successes, one mail for the failure, one recovery', async () => {
    const { service } = await startTestService(redis, { NOTIFY_POLICY: 'problems' });
    try {
      await replaySeries(2, [false, false, true, false, false], service);
      assert.deepEqual(
        smtp.messages.map((m) => m.subject),
        [
          '⚠️ Partly failed: Weekly SMB – 1 of 4 applications not saved · [NS8 Backup] ⚠️ Backup partially failed',
          '✅ Recovered: Weekly SMB · [NS8 Backup] ✅ Backup recovered',
        ],
      );
    } finally {
      await service.stop();
    }
  });

  it('digest and off: nothing per run; the digest lists the digest plan and not the off plan', async () => {
    const { service, url } = await startTestService(redis, {
      NOTIFY_POLICY: 'always',
      PLAN_POLICIES: '1:off,2:digest',
    });
    try {
      await replaySeries(2, [true, false], service);
      await replayRun(redis, 1, { mail1: { errors: 1 } });
      await quiet(service, 3);
      assert.equal(smtp.messages.length, 0);
      const res = await fetch(`${url}/test-notification`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'digest' }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const [digest] = await smtp.waitFor(1);
      assert.match(digest!.subject!, / · \[NS8 Backup\] Sample backup digest: /);
      const plans = [...String(digest!.html).matchAll(/data-plan="(\d+)"/g)].map((m) => m[1]);
      assert.deepEqual(plans, ['2']);
      assert.match(
        digest!.text!,
        /1 runs saved · 0 with warnings · 1 failed · 0 missed\n[\s\S]*\n✓ Weekly SMB \(ID 2\) — OK( · [^\n]*)?\n\n/,
      );
      const c = await adminClient(redis);
      const states = await c.hGetAll(K.plans).finally(() => c.quit());
      assert.equal(JSON.parse(states['1']!).lastOutcome, 'PARTIAL', 'an off plan still shows on the status page');
    } finally {
      await service.stop();
    }
  });
});

describe('per-plan recipients', () => {
  it("each report's SMTP envelope holds exactly its recipients, without duplicates", async () => {
    const { service } = await startTestService(redis, {
      MAIL_TO: 'admin@example.org',
      NOTIFY_POLICY: 'problems',
      PLAN_POLICIES: '2:always:owner@example.org;ADMIN@example.org',
    });
    try {
      await replayRun(redis, 2, {});
      await quiet(service, 1);
      await replayRun(redis, 1, { mail1: { errors: 1 } });
      await quiet(service, 2);
      assert.equal(smtp.envelopes.length, 2);
      const bySubject = new Map(smtp.messages.map((m, i) => [m.subject, smtp.envelopes[i]!.to]));
      assert.deepEqual(bySubject.get('✅ OK: Weekly SMB · [NS8 Backup] ✅ Backup completed successfully'), [
        'admin@example.org',
        'owner@example.org',
      ]);
      assert.deepEqual(
        bySubject.get(
          '⚠️ Partly failed: Daily offsite – 1 of 4 applications not saved · [NS8 Backup] ⚠️ Backup partially failed',
        ),
        ['admin@example.org'],
      );
      assert.equal(smtp.messages[0]!.headers.get('x-ns8-backup-plan') !== undefined, true);
    } finally {
      await service.stop();
    }
  });
});

describe('send-test-notification kind digest', () => {
  it('sends a sample digest through the action', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'bm-digest-'));
    const o = { stateDir: path.join(root, 'state'), redis };
    const tcpPort = await freePort();
    assert.equal((await installModule({ ...o, tcpPort })).status, 'completed');
    const token = readFileSync(path.join(o.stateDir, 'receiver.token'), 'utf8').trim();
    const { service } = await startTestService(redis, {
      RECEIVER_TOKEN: token,
      TCP_PORT: String(tcpPort),
      MAIL_LANGUAGE: 'it',
    });
    try {
      const res = await runAction('send-test-notification', { kind: 'digest' }, o);
      assert.equal(res.status, 'completed', res.error);
      const [m] = await smtp.waitFor(1);
      assert.match(m!.subject!, / · \[NS8 Backup\] Riepilogo dei backup di prova: /);
      assert.match(m!.text!, /Applicazioni in nessun piano di backup: traefik1\./);
      assert.equal((await runAction('send-test-notification', { kind: 'weekly' }, o)).status, 'validation-failed');
    } finally {
      await service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
