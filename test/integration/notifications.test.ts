// SPDX-License-Identifier: GPL-3.0-or-later
// Who hears about which plan (issue #14), end to end: replayed NS8 runs (real redis-server with
// NS8's ACLs, the node's own credentials), the real service, a real SMTP sink. "Exactly N mails"
// waits until the service is quiet (no open run, empty outbox), never a fixed time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MODULE_ID } from '../helpers/redis-server.js';
import { startTestService } from '../helpers/service.js';
import { useServiceWorld } from '../helpers/service-world.js';
import { freePort } from '../helpers/ports.js';
import { adminClient, replayRun } from '../sim/cluster.js';
import { installModule, runAction } from '../sim/agent-runner.js';
import { moduleKeys } from '../../src/domain/records.js';

const K = moduleKeys(MODULE_ID);
const world = useServiceWorld();

/** Replays runs of a plan one after another (one second apart: run keys are per second). */
async function replaySeries(planId: number, failures: boolean[]) {
  for (const [i, fail] of failures.entries()) {
    await new Promise((r) => setTimeout(r, 1100));
    await replayRun(world.redis, planId, fail ? { nextcloud1: { errors: 1 } } : {});
    await world.quiet({ runs: i + 1 });
  }
}

describe('per-plan policies', () => {
  it('problems: nothing for successes, one mail for the failure, one recovery', async () => {
    const { service } = await startTestService(world.redis, { NOTIFY_POLICY: 'problems' });
    try {
      await replaySeries(2, [false, false, true, false, false]);
      assert.deepEqual(
        world.smtp.messages.map((m) => m.subject),
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
    const { service, url } = await startTestService(world.redis, {
      NOTIFY_POLICY: 'always',
      PLAN_POLICIES: '1:off,2:digest',
    });
    try {
      await replaySeries(2, [true, false]);
      await replayRun(world.redis, 1, { mail1: { errors: 1 } });
      await world.quiet({ runs: 3 });
      assert.equal(world.smtp.messages.length, 0);
      const res = await fetch(`${url}/test-notification`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'digest' }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const [digest] = await world.smtp.waitFor(1);
      assert.match(digest!.subject!, / · \[NS8 Backup\] Sample backup digest: /);
      const plans = [...String(digest!.html).matchAll(/data-plan="(\d+)"/g)].map((m) => m[1]);
      assert.deepEqual(plans, ['2']);
      assert.match(
        digest!.text!,
        /1 runs saved · 0 with warnings · 1 failed · 0 missed\n[\s\S]*\n✓ Weekly SMB \(ID 2\) — OK( · [^\n]*)?\n\n/,
      );
      const c = await adminClient(world.redis);
      const states = await c.hGetAll(K.plans).finally(() => c.quit());
      assert.equal(JSON.parse(states['1']!).lastOutcome, 'PARTIAL', 'an off plan still shows on the status page');
    } finally {
      await service.stop();
    }
  });
});

describe('per-plan recipients', () => {
  it("each report's SMTP envelope holds exactly its recipients, without duplicates", async () => {
    const { service } = await startTestService(world.redis, {
      MAIL_TO: 'admin@example.org',
      NOTIFY_POLICY: 'problems',
      PLAN_POLICIES: '2:always:owner@example.org;ADMIN@example.org',
    });
    try {
      await replayRun(world.redis, 2, {});
      await world.quiet({ runs: 1 });
      await replayRun(world.redis, 1, { mail1: { errors: 1 } });
      await world.quiet({ runs: 2 });
      assert.equal(world.smtp.envelopes.length, 2);
      const bySubject = new Map(world.smtp.messages.map((m, i) => [m.subject, world.smtp.envelopes[i]!.to]));
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
      assert.equal(world.smtp.messages[0]!.headers.get('x-ns8-backup-plan') !== undefined, true);
    } finally {
      await service.stop();
    }
  });
});

describe('send-test-notification kind digest', () => {
  it('sends a sample digest through the action', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'bm-digest-'));
    const o = { stateDir: path.join(root, 'state'), redis: world.redis };
    const tcpPort = await freePort();
    assert.equal((await installModule({ ...o, tcpPort })).status, 'completed');
    const token = readFileSync(path.join(o.stateDir, 'receiver.token'), 'utf8').trim();
    const { service } = await startTestService(world.redis, {
      RECEIVER_TOKEN: token,
      TCP_PORT: String(tcpPort),
      MAIL_LANGUAGE: 'it',
    });
    try {
      const res = await runAction('send-test-notification', { kind: 'digest' }, o);
      assert.equal(res.status, 'completed', res.error);
      const [m] = await world.smtp.waitFor(1);
      assert.match(m!.subject!, / · \[NS8 Backup\] Riepilogo dei backup di prova: /);
      assert.match(m!.text!, /Applicazioni in nessun piano di backup: traefik1\./);
      assert.equal((await runAction('send-test-notification', { kind: 'weekly' }, o)).status, 'validation-failed');
    } finally {
      await service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
