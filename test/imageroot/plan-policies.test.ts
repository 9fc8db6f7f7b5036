// SPDX-License-Identifier: GPL-3.0-or-later
// Per-plan notification settings in the module environment (issue #14), run as the NS8 agent runs
// the steps (test/sim/agent-runner.ts) against a real Redis with NS8's ACLs.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { adminClient, seedCluster } from '../sim/cluster.js';
import { installModule, readEnvFile, runAction, runEvent, stubCalls, type AgentOptions } from '../sim/agent-runner.js';
import { loadConfig } from '../../src/config.js';
import { parsePlanPolicies } from '../../src/notify/policy.js';

let redis: RedisServer;
let root: string;
let o: AgentOptions;
const envFile = () => path.join(o.stateDir, 'environment');
function setEnv(vars: Record<string, string>) {
  const env = { ...readEnvFile(envFile()), ...vars };
  writeFileSync(
    envFile(),
    Object.keys(env)
      .sort()
      .map((k) => `${k}=${env[k]}\n`)
      .join(''),
  );
}

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  const c = await adminClient(redis);
  await c.flushAll();
  await c.quit();
  await seedCluster(redis);
  if (root) rmSync(root, { recursive: true, force: true });
  root = mkdtempSync(path.join(tmpdir(), 'bm-plans-'));
  o = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...o, tcpPort: 20011 })).status, 'completed');
});

describe('backup-schedule-changed', () => {
  test("a removed plan's setting disappears with it", async () => {
    setEnv({ PLAN_POLICIES: '1:always:owner@example.org,2:digest,7:off' });
    const c = await adminClient(redis);
    await c.del('cluster/backup/1');
    await c.quit();
    const res = await runEvent('backup-schedule-changed', { backup_ids: ['1'] }, 'cluster', o);
    assert.equal(res.exitCode, 0, res.stderr);
    assert.equal(readEnvFile(envFile()).PLAN_POLICIES, '2:digest');
    assert.ok(
      'plans' in parsePlanPolicies(readEnvFile(envFile()).PLAN_POLICIES!),
      'the service parses what the handler writes',
    );
    assert.deepEqual(stubCalls(o), ['systemctl --user try-restart backup-monitor.service']);
  });

  test('nothing removed: nothing written, no restart; other sources are ignored', async () => {
    setEnv({ PLAN_POLICIES: '1:always:owner@example.org,2:digest' });
    assert.equal((await runEvent('backup-schedule-changed', { backup_ids: ['2'] }, 'cluster', o)).exitCode, 0);
    const c = await adminClient(redis);
    await c.del('cluster/backup/1');
    await c.quit();
    assert.equal((await runEvent('backup-schedule-changed', { backup_ids: ['1'] }, 'module/mail1', o)).exitCode, 0);
    assert.equal(readEnvFile(envFile()).PLAN_POLICIES, '1:always:owner@example.org,2:digest');
    assert.deepEqual(stubCalls(o), []);
  });
});

describe('configure-module and get-configuration', () => {
  const GOOD = {
    mail_to: ['admin@example.org'],
    notify_policy: 'digest',
    digest_frequency: 'daily',
    digest_weekday: 'mon',
    digest_time: '07:30',
    plan_notifications: [
      { plan_id: 2, policy: 'always', mail_to: ['owner@example.org', 'OWNER@example.org', 'b+tag@example.org'] },
      { plan_id: 1, policy: 'off' },
    ],
  };

  test('per-plan settings and the digest round-trip, and the service reads them', async () => {
    const res = await runAction('configure-module', GOOD, o);
    assert.equal(res.status, 'completed', res.error);
    const env = readEnvFile(envFile());
    assert.equal(env.PLAN_POLICIES, '1:off,2:always:owner@example.org;b+tag@example.org');
    assert.deepEqual([env.NOTIFY_POLICY, env.DIGEST_FREQUENCY, env.DIGEST_TIME], ['digest', 'daily', '07:30']);
    const got = (await runAction('get-configuration', {}, o)).output as Record<string, unknown>;
    assert.deepEqual(got.plan_notifications, [
      { plan_id: 1, policy: 'off', mail_to: [] },
      { plan_id: 2, policy: 'always', mail_to: ['owner@example.org', 'b+tag@example.org'] },
    ]);
    assert.deepEqual(
      (got.plans as { id: number; schedule: string; enabled: boolean }[]).map((p) => [p.id, p.schedule, p.enabled]),
      [
        [1, '*-*-* 01:30:00', true],
        [2, 'Sun *-*-* 03:00:00', true],
      ],
    );
    const cfg = loadConfig(env);
    assert.deepEqual(
      [...cfg.notify.plans],
      [
        [1, { policy: 'off', recipients: [] }],
        [2, { policy: 'always', recipients: ['owner@example.org', 'b+tag@example.org'] }],
      ],
    );
    assert.deepEqual(cfg.digest, { frequency: 'daily', weekday: 'mon', time: '07:30' });
    assert.equal(cfg.notify.defaultPolicy, 'digest');
  });

  // Issue #25 item 7: plan ids are never reused, so a long-lived cluster passes 10,000.
  test('a plan with an id above 10,000 keeps its settings', async () => {
    const c = await adminClient(redis);
    await c.hSet('cluster/backup/10001', { name: 'Late plan', repository: '', schedule: 'daily', enabled: '1' });
    await c.set('cluster/backup_sequence', '10001');
    await c.quit();
    const res = await runAction(
      'configure-module',
      { ...GOOD, plan_notifications: [{ plan_id: 10001, policy: 'always', mail_to: ['late@example.org'] }] },
      o,
    );
    assert.equal(res.status, 'completed', JSON.stringify(res));
    assert.equal(readEnvFile(envFile()).PLAN_POLICIES, '10001:always:late@example.org');
    const got = (await runAction('get-configuration', {}, o)).output as Record<string, unknown>;
    assert.ok(
      (got.plans as { id: number }[]).some((p) => p.id === 10001),
      'the page lists the plan',
    );
    assert.deepEqual(got.plan_notifications, [{ plan_id: 10001, policy: 'always', mail_to: ['late@example.org'] }]);
    const ev = await runEvent('backup-schedule-changed', { backup_ids: ['10001'] }, 'cluster', o);
    assert.equal(ev.exitCode, 0, ev.stderr);
    assert.equal(readEnvFile(envFile()).PLAN_POLICIES, '10001:always:late@example.org', 'not forgotten');
  });

  test('a removed plan disappears from get-configuration', async () => {
    await runAction('configure-module', GOOD, o);
    const c = await adminClient(redis);
    await c.del('cluster/backup/1');
    await c.quit();
    const got = (await runAction('get-configuration', {}, o)).output as Record<string, unknown>;
    assert.deepEqual(
      (got.plan_notifications as { plan_id: number }[]).map((e) => e.plan_id),
      [2],
    );
    assert.deepEqual(
      (got.plans as { id: number }[]).map((p) => p.id),
      [2],
    );
  });

  const BAD: [string, Record<string, unknown>, { field: string; error: string }[]][] = [
    [
      'an unknown plan id',
      {
        plan_notifications: [
          { plan_id: 2, policy: 'off' },
          { plan_id: 9, policy: 'off' },
        ],
      },
      [{ field: 'plan_notifications.1.plan_id', error: 'unknown_plan' }],
    ],
    [
      'a bad address',
      { plan_notifications: [{ plan_id: 2, mail_to: ['ok@example.org', 'nope@'] }] },
      [{ field: 'plan_notifications.0.mail_to.1', error: 'invalid_email' }],
    ],
    [
      'an address the environment cannot carry',
      { plan_notifications: [{ plan_id: 2, mail_to: ['a;b@example.org'] }] },
      [{ field: 'plan_notifications.0.mail_to.0', error: 'invalid_email' }],
    ],
    ['a bad time', { digest_time: '25:00' }, [{ field: 'digest_time', error: 'digest_time_pattern' }]],
    // Issue #25 item 12: a `digest` plan is told only in the digest, which covers every plan and
    // goes to mail_to; an `off` plan is mailed nowhere. Its own recipients would never get a mail.
    [
      'recipients of a digest plan',
      { plan_notifications: [{ plan_id: 2, policy: 'digest', mail_to: ['owner@example.org'] }] },
      [{ field: 'plan_notifications.0.mail_to', error: 'recipients_unused' }],
    ],
    [
      'recipients of an off plan',
      {
        plan_notifications: [
          { plan_id: 1, policy: 'always', mail_to: ['a@example.org'] },
          { plan_id: 2, policy: 'off', mail_to: ['owner@example.org'] },
        ],
      },
      [{ field: 'plan_notifications.1.mail_to', error: 'recipients_unused' }],
    ],
    [
      'an unknown policy',
      { plan_notifications: [{ plan_id: 2, policy: 'loud' }] },
      [{ field: 'plan_notifications.0.policy', error: 'plan_notifications_enum' }],
    ],
    [
      'an unknown default policy',
      { notify_policy: 'sometimes' },
      [{ field: 'notify_policy', error: 'notify_policy_enum' }],
    ],
  ];
  for (const [name, change, want] of BAD) {
    test(`${name}: a field-level error, and the environment is unchanged`, async () => {
      assert.equal((await runAction('configure-module', GOOD, o)).status, 'completed');
      const before = readFileSync(envFile(), 'utf8');
      stubCalls(o);
      const res = await runAction('configure-module', { ...GOOD, ...change }, o);
      assert.equal(res.status, 'validation-failed', JSON.stringify(res));
      const got = (res.output as { field: string; error: string }[]).map(({ field, error }) => ({ field, error }));
      for (const w of want)
        assert.ok(
          got.some((g) => g.field === w.field && g.error === w.error),
          `${JSON.stringify(w)} in ${JSON.stringify(got)}`,
        );
      assert.equal(readFileSync(envFile(), 'utf8'), before);
    });
  }
});
