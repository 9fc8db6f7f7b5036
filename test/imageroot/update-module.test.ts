// SPDX-License-Identifier: GPL-3.0-or-later
// Updating an instance installed before the /metrics listener (issue #16): core's update records
// the new tcp-ports-demand=2 but allocates nothing, so update-module.d/30metrics_port asks the
// node for the second port. Core's real sequence (test/sim/agent-runner.ts updateModule): the
// cluster's 50update (demand, authorizations from build-images.sh's labels), then the module's
// update-module with core's base steps 05pullimages + 50run_scriptdir, which runs update-module.d
// with ONE environment read at its start. The port comes from the simulated node agent's
// allocate-ports (test/sim/node-agent.ts) through the simulated API server, with NS8's roles and
// a real Redis with NS8's ACLs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { MODULE_ID, nodePassword } from '../helpers/redis-server.js';
import { grantModuleAuthorizations, startApiServer, type ApiServer } from '../sim/api-server.js';
import { startNodeAgent, type NodeAgent, type PortRange } from '../sim/node-agent.js';
import {
  agentEnvironment,
  IMAGEROOT,
  installModule,
  readEnvFile,
  shippedLabels,
  stubCalls,
  SYSTEM_PATH,
  updateModule,
} from '../sim/agent-runner.js';
import { freshModule, withClient, type Client } from './harness.js';

const WEBHOOK = 20011;
const NEW_IMAGE = 'ghcr.io/example/backup-monitor:1.3.0';
const FIELD = 'backup_monitor';

let api: ApiServer;
let node: NodeAgent | undefined;
const stopNode = async () => {
  await node?.stop();
  node = undefined;
};

const h = freshModule('bm-update-', {
  started: async (f) => {
    api = await startApiServer({ redisUrl: f.redis.adminUrl, redisPort: f.redis.port });
  },
  stopping: async () => {
    await stopNode();
    await api?.stop();
  },
  agent: () => ({ env: { SIM_API_ENDPOINT: api.url } }),
  reset: async (f) => {
    await stopNode();
    await withClient(f.redis.adminUrl, (c) =>
      c.del([
        `roles/module/${MODULE_ID}`,
        `module/${MODULE_ID}/metrics_targets`,
        `module/${MODULE_ID}/metrics_dashboards`,
      ]),
    );
  },
  install: false,
});
const admin = <T>(fn: (c: Client) => Promise<T>) => withClient(h.redis.adminUrl, fn);
const env = () => readEnvFile(path.join(h.o.stateDir, 'environment'));
const target = () => admin((c) => c.hGet(`module/${MODULE_ID}/metrics_targets`, FIELD));
const ports = (r: PortRange[]) => r.filter((x) => x.module === MODULE_ID).map((x) => [x.start, x.end]);
/** Only the module's port variables and its registration: what the update may change for #16. */
const portState = async () => {
  const e = env();
  return { TCP_PORT: e.TCP_PORT, TCP_PORTS: e.TCP_PORTS, TCP_PORTS_RANGE: e.TCP_PORTS_RANGE, target: await target() };
};
const update = (labels?: Record<string, string>) =>
  updateModule({ ...h.o, adminUrl: h.redis.adminUrl, imageUrl: NEW_IMAGE, labels });

/**
 * An instance as the release before the listener installed it: one TCP port in its environment
 * and in the node's table, between other modules' ports; demand 1 and `cluster:reader` only.
 */
async function installOld(neighbours: PortRange[]) {
  node = await startNodeAgent({ redisUrl: h.redis.url('node/1', nodePassword(1)), nodeId: 1 });
  node!.seed([{ start: WEBHOOK, end: WEBHOOK, module: MODULE_ID, protocol: 'tcp' }, ...neighbours]);
  await admin((c) => c.hSet('cluster/tcp_ports_demand', MODULE_ID, '1'));
  await grantModuleAuthorizations(h.redis.adminUrl, MODULE_ID, 1, ['cluster:reader']);
  const created = await installModule({
    ...h.o,
    tcpPort: WEBHOOK,
    tcpPorts: 1,
    image: 'ghcr.io/example/backup-monitor:1.2.0',
  });
  assert.equal(created.status, 'completed', created.error);
  assert.equal(await target(), null, 'one port: nothing to register yet');
}
const others = (...r: [number, number, string][]): PortRange[] =>
  r.map(([start, end, module]) => ({ start, end, module, protocol: 'tcp' }));

describe('update of a one-port install', () => {
  test('gets its second port from the node, keeps the webhook port, registers the new port, restarts in between', async () => {
    await installOld(others([20000, 20010, 'traefik1'], [20012, 20015, 'mail1']));
    const res = await update();
    assert.equal(res.status, 'completed', res.error);
    assert.doesNotMatch(res.error, /has failed/, res.error);

    const e = env();
    assert.equal(e.TCP_PORT, String(WEBHOOK), 'the webhook keeps its port (Alertmanager routes point at it)');
    assert.equal(e.TCP_PORTS, `${WEBHOOK},20016`, 'the first free port after the neighbours');
    assert.equal(e.TCP_PORTS_RANGE, undefined, 'no range: the two ports are not consecutive');
    assert.equal(e.IMAGE_URL, NEW_IMAGE);
    assert.deepEqual(ports(node!.ranges('tcp')), [
      [WEBHOOK, WEBHOOK],
      [20016, 20016],
    ]);
    const [call] = node!.calls();
    assert.deepEqual(call, {
      data: { ports: 1, module_id: MODULE_ID, protocol: 'tcp', keep_existing: true },
      user: `module/${MODULE_ID}`,
      exitCode: 0,
    });
    assert.deepEqual(api.stats().lastExtra, { isNotificationHidden: true }, 'no toast in cluster-admin');
    assert.deepEqual(load((await target())!), [
      { targets: ['10.5.4.1:20016'], labels: { module_id: MODULE_ID, node: '1' } },
    ]);
    // The port is in the environment before the service restarts (its unit reads the file).
    assert.ok(res.error.indexOf('metrics port allocated') < res.error.indexOf('80restart_service'), res.error);
    assert.ok(stubCalls(h.o).includes('systemctl --user try-restart backup-monitor.service'));
    // The agent copied the new environment to Redis, and the service's env helper sees the port.
    assert.equal(await admin((c) => c.hGet(`module/${MODULE_ID}/environment`, 'TCP_PORTS')), `${WEBHOOK},20016`);
    assert.equal(serviceEnv().METRICS_PORT, '20016');

    // A second update finds two ports: no new allocation.
    const again = await update();
    assert.equal(again.status, 'completed', again.error);
    assert.equal(node!.calls().length, 1);
    assert.equal(env().TCP_PORTS, `${WEBHOOK},20016`);
  });

  test('a free next port: TCP_PORTS_RANGE as add-module writes it', async () => {
    await installOld(others([20000, 20010, 'traefik1']));
    const res = await update();
    assert.equal(res.status, 'completed', res.error);
    assert.deepEqual(await portState(), {
      TCP_PORT: '20011',
      TCP_PORTS: '20011,20012',
      TCP_PORTS_RANGE: '20011-20012',
      target: (await target())!,
    });
    assert.match((await target())!, /10\.5\.4\.1:20012/);
  });

  for (const [why, labels, seed, message] of [
    [
      'the image lacks node:portsadm (the API server answers 403)',
      { ...shippedLabels(), 'org.nethserver.authorizations': 'cluster:reader' },
      [] as PortRange[],
      /metrics port not allocated, nothing changed .*403/,
    ],
    [
      'the node has no free port left',
      undefined,
      others([20000, 20010, 'traefik1'], [20012, 45000, 'nethvoice1']),
      /metrics port not allocated, nothing changed .*Ports range max exceeded/,
    ],
    [
      'the demand recorded for the module is still 1',
      { ...shippedLabels(), 'org.nethserver.tcp-ports-demand': '1' },
      [] as PortRange[],
      /metrics port not allocated, nothing changed .*Max allowed is 1/,
    ],
  ] as const) {
    test(`allocation refused because ${why}: a clear error, nothing else changed, the update completes`, async () => {
      await installOld([...seed]);
      const before = await portState();
      const table = node!.ranges();
      const res = await update(labels);
      assert.equal(res.status, 'completed', 'core logs a failing update-module.d script and goes on');
      assert.match(res.error, message);
      assert.match(res.error, /30metrics_port has failed/);
      assert.deepEqual(await portState(), before);
      assert.deepEqual(node!.ranges(), table);
      assert.match(res.error, /not registered, no VPN address for node '1' or no second TCP port/);
      assert.ok(stubCalls(h.o).includes('systemctl --user try-restart backup-monitor.service'), 'the rest still runs');
    });
  }
});

describe('update of a two-port install', () => {
  test('keeps both ports: no allocation asked, environment and registration unchanged', async () => {
    node = await startNodeAgent({ redisUrl: h.redis.url('node/1', nodePassword(1)), nodeId: 1 });
    const created = await installModule({ ...h.o, tcpPort: WEBHOOK });
    assert.equal(created.status, 'completed', created.error);
    const before = await portState();
    assert.match(before.target!, /10\.5\.4\.1:20012/);
    const res = await update();
    assert.equal(res.status, 'completed', res.error);
    assert.deepEqual(node!.calls(), []);
    assert.deepEqual(await portState(), before);
    assert.match(res.error, /already has it, nothing to do/);
  });

  // Hostile or damaged environments: what the node is asked, and what is written, stays bounded.
  for (const [what, vars, message, asked] of [
    ['a second port that is not a number', { TCP_PORTS: '20011,abc' }, /Max allowed is 2/, 1],
    ['a webhook port that is not a port', { TCP_PORT: '99999', TCP_PORTS: '99999' }, /TCP_PORT is not a port/, 0],
  ] as const) {
    test(`${what}: the update asks no more than the demand and changes nothing`, async () => {
      node = await startNodeAgent({ redisUrl: h.redis.url('node/1', nodePassword(1)), nodeId: 1 });
      node.seed([{ start: WEBHOOK, end: WEBHOOK + 1, module: MODULE_ID, protocol: 'tcp' }]);
      assert.equal((await installModule({ ...h.o, tcpPort: WEBHOOK })).status, 'completed');
      const file = path.join(h.o.stateDir, 'environment');
      const damaged = { ...readEnvFile(file), ...vars } as Record<string, string>;
      delete damaged.TCP_PORTS_RANGE;
      writeFileSync(
        file,
        Object.entries(damaged)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      );
      const before = await portState();
      const res = await update();
      assert.equal(res.status, 'completed');
      assert.match(res.error, message);
      assert.match(res.error, /30metrics_port has failed/);
      assert.equal(node.calls().length, asked);
      assert.deepEqual(await portState(), { ...before, target: null });
      assert.deepEqual(ports(node.ranges()), [[WEBHOOK, WEBHOOK + 1]], 'the node gave nothing more');
    });
  }
});

describe('the answer of allocate-ports is checked before it is written', () => {
  test('second_port_patch refuses anything but one new valid port', () => {
    const check = (envIn: Record<string, string>, allocated: unknown) =>
      execFileSync(
        'python3',
        [
          '-c',
          'import json, sys\nfrom backup_monitor.metrics import second_port_patch\n' +
            "try:\n    print(json.dumps(second_port_patch(*json.loads(sys.argv[1])), separators=(',', ':')))\n" +
            'except ValueError as ex:\n    print(json.dumps(str(ex)))',
          JSON.stringify([envIn, allocated]),
        ],
        { env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') }, encoding: 'utf8' },
      ).trim();
    assert.equal(
      check({ TCP_PORT: '20011' }, [20012, 20012]),
      JSON.stringify([{ TCP_PORTS: '20011,20012', TCP_PORTS_RANGE: '20011-20012' }, []]),
    );
    assert.equal(
      check({ TCP_PORT: '20011' }, [20099, 20099]),
      JSON.stringify([{ TCP_PORTS: '20011,20099' }, ['TCP_PORTS_RANGE']]),
    );
    for (const bad of [
      [20011, 20011],
      [20012, 20013],
      ['20012', '20012'],
      [0, 0],
      [70000, 70000],
      null,
      {},
      [true, true],
    ])
      assert.match(check({ TCP_PORT: '20011' }, bad), /not one new port/, JSON.stringify(bad));
    assert.match(check({ TCP_PORT: '' }, [20012, 20012]), /TCP_PORT is not a port/);
  });
});

/** bin/write-service-env as the unit's ExecStartPre runs it (runagent: the environment file loaded). */
function serviceEnv(): Record<string, string> {
  const out = path.join(h.root, 'service.env');
  execFileSync(path.join(IMAGEROOT, 'bin', 'write-service-env'), [out], {
    env: agentEnvironment(h.o),
    cwd: h.o.stateDir,
  });
  return readEnvFile(out);
}
