// SPDX-License-Identifier: GPL-3.0-or-later
// Registration with metrics1 (issue #16): the real action steps (bin/metrics-register) against a
// real Redis with NS8's ACLs. What metrics1 reads is checked as metrics1 reads it: the target
// YAML (file_sd list with targets + labels), the dashboard JSON, and the events on the module's
// own channel, received by a `default`-user subscriber as every agent subscribes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createClient } from 'redis';
import { load } from 'js-yaml';
import { MODULE_ID, MODULE_PASSWORD } from '../helpers/redis-server.js';
import { IMAGEROOT, installModule, runAction, updateModule, type AgentOptions } from '../sim/agent-runner.js';
import { freshModule, withClient, type Client } from './harness.js';

const OTHER = 'backup-monitor2';
const OTHER_PASSWORD = 'other-module-secret';
const FIELD = 'backup_monitor';
const TCP = 20011; // TCP_PORTS=20011,20012: the second is the metrics port

let sub: Client;
const events: { channel: string; message: string }[] = [];

const h = freshModule('bm-metrics-', {
  redis: { modules: { [MODULE_ID]: MODULE_PASSWORD, [OTHER]: OTHER_PASSWORD } },
  started: async (f) => {
    sub = createClient({ url: f.redis.url() });
    sub.on('error', () => undefined);
    await sub.connect();
    await sub.pSubscribe('module/*/event/*', (message, channel) => {
      events.push({ channel, message });
    });
  },
  stopping: async () => {
    await sub?.quit();
  },
  // A copy of imageroot/: some tests change the dashboard a "new release" brings.
  agent: (f) => {
    const installDir = path.join(f.root, 'imageroot');
    cpSync(IMAGEROOT, installDir, { recursive: true, verbatimSymlinks: true });
    return { installDir };
  },
  reset: (f) =>
    withClient(f.redis.adminUrl, (c) =>
      c.del([`module/${MODULE_ID}/metrics_targets`, `module/${MODULE_ID}/metrics_dashboards`]),
    ).then(() => undefined),
  install: { tcpPort: TCP },
});
const read = (id = MODULE_ID) =>
  withClient(h.redis.url(), async (c) => ({
    target: (await c.hGet(`module/${id}/metrics_targets`, FIELD)) ?? null,
    dashboard: (await c.hGet(`module/${id}/metrics_dashboards`, FIELD)) ?? null,
  }));

/** Events published so far, after a marker proves every earlier publish was delivered. */
async function drainEvents(): Promise<string[]> {
  const marker = `marker-${Math.random()}`;
  await withClient(h.redis.moduleUrl, (c) => c.publish(`module/${MODULE_ID}/event/test-marker`, marker));
  const until = Date.now() + 5000;
  while (!events.some((e) => e.message === marker)) {
    if (Date.now() > until) throw new Error('the marker event never arrived');
    await new Promise((r) => setTimeout(r, 20));
  }
  const got = events
    .splice(0)
    .filter((e) => !e.channel.endsWith('/test-marker'))
    .map((e) => e.channel);
  return got.sort();
}
/** A release update as core runs it (update-module.d under core's 50run_scriptdir). */
const runStep = (opts: AgentOptions, env: Record<string, string> = {}) =>
  updateModule({ ...opts, env, adminUrl: h.redis.adminUrl, imageUrl: 'ghcr.io/example/backup-monitor:1.3.0' });

describe('create-module', () => {
  test('registers the node VPN address + second port and the dashboard, announcing both on its own channel', async () => {
    const { target, dashboard } = await read();
    assert.deepEqual(load(target!), [{ targets: ['10.5.4.1:20012'], labels: { module_id: MODULE_ID, node: '1' } }]);
    const d = JSON.parse(dashboard!) as {
      uid: string;
      title: string;
      templating: { list: { name: string; query: unknown }[] };
    };
    assert.equal(d.uid, MODULE_ID, 'one dashboard uid per instance: Grafana keeps only the first of equal uids');
    assert.match(d.title, /backup-monitor1/);
    assert.equal(d.templating.list.find((v) => v.name === 'monitor')?.query, MODULE_ID);
    assert.deepEqual(await drainEvents(), [
      `module/${MODULE_ID}/event/metrics-dashboard-changed`,
      `module/${MODULE_ID}/event/metrics-target-changed`,
    ]);
  });
});

describe('refresh (update-module.d, configure-module)', () => {
  test('nothing changed: nothing written, nothing announced (metrics1 would restart Grafana)', async () => {
    await drainEvents();
    const before = await read();
    const res = await runStep(h.o);
    assert.equal(res.status, 'completed', res.error);
    assert.match(res.error, /announced: nothing/);
    assert.deepEqual(await read(), before);
    assert.deepEqual(await drainEvents(), []);
    const current = await runAction('get-configuration', {}, h.o);
    // smarthost, plans and secrets (set / not set, issue #22) are read-only context for the page,
    // not settings configure-module takes.
    const {
      smarthost: _smarthost,
      plans: _plans,
      secrets: _secrets,
      ...settings
    } = current.output as Record<string, unknown>;
    const configured = await runAction('configure-module', settings, h.o);
    assert.equal(configured.status, 'completed', configured.error);
    assert.deepEqual(await drainEvents(), [], 'configure-module with metrics on changes nothing');
  });

  test('a changed dashboard in a new release is republished, the unchanged target is not', async () => {
    await drainEvents();
    const file = path.join(h.o.installDir!, 'etc', 'grafana', 'dashboard.json');
    const d = JSON.parse(readFileSync(file, 'utf8')) as { title: string };
    writeFileSync(file, JSON.stringify({ ...d, title: 'Backups v2' }));
    assert.equal((await runStep(h.o)).status, 'completed');
    assert.match(JSON.parse((await read()).dashboard!).title, /^Backups v2/);
    assert.deepEqual(await drainEvents(), [`module/${MODULE_ID}/event/metrics-dashboard-changed`]);
  });

  test('metrics switched off: both removed and announced; on again: registered again', async () => {
    await drainEvents();
    assert.equal((await runStep(h.o, { METRICS_ENABLED: '0' })).status, 'completed');
    assert.deepEqual(await read(), { target: null, dashboard: null });
    assert.equal(
      await withClient(h.redis.url(), (c) => c.exists(`module/${MODULE_ID}/metrics_targets`)),
      0,
      'an empty HASH is gone',
    );
    assert.equal((await drainEvents()).length, 2);
    assert.equal((await runStep(h.o)).status, 'completed');
    assert.ok((await read()).target);
    assert.equal((await drainEvents()).length, 2);
  });

  test('an invalid dashboard file fails the step, changes nothing and announces nothing', async () => {
    await drainEvents();
    const before = await read();
    const file = path.join(h.o.installDir!, 'etc', 'grafana', 'dashboard.json');
    for (const broken of [
      '{"title": "Backups", "uid": "x", "panels": [',
      JSON.stringify({
        title: 'Backups',
        uid: 'x',
        panels: [{ title: 'p', targets: [{ expr: 'up', datasource: { uid: 'loki' } }] }],
      }),
    ]) {
      writeFileSync(file, broken);
      const res = await runStep(h.o);
      // Core's 50run_scriptdir logs a failing update-module.d script as a warning and completes.
      assert.equal(res.status, 'completed');
      assert.match(res.error, /85metrics_register has failed/);
      assert.match(res.error, /dashboard not published, nothing changed: .*(not valid JSON|does not query metrics1)/);
      assert.deepEqual(await read(), before);
      assert.deepEqual(await drainEvents(), []);
    }
  });

  test('no VPN address for the node: the stale registration is removed rather than pointing at a wrong address', async () => {
    await drainEvents();
    await withClient(h.redis.adminUrl, (c) => c.hDel('node/1/vpn', 'ip_address'));
    try {
      const res = await runStep(h.o);
      assert.equal(res.status, 'completed', res.error);
      assert.match(res.error, /not registered, no VPN address for node '1'/);
      assert.deepEqual(await read(), { target: null, dashboard: null });
    } finally {
      await withClient(h.redis.adminUrl, (c) => c.hSet('node/1/vpn', 'ip_address', '10.5.4.1'));
    }
  });
});

describe('move, restore, destroy', () => {
  test("the instance on another node registers that node's address; destroying the old one removes only its keys", async () => {
    const other: AgentOptions = {
      stateDir: path.join(h.root, 'state2'),
      redis: h.redis,
      installDir: h.o.installDir,
      moduleId: OTHER,
      redisPassword: OTHER_PASSWORD,
    };
    assert.equal((await installModule({ ...other, tcpPort: 20031, nodeId: 2 })).status, 'completed');
    const cloned = await runAction('clone-module', {}, other);
    assert.equal(cloned.status, 'completed', cloned.error);
    assert.deepEqual(load((await read(OTHER)).target!), [
      { targets: ['10.5.4.2:20032'], labels: { module_id: OTHER, node: '2' } },
    ]);
    await drainEvents();

    const destroyed = await runAction('destroy-module', { module_id: MODULE_ID, preserve_data: false }, h.o);
    assert.equal(destroyed.status, 'completed', destroyed.error);
    assert.deepEqual(await read(), { target: null, dashboard: null });
    assert.ok((await read(OTHER)).target, 'the other instance keeps its registration');
    assert.deepEqual(await drainEvents(), [
      `module/${MODULE_ID}/event/metrics-dashboard-changed`,
      `module/${MODULE_ID}/event/metrics-target-changed`,
    ]);
  });

  test('restore-module registers the restored instance', async () => {
    await runStep(h.o, { METRICS_ENABLED: '0' });
    assert.equal((await read()).target, null);
    // Only this step: the restore's own steps are test/imageroot/lifecycle.test.ts's business.
    const dir = path.join(h.o.installDir!, 'actions', 'restore-module');
    for (const f of readdirSync(dir)) if (f !== '85metrics_register') rmSync(path.join(dir, f));
    const res = await runAction('restore-module', { environment: {} }, h.o);
    assert.equal(res.status, 'completed', res.error);
    assert.ok((await read()).target);
  });

  test('NS8 ACLs: the module may write and announce only its own registration', async () => {
    await withClient(h.redis.moduleUrl, async (c) => {
      await assert.rejects(c.hSet(`module/${OTHER}/metrics_targets`, FIELD, '- targets: []'), /NOPERM/);
      await assert.rejects(c.publish(`module/${OTHER}/event/metrics-target-changed`, '{}'), /NOPERM/);
      await assert.rejects(c.publish('module/metrics1/event/metrics-target-changed', '{}'), /NOPERM/);
      assert.equal(typeof (await c.publish(`module/${MODULE_ID}/event/metrics-target-changed`, '{}')), 'number');
    });
    await withClient(h.redis.url(), async (c) => {
      await assert.rejects(
        c.hSet(`module/${MODULE_ID}/metrics_targets`, FIELD, 'x'),
        /NOPERM/,
        'the default user only reads',
      );
    });
    await drainEvents();
  });
});
