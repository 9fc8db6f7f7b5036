// SPDX-License-Identifier: GPL-3.0-or-later
// metrics1 in miniature with Debian's real binaries (NS8.md §7): one prometheus-node-exporter
// per NS8 node (textfile collector only), Prometheus scraping them as job `providers` with the
// labels metrics1 gives node targets, metrics1's BackupFailed rule, and Alertmanager grouping by
// alertname+node. Intervals are seconds instead of minutes so tests stay short.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { freePort, waitForPort } from './ports.js';

const BIN = {
  prometheus: '/usr/bin/prometheus',
  nodeExporter: '/usr/bin/prometheus-node-exporter',
  alertmanager: '/usr/bin/prometheus-alertmanager',
};

/** metrics1's rule, as `imageroot/actions/create-module/30alerts` writes `rules.d/backup.yml`. */
export const BACKUP_RULE_YAML = `groups:
- name: Backup
  rules:
  - alert: BackupFailed
    expr: node_backup_status == 0
    for: 0m
    labels:
      severity: critical
      service: backup
    annotations:
      summary_en: "Backup job {{ $labels.name }} (ID: {{ $labels.id }}) has failed."
      summary_it: "Backup {{ $labels.name }} (ID: {{ $labels.id }}) fallito."
      description_en: "Backup job {{ $labels.name }} (ID: {{ $labels.id }}) has failed and requires attention."
      description_it: "Il backup {{ $labels.name }} (ID: {{ $labels.id }}) è fallito e richiede attenzione."
`;

interface Proc {
  name: string;
  child: ChildProcess;
  stderr: string[];
}

function launch(name: string, bin: string, args: string[], cwd: string): Proc {
  if (!existsSync(bin)) throw new Error(`${bin} is not installed: apt-get install ${path.basename(bin)}`);
  const child = spawn(bin, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (b: Buffer) => {
    stderr.push(b.toString());
    if (stderr.length > 50) stderr.shift();
  });
  return { name, child, stderr };
}

async function halt(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill('SIGTERM');
  });
}

async function ready(p: Proc, port: number, pathName = '/-/ready', timeoutMs = 20_000): Promise<void> {
  await waitForPort(port, timeoutMs).catch((e: Error) => {
    throw new Error(`${p.name}: ${e.message}\n${p.stderr.join('')}`);
  });
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}${pathName}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > until || p.child.exitCode !== null)
      throw new Error(`${p.name} not ready on ${port}\n${p.stderr.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Writes `backup<id>.prom` as node run-backup does (NS8.md §2.5): HELP + TYPE + one sample,
 * label values escaped, tmp file then rename so the collector never reads half a file.
 */
export function writeBackupProm(dir: string, planId: number, planName: string, value: 0 | 1): void {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  const body =
    '# HELP node_backup_status Status of the last backup run (0 failure, 1 success)\n' +
    '# TYPE node_backup_status gauge\n' +
    `node_backup_status{id="${esc(String(planId))}",name="${esc(planName)}"} ${value}\n`;
  const file = path.join(dir, `backup${planId}.prom`);
  writeFileSync(`${file}.tmp`, body);
  renameSync(`${file}.tmp`, file);
}

/** Removes the file, as the schedule-changed handler does for removed/disabled plans. */
export function removeBackupProm(dir: string, planId: number): void {
  rmSync(path.join(dir, `backup${planId}.prom`), { force: true });
}

export interface NodeExporter {
  node: number;
  port: number;
  textDir: string;
  proc: Proc;
}

export async function startNodeExporter(root: string, node: number): Promise<NodeExporter> {
  const textDir = path.join(root, `node${node}`, 'node_exporter');
  mkdirSync(textDir, { recursive: true });
  const port = await freePort();
  const proc = launch(
    `node_exporter(node ${node})`,
    BIN.nodeExporter,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.disable-defaults',
      '--collector.textfile',
      `--collector.textfile.directory=${textDir}`,
      '--log.level=warn',
    ],
    root,
  );
  await ready(proc, port, '/metrics');
  return { node, port, textDir, proc };
}

export interface AlertmanagerOptions {
  /** Webhook URL of the receiver; omitted = a receiver without integrations (poller-only tests). */
  webhookUrl?: string;
  repeatInterval?: string;
}

/** metrics1's route shape (NS8.md §7.4) with second-scale timers. */
export function alertmanagerYaml(o: AlertmanagerOptions): string {
  const receiver: Record<string, unknown> = { name: 'default-receiver' };
  if (o.webhookUrl) receiver.webhook_configs = [{ url: o.webhookUrl, send_resolved: true }];
  return dump({
    route: {
      receiver: 'default-receiver',
      group_by: ['alertname', 'node'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: o.repeatInterval ?? '1h',
    },
    receivers: [receiver],
  });
}

export interface Alertmanager {
  port: number;
  url: string;
  proc: Proc;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startAlertmanager(root: string, o: AlertmanagerOptions = {}): Promise<Alertmanager> {
  const dir = path.join(root, 'alertmanager');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'alertmanager.yml'), alertmanagerYaml(o));
  const port = await freePort();
  const am: Alertmanager = {
    port,
    url: `http://127.0.0.1:${port}`,
    proc: undefined as unknown as Proc,
    async start() {
      am.proc = launch(
        'alertmanager',
        BIN.alertmanager,
        [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
          '--log.level=warn',
        ],
        dir,
      );
      await ready(am.proc, port);
    },
    async stop() {
      await halt(am.proc);
    },
  };
  await am.start();
  return am;
}

export interface Prometheus {
  port: number;
  url: string;
  proc: Proc;
}

export async function startPrometheus(
  root: string,
  targets: NodeExporter[],
  alertmanagerPort: number,
): Promise<Prometheus> {
  const dir = path.join(root, 'prometheus');
  mkdirSync(path.join(dir, 'rules.d'), { recursive: true });
  mkdirSync(path.join(dir, 'prometheus.d'), { recursive: true });
  writeFileSync(path.join(dir, 'rules.d', 'backup.yml'), BACKUP_RULE_YAML);
  // One file_sd file per node, as provision-prometheus writes prometheus.d/node_<n>.yml.
  for (const t of targets) {
    writeFileSync(
      path.join(dir, 'prometheus.d', `node_${t.node}.yml`),
      dump([{ targets: [`127.0.0.1:${t.port}`], labels: { target_type: 'node', node: String(t.node) } }]),
    );
  }
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    dump({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [path.join(dir, 'rules.d', '*.yml')],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
      scrape_configs: [
        {
          job_name: 'providers',
          file_sd_configs: [{ files: [path.join(dir, 'prometheus.d', '*.yml')], refresh_interval: '1s' }],
        },
      ],
    }),
  );
  const port = await freePort();
  const proc = launch(
    'prometheus',
    BIN.prometheus,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--rules.alert.resend-delay=1s',
      '--log.level=warn',
    ],
    dir,
  );
  await ready(proc, port);
  return { port, url: `http://127.0.0.1:${port}`, proc };
}

export interface MetricsStack {
  root: string;
  nodes: Map<number, NodeExporter>;
  prometheus: Prometheus;
  alertmanager: Alertmanager;
  /** Writes the gauge on one node, as run-backup does at the end of a run. */
  writeGauge(node: number, planId: number, planName: string, value: 0 | 1): void;
  stop(): Promise<void>;
}

/** node_exporter per node + Prometheus + Alertmanager, all on ephemeral loopback ports. */
export async function startMetricsStack(o: AlertmanagerOptions & { nodes?: number[] } = {}): Promise<MetricsStack> {
  const root = mkdtempSync(path.join(tmpdir(), 'ns8-metrics-'));
  const started: Proc[] = [];
  try {
    const nodes = new Map<number, NodeExporter>();
    for (const n of o.nodes ?? [1, 2]) {
      const ne = await startNodeExporter(root, n);
      nodes.set(n, ne);
      started.push(ne.proc);
    }
    const alertmanager = await startAlertmanager(root, o);
    started.push(alertmanager.proc);
    const prometheus = await startPrometheus(root, [...nodes.values()], alertmanager.port);
    started.push(prometheus.proc);
    return {
      root,
      nodes,
      prometheus,
      alertmanager,
      writeGauge(node, planId, planName, value) {
        const ne = nodes.get(node);
        if (!ne) throw new Error(`no node_exporter for node ${node}`);
        writeBackupProm(ne.textDir, planId, planName, value);
      },
      async stop() {
        await halt(prometheus.proc);
        await Promise.all([halt(alertmanager.proc), ...[...nodes.values()].map((n) => halt(n.proc))]);
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await Promise.all(started.map(halt));
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

/** Active alerts as the v2 API lists them (what the poller and NS8 `list-alerts` read). */
export async function activeAlerts(am: {
  url: string;
}): Promise<Array<{ labels: Record<string, string>; fingerprint: string; startsAt: string }>> {
  const r = await fetch(`${am.url}/api/v2/alerts?active=true&silenced=false&inhibited=false`);
  return (await r.json()) as Array<{ labels: Record<string, string>; fingerprint: string; startsAt: string }>;
}

/** Polls until `check` passes or the timeout elapses (the pipeline has second-scale intervals). */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T>,
  check: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn().catch(() => undefined as T);
    if (last !== undefined && check(last)) return last;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
