// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #16 end to end: the module registers itself (real create-module step), metrics1's target
// provisioning is replayed from Redis (test/sim/provision-targets.py), Debian's Prometheus scrapes
// the real service through that file, and what Prometheus stores is compared with the fixture
// cluster after a partial run. Then every query of the published dashboard and the documented
// alert run against that Prometheus. "VPN address" = 127.0.0.2 (loopback, not the webhook's 127.0.0.1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { freePort, waitForPort } from '../helpers/ports.js';
import { startPrometheus, eventually, type Prometheus } from '../helpers/prometheus.js';
import { startTestService, type ServiceProcess } from '../helpers/service.js';
import { adminClient, PLANS, replayRun, seedCluster, type SimPlan } from '../sim/cluster.js';
import { agentEnvironment, installModule, readEnvFile, type AgentOptions } from '../sim/agent-runner.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../..');
const VPN = '127.0.0.2';
const PLAN3: SimPlan = {
  id: 3,
  name: 'Daily "archive" \\ test',
  repository: PLANS[0]!.repository,
  schedule: '*-*-* 00:00:00',
  retention: 1,
  instances: ['mail1'],
  enabled: true,
};
const PLANS3 = [...PLANS, PLAN3];

let redis: RedisServer;
let smtp: SmtpSink;
let root: string;
let o: AgentOptions;
let prom: Prometheus;
let promDir: string;
let service: ServiceProcess | null = null;
let env: Record<string, string>;
let metricsPort: number;

type Vector = { metric: Record<string, string>; value: [number, string] }[];
async function query(expr: string): Promise<Vector> {
  const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await r.json()) as { status: string; error?: string; data: { result: Vector } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}
const byLabels = (v: Vector, ...names: string[]) =>
  Object.fromEntries(v.map((s) => [names.map((n) => s.metric[n]).join('/'), Number(s.value[1])]));

/** metrics1's provisioning, from what the module published in Redis. */
function provision(): void {
  execFileSync('/usr/bin/python3', [
    path.join(REPO, 'test/sim/provision-targets.py'),
    `127.0.0.1:${redis.port}`,
    path.join(promDir, 'prometheus.d'),
  ]);
}

/** The service as the unit starts it: the image's command, settings from bin/write-service-env. */
async function startModuleService(): Promise<ServiceProcess> {
  const file = path.join(root, 'service.env');
  execFileSync(path.join(REPO, 'imageroot/bin/write-service-env'), [file], {
    env: agentEnvironment(o),
    cwd: o.stateDir,
  });
  const derived = readEnvFile(file);
  env = { METRICS_HOST: derived.METRICS_HOST!, METRICS_PORT: derived.METRICS_PORT!, MISSED_RUN_GRACE_SECONDS: '60' };
  const s = await startTestService(redis, env);
  await waitForPort(metricsPort, 20_000, VPN);
  return s.service;
}

const refused = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

before(async () => {
  redis = await startRedis();
  smtp = await startSmtpSink();
  await seedCluster(redis, { smtpPort: smtp.port, plans: PLANS3 });
  const admin = await adminClient(redis);
  await admin.hSet('node/1/vpn', 'ip_address', VPN);
  // Plan 3 has been watched for a day and never ran: the watchdog reports its last expected run MISSING.
  const day = Math.floor(Date.now() / 1000) - 86400;
  await admin.hSet(
    `module/${MODULE_ID}/watchdog`,
    '3',
    JSON.stringify({ schedule: PLAN3.schedule, enabled: true, firstSeen: day, reported: null }),
  );
  await admin.quit();

  root = mkdtempSync(path.join(tmpdir(), 'bm-prom-'));
  o = { stateDir: path.join(root, 'state'), redis };
  metricsPort = await freePort();
  const created = await installModule({ ...o, tcpPort: metricsPort - 1 });
  assert.equal(created.status, 'completed', created.error);

  prom = await startPrometheus(root, [], await freePort());
  promDir = path.join(root, 'prometheus');
  provision();
  service = await startModuleService();

  await replayRun(redis, 1, {}, { plans: PLANS3 });
  await replayRun(redis, 2, { nextcloud1: { errors: 1 } }, { plans: PLANS3 });
  await smtp.waitFor(3, 30_000); // plan 1 success, plan 2 partial, plan 3 missing
});

after(async () => {
  await service?.stop();
  await new Promise<void>((resolve) => {
    prom.proc.child.once('exit', () => resolve());
    prom.proc.child.kill('SIGTERM');
  });
  await smtp.stop();
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the target metrics1 provisions from the published value', () => {
  test('is the node VPN address and the second port, with the module and target labels', () => {
    const files = readdirSync(path.join(promDir, 'prometheus.d')).filter((f) => f.startsWith('provision_'));
    assert.deepEqual(files, [`provision_${MODULE_ID}_backup_monitor.yml`]);
    const sd = load(readFileSync(path.join(promDir, 'prometheus.d', files[0]!), 'utf8'));
    assert.deepEqual(sd, [
      {
        targets: [`${VPN}:${metricsPort}`],
        labels: { module_id: MODULE_ID, node: '1', target_type: 'backup_monitor' },
      },
    ]);
  });

  test('the listener answers only /metrics on the VPN address; the webhook stays on 127.0.0.1', async () => {
    const base = `http://${VPN}:${metricsPort}`;
    const ok = await fetch(`${base}/metrics?x=1`);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    for (const p of [
      '/',
      '/alert',
      '/healthz',
      '/test-notification',
      '/alertmanager-config',
      '/metrics/',
      '/METRICS',
      '/metrics%00',
      '//metrics',
    ]) {
      assert.equal((await fetch(`${base}${p}`)).status, 404, p);
    }
    for (const method of ['POST', 'PUT', 'DELETE'])
      assert.equal(
        (await fetch(`${base}/metrics`, { method, body: method === 'DELETE' ? undefined : '{}' })).status,
        405,
      );
    assert.equal((await fetch(`${base}/metrics`, { method: 'HEAD' })).status, 200);
    assert.ok(await refused('127.0.0.1', metricsPort), '/metrics is not on loopback 127.0.0.1');
    assert.ok(await refused(VPN, service!.port), 'the webhook is not on the VPN address');
    assert.equal(
      (await fetch(`http://127.0.0.1:${service!.port}/healthz`)).status,
      200,
      'the webhook still answers on 127.0.0.1',
    );
  });
});

describe('Prometheus, after a full run of plan 1, a partial run of plan 2 and a missed run of plan 3', () => {
  test('per-application series match the fixture cluster', async () => {
    const sizes = await eventually(
      'application series',
      () => query(`backup_monitor_application_last_size_bytes{module_id="${MODULE_ID}"}`),
      (v) => v.length === 8,
    );
    const expected: Record<string, number> = {};
    for (const p of [PLANS3[0]!, PLANS3[1]!])
      for (const m of p.instances) expected[`${p.id}/${p.name}/${m}`] = 1_000_000 + m.length * 7919;
    assert.deepEqual(byLabels(sizes, 'plan_id', 'plan', 'module'), expected);
    const s = sizes[0]!.metric;
    assert.equal(s.job, 'providers');
    assert.equal(s.target_type, 'backup_monitor');
    assert.equal(s.instance, `${VPN}:${metricsPort}`);
    assert.equal(s.node, '1');

    const success = byLabels(await query('backup_monitor_application_last_success'), 'plan_id', 'module');
    assert.deepEqual(success, {
      '1/mail1': 1,
      '1/nextcloud1': 1,
      '1/samba1': 1,
      '1/webtop1': 1,
      '2/nextcloud1': 0,
      '2/samba1': 1,
      '2/traefik2': 1,
      '2/webtop1': 1,
    });
    const files = byLabels(await query('backup_monitor_application_last_files{plan_id="2"}'), 'module');
    assert.deepEqual(files, Object.fromEntries(PLANS3[1]!.instances.map((m) => [m, 1000 + m.length])));
  });

  test('plan series: outcomes, last success, failing since, missed runs', async () => {
    const outcome = await eventually(
      'outcomes',
      () => query('backup_monitor_plan_last_outcome == 1'),
      (v) => v.length === 3,
    );
    assert.deepEqual(byLabels(outcome, 'plan_id', 'outcome'), { '1/SUCCESS': 1, '2/PARTIAL': 1, '3/MISSING': 1 });
    assert.deepEqual(
      Object.keys(byLabels(await query('backup_monitor_plan_last_success_timestamp_seconds'), 'plan_id')),
      ['1'],
    );
    const failing = byLabels(await query('backup_monitor_plan_failing_since_timestamp_seconds'), 'plan_id');
    assert.equal(failing['1'], 0);
    assert.ok(failing['2']! > Date.now() / 1000 - 600, 'plan 2 fails since this run');
    assert.deepEqual(byLabels(await query('backup_monitor_plan_missed_run'), 'plan_id'), { 1: 0, 2: 0, 3: 1 });
    assert.deepEqual(
      Object.keys(byLabels(await query('backup_monitor_plan_last_missed_run_timestamp_seconds'), 'plan_id')),
      ['3'],
    );
    assert.deepEqual(byLabels(await query('backup_monitor_plan_last_run_applications{plan_id="2"}'), 'result'), {
      success: 3,
      failed: 1,
      not_run: 0,
    });
    const names = byLabels(await query('backup_monitor_plan_enabled'), 'plan');
    assert.ok(PLAN3.name in names, 'quotes and backslashes in a plan name survive the exposition format');
  });

  test('deliveries, outbox and links', async () => {
    await eventually(
      'sent counter',
      () => query('backup_monitor_reports_sent_total'),
      (v) => Number(v[0]?.value[1]) === smtp.messages.length,
    );
    assert.equal(Number((await query('backup_monitor_reports_queued_total'))[0]!.value[1]), smtp.messages.length);
    assert.equal(Number((await query('backup_monitor_report_send_failures_total'))[0]!.value[1]), 0);
    assert.equal(Number((await query('backup_monitor_outbox_depth'))[0]!.value[1]), 0);
    assert.deepEqual(byLabels(await query('backup_monitor_link_up'), 'link'), { redis: 1, smtp: 1 });
  });
});

/** Every `expr` of the dashboard's panels (rows included), with Grafana's variables substituted. */
function dashboardQueries(d: { panels: unknown[] }): { title: string; expr: string }[] {
  const out: { title: string; expr: string }[] = [];
  const walk = (panels: unknown[]) => {
    for (const p of panels as { title: string; panels?: unknown[]; targets?: { expr: string }[] }[]) {
      walk(p.panels ?? []);
      for (const t of p.targets ?? []) out.push({ title: p.title, expr: t.expr });
    }
  };
  walk(d.panels);
  return out;
}
const substitute = (expr: string) =>
  expr
    .replaceAll('$monitor', MODULE_ID)
    .replaceAll('$plan', '.*')
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '1h')
    .replaceAll('$__interval', '15s');

describe('the published dashboard', () => {
  test('parses, and every query returns data from this Prometheus', async () => {
    const admin = await adminClient(redis);
    const raw = await admin.hGet(`module/${MODULE_ID}/metrics_dashboards`, 'backup_monitor');
    await admin.quit();
    const d = JSON.parse(raw!) as {
      uid: string;
      panels: unknown[];
      templating: { list: { name: string; definition?: string }[] };
    };
    const queries = dashboardQueries(d);
    assert.ok(queries.length >= 15, `${queries.length} queries`);
    // Counters need two samples inside the rate window: wait until the last query has data.
    await eventually(
      'rate data',
      () => query(substitute(queries.at(-2)!.expr)),
      (v) => v.length > 0,
    );
    for (const q of queries) {
      const v = await query(substitute(q.expr));
      assert.ok(v.length > 0, `"${q.title}": ${q.expr} returned nothing`);
    }
    const plans = d.templating.list.find((v) => v.name === 'plan')!.definition!;
    const selector = /^label_values\((.*), plan\)$/.exec(plans)![1]!;
    const values = new Set((await query(substitute(selector))).map((s) => s.metric.plan));
    assert.deepEqual([...values].sort(), PLANS3.map((p) => p.name).sort());
  });

  test('uses only metric names the service exports', async () => {
    const exposition = await (await fetch(`http://${VPN}:${metricsPort}/metrics`)).text();
    const exported = new Set([...exposition.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    const raw = readFileSync(path.join(REPO, 'imageroot/etc/grafana/dashboard.json'), 'utf8');
    const used = new Set([...raw.matchAll(/\b(backup_monitor_[a-z_]+)/g)].map((m) => m[1]));
    for (const name of used) assert.ok(exported.has(name), `${name} is not exported`);
  });
});

describe('the alert documented in docs/METRICS.md', () => {
  test('fires for the plan with no success for N hours, and only for it', async () => {
    const doc = readFileSync(path.join(REPO, 'docs/METRICS.md'), 'utf8');
    const block = /```yaml\n(alert: BackupNotSuccessful[\s\S]*?)```/.exec(doc);
    assert.ok(block, 'the alert rule is in docs/METRICS.md');
    const rule = load(block[1]!) as { expr: string; labels: Record<string, string> };
    assert.match(rule.expr, /24 \* 3600/);
    const fired = async (threshold: string) =>
      (await query(rule.expr.replaceAll('24 * 3600', threshold))).map((s) => s.metric.plan_id).sort();
    // Plan 3: watched for a day, never a success. Plan 2: failed now, watched since now. Plan 1: succeeded now.
    assert.deepEqual(await fired('3600'), ['3']);
    assert.deepEqual(
      await fired('0'),
      ['1', '2', '3'],
      'plan 1 by its last success, plan 2 by the time it has been watched',
    );
  });
});

describe('a restart of the service or of metrics1 (leader change: a new metrics instance provisions from Redis)', () => {
  test('leaves the same target, scraped again', async () => {
    const file = path.join(promDir, 'prometheus.d', `provision_${MODULE_ID}_backup_monitor.yml`);
    const before = readFileSync(file, 'utf8');
    await service!.stop();
    service = null;
    await eventually(
      'target down',
      () => query('up{target_type="backup_monitor"}'),
      (v) => v[0]?.value[1] === '0',
    );
    rmSync(file);
    provision();
    assert.equal(readFileSync(file, 'utf8'), before);
    service = await startModuleService();
    await eventually(
      'target up again',
      () => query('up{target_type="backup_monitor"}'),
      (v) => v[0]?.value[1] === '1',
    );
  });
});
