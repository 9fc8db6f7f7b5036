// SPDX-License-Identifier: GPL-3.0-or-later
// Per-plan notification settings in the module environment (issue #14), run as the NS8 agent runs
// the steps (test/sim/agent-runner.ts) against a real Redis with NS8's ACLs.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { adminClient, seedCluster } from '../sim/cluster.js';
import { installModule, readEnvFile, runEvent, stubCalls, type AgentOptions } from '../sim/agent-runner.js';
import { parsePlanPolicies } from '../../src/notify/policy.js';

let redis: RedisServer;
let root: string;
let o: AgentOptions;
const envFile = () => path.join(o.stateDir, 'environment');
function setEnv(vars: Record<string, string>) {
  const env = { ...readEnvFile(envFile()), ...vars };
  writeFileSync(envFile(), Object.keys(env).sort().map((k) => `${k}=${env[k]}\n`).join(''));
}

before(async () => { redis = await startRedis(); });
after(async () => { await redis.stop(); rmSync(root, { recursive: true, force: true }); });
beforeEach(async () => {
  const c = await adminClient(redis); await c.flushAll(); await c.quit();
  await seedCluster(redis);
  if (root) rmSync(root, { recursive: true, force: true });
  root = mkdtempSync(path.join(tmpdir(), 'bm-plans-'));
  o = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...o, tcpPort: 20011 })).status, 'completed');
});

describe('backup-schedule-changed', () => {
  test('a removed plan\'s setting disappears with it', async () => {
    setEnv({ PLAN_POLICIES: '1:always:owner@example.org,2:digest,7:off' });
    const c = await adminClient(redis); await c.del('cluster/backup/1'); await c.quit();
    const res = await runEvent('backup-schedule-changed', { backup_ids: ['1'] }, 'cluster', o);
    assert.equal(res.exitCode, 0, res.stderr);
    assert.equal(readEnvFile(envFile()).PLAN_POLICIES, '2:digest');
    assert.ok('plans' in parsePlanPolicies(readEnvFile(envFile()).PLAN_POLICIES!), 'the service parses what the handler writes');
    assert.deepEqual(stubCalls(o), ['systemctl --user try-restart backup-monitor.service']);
  });

  test('nothing removed: nothing written, no restart; other sources are ignored', async () => {
    setEnv({ PLAN_POLICIES: '1:always:owner@example.org,2:digest' });
    assert.equal((await runEvent('backup-schedule-changed', { backup_ids: ['2'] }, 'cluster', o)).exitCode, 0);
    const c = await adminClient(redis); await c.del('cluster/backup/1'); await c.quit();
    assert.equal((await runEvent('backup-schedule-changed', { backup_ids: ['1'] }, 'module/mail1', o)).exitCode, 0);
    assert.equal(readEnvFile(envFile()).PLAN_POLICIES, '1:always:owner@example.org,2:digest');
    assert.deepEqual(stubCalls(o), []);
  });
});
