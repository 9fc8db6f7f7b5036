// SPDX-License-Identifier: GPL-3.0-or-later
// Event handlers and the unit's ExecStartPre helper, run with the agent's environment.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createClient } from 'redis';
import { MODULE_ID, MODULE_PASSWORD } from '../helpers/redis-server.js';
import { IMAGEROOT, agentEnvironment, readEnvFile, runEvent, stubCalls } from '../sim/agent-runner.js';
import { freshModule, withClient } from './harness.js';

const h = freshModule('bm-events-');

describe('events', () => {
  for (const event of ['smarthost-changed', 'leader-changed']) {
    test(`${event} from the cluster restarts the running service`, async () => {
      const res = await runEvent(event, { key: 'cluster/smarthost' }, 'cluster', h.o);
      assert.equal(res.exitCode, 0, res.stderr);
      assert.deepEqual(stubCalls(h.o), ['systemctl --user try-restart backup-monitor.service']);
    });

    test(`${event} from another agent is ignored`, async () => {
      const res = await runEvent(event, {}, 'module/mail1', h.o);
      assert.equal(res.exitCode, 0, res.stderr);
      assert.deepEqual(stubCalls(h.o), []);
    });
  }
});

// Issue #23: a plan change that makes two plans share a repository with different retentions is
// said at once in the module's log (the service mails nothing on a plan change).
describe('backup-schedule-changed tells plans sharing a repository', () => {
  test('a new plan saving webtop1 to the Weekly SMB destination with retention 30', async () => {
    await withClient(h.redis.adminUrl, async (c) => {
      const plan2 = await c.hGetAll('cluster/backup/2');
      await c.hSet('cluster/backup/3', { ...plan2, name: 'Hourly SMB', retention: '30', instances: 'webtop1' });
    });
    try {
      const res = await runEvent('backup-schedule-changed', { backup_id: 3 }, 'cluster', h.o);
      assert.equal(res.exitCode, 0, res.stderr);
      assert.match(
        res.stderr,
        /webtop1: plans Weekly SMB \(ID 2\) keeps 4, Hourly SMB \(ID 3\) keeps 30 .*only 4 snapshots/,
      );
      assert.match(res.stderr, /Give both plans the same retention, or back up the application with one plan/);
      const quiet = await runEvent('backup-schedule-changed', { backup_id: 3 }, 'module/mail1', h.o);
      assert.doesNotMatch(quiet.stderr, /snapshots are kept/, 'only the cluster announces plan changes');
    } finally {
      await withClient(h.redis.adminUrl, (c) => c.del('cluster/backup/3').then(() => undefined));
    }
    const after = await runEvent('backup-schedule-changed', { backup_id: 3 }, 'cluster', h.o);
    assert.doesNotMatch(after.stderr, /snapshots are kept/, 'the plan removed: nothing shared');
  });
});

/**
 * Runs leader-changed for `newLeader` while watching the commands Redis receives, and tells
 * whether the handler finished before it read `cluster/environment` NODE_ID once.
 */
async function leaderChangedReadingLeader(newLeader: number, env: Record<string, string> = {}) {
  const monitor = createClient({ url: h.redis.adminUrl });
  await monitor.connect();
  let sawRead!: () => void;
  const read = new Promise<'read'>((resolve) => {
    sawRead = () => resolve('read');
  });
  await monitor.MONITOR((line) => {
    if (/"hget" "cluster\/environment" "NODE_ID"/i.test(line)) sawRead();
  });
  const event = runEvent('leader-changed', { node_id: newLeader, endpoint: 'leader.example.org:55820' }, 'cluster', {
    ...h.o,
    env,
  });
  const first = await Promise.race([read, event.then(() => 'finished' as const)]);
  monitor.destroy();
  return { first, event };
}

const setLeader = (id: string) =>
  withClient(h.redis.adminUrl, async (c) => {
    await c.hSet('cluster/environment', 'NODE_ID', id);
  });

describe('leader-changed waits for the new leader', () => {
  test('restarts only once cluster/environment names the new leader', async () => {
    try {
      const { first, event } = await leaderChangedReadingLeader(2);
      assert.equal(first, 'read', 'the handler reads the leader before it restarts anything');
      assert.deepEqual(stubCalls(h.o), [], 'no restart while the old leader is still named');
      // What core's switch-leader does on every node for the same event.
      await setLeader('2');
      const res = await event;
      assert.equal(res.exitCode, 0, res.stderr);
      assert.deepEqual(stubCalls(h.o), ['systemctl --user try-restart backup-monitor.service']);
    } finally {
      await setLeader('1');
    }
  });

  test('restarts at once when the new leader is already named', async () => {
    const { event } = await leaderChangedReadingLeader(1);
    const res = await event;
    assert.equal(res.exitCode, 0, res.stderr);
    assert.deepEqual(stubCalls(h.o), ['systemctl --user try-restart backup-monitor.service']);
  });

  test('bounded: restarts anyway, with a warning, when the new leader never shows', async () => {
    const { event } = await leaderChangedReadingLeader(2, { LEADER_WAIT_SECONDS: '1' });
    const res = await event;
    assert.equal(res.exitCode, 0, res.stderr);
    assert.match(res.stderr, /node 2/);
    assert.deepEqual(stubCalls(h.o), ['systemctl --user try-restart backup-monitor.service']);
  });
});

describe('update-module.d', () => {
  test('20receiver_token gives an older instance a token, keeps an existing one, writes no setting', () => {
    const file = path.join(h.o.stateDir, 'environment');
    const token = path.join(h.o.stateDir, 'receiver.token');
    const kept = readFileSync(token, 'utf8');
    const before = readFileSync(file, 'utf8');
    const step = path.join(IMAGEROOT, 'update-module.d', '20receiver_token');
    let r = spawnSync(step, [], { cwd: h.o.stateDir, env: agentEnvironment(h.o), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(token, 'utf8'), kept);
    rmSync(token);
    r = spawnSync(step, [], { cwd: h.o.stateDir, env: agentEnvironment(h.o), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(readFileSync(token, 'utf8').trim().length >= 40);
    assert.equal(readFileSync(file, 'utf8'), before, 'defaults live in code: the environment is untouched');
  });
});

/** Runs bin/write-service-env as `runagent` would (agent env + state/environment). */
function writeServiceEnv(extra: Record<string, string> = {}): { file: string; env: Record<string, string> } {
  const file = path.join(h.root, 'run', 'backup-monitor.env');
  spawnSync('mkdir', ['-p', path.dirname(file)]);
  const r = spawnSync(path.join(IMAGEROOT, 'bin', 'write-service-env'), [file], {
    cwd: h.o.stateDir,
    env: { ...agentEnvironment(h.o), ...extra },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return { file, env: readEnvFile(file) };
}

describe('bin/write-service-env', () => {
  test('on the leader: loopback leader, module credentials and token in a 600 file', () => {
    const { file, env } = writeServiceEnv();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(env.REDIS_LEADER_URL, `redis://127.0.0.1:${h.redis.port}`);
    assert.equal(env.REDIS_REPLICA_URL, `redis://127.0.0.1:${h.redis.port}`);
    assert.equal(env.API_SERVER_URL, 'http://127.0.0.1:9311');
    assert.equal(env.REDIS_USER, `module/${MODULE_ID}`);
    assert.equal(env.REDIS_PASSWORD, MODULE_PASSWORD);
    assert.equal(env.RECEIVER_TOKEN, readFileSync(path.join(h.o.stateDir, 'receiver.token'), 'utf8').trim());
    assert.equal(env.ALERTMANAGER_POLL_SECONDS, undefined, 'metrics1 is local on the leader');
  });

  test('on a worker: the leader VPN address from Redis, no Alertmanager polling', () => {
    const { env } = writeServiceEnv({ NODE_ID: '2' });
    assert.equal(env.REDIS_LEADER_URL, `redis://10.5.4.1:${h.redis.port}`);
    assert.equal(env.API_SERVER_URL, 'http://10.5.4.1:9311');
    assert.equal(env.ALERTMANAGER_POLL_SECONDS, '0');
  });

  test('secrets reach neither state/environment nor Redis', async () => {
    writeServiceEnv();
    const token = readFileSync(path.join(h.o.stateDir, 'receiver.token'), 'utf8').trim();
    const c = createClient({ url: h.redis.adminUrl });
    await c.connect();
    const dump: string[] = [];
    for await (const keys of c.scanIterator({ MATCH: `module/${MODULE_ID}/*` })) {
      for (const k of keys)
        dump.push(JSON.stringify((await c.type(k)) === 'hash' ? await c.hGetAll(k) : await c.get(k)));
    }
    await c.quit();
    assert.ok(
      dump.some((d) => d.includes('TCP_PORT')),
      'the environment copy was read',
    );
    const state = readFileSync(path.join(h.o.stateDir, 'environment'), 'utf8');
    for (const secret of [MODULE_PASSWORD, token]) {
      assert.ok(!state.includes(secret), 'not in state/environment');
      assert.ok(!dump.join('\n').includes(secret), 'not in Redis');
    }
  });
});
