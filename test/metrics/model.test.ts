// SPDX-License-Identifier: GPL-3.0-or-later
// The pure mapping from what the monitor knows to metric families, and its serialization.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModuleStatus, type ModuleStatus, type PlanSnapshot } from '../../src/domain/backup.js';
import type { PlanState } from '../../src/domain/records.js';
import { metricFamilies, LABEL_MAX, type Family, type MetricsInput } from '../../src/metrics/model.js';
import { OUTCOMES } from '../../src/domain/outcome.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import type { WatchRecord } from '../../src/domain/records.js';

const NOW = 1_786_300_000; // a Sunday, 2026-08-09
const status = (start: number, errors = 0, size = 1000, files = 10, took = 60): ModuleStatus => ({
  start,
  end: start + took,
  errors,
  totalSize: size,
  totalFileCount: files,
  snapshotsCount: 1,
});

function snap(
  id: number,
  name: string,
  statuses: Record<string, ModuleStatus>,
  o: { enabled?: boolean; instances?: string[]; schedule?: string } = {},
): PlanSnapshot {
  const instances = o.instances ?? Object.keys(statuses);
  return {
    plan: {
      id,
      name,
      repository: 'dest',
      schedule: o.schedule ?? '*-*-* 01:00:00',
      retention: 3,
      instances,
      enabled: o.enabled ?? true,
    },
    destination: { id: 'dest', name: 'Dest', url: 'b2:x', provider: 'backblaze' },
    modules: instances.map((m) => ({
      id: m,
      uiName: '',
      node: m.startsWith('gone') ? null : 1,
      uuid: `u-${m}`,
      image: m.replace(/\d+$/, ''),
    })),
    statuses: new Map(Object.entries(statuses)),
    nodeNames: new Map([[1, 'ns1']]),
  };
}

const input = (over: Partial<MetricsInput> = {}): MetricsInput => ({
  nowS: NOW,
  snapshots: [],
  planStates: new Map(),
  watch: new Map(),
  outboxDepth: 0,
  links: {},
  options: { maxRunSeconds: 10_800, watch: { grace: 7200, tolerance: 60, timeZone: 'UTC' }, maxApplicationPairs: 1500 },
  ...over,
});
const fam = (fs: Family[], name: string) => fs.find((f) => f.name === `backup_monitor_${name}`)!;
const values = (fs: Family[], name: string, ...labels: string[]) =>
  Object.fromEntries(fam(fs, name).samples.map((s) => [labels.map((l) => s.labels[l]).join('/'), s.value]));

describe('plan series', () => {
  const t = NOW - 3 * 3600;
  const partial = snap(
    2,
    'Weekly',
    { nextcloud1: status(t, 1), samba1: status(t + 70, 0, 5000, 50, 300) },
    { instances: ['nextcloud1', 'samba1', 'webtop1', 'gone1'] },
  );

  test('before the first report: the outcome and streak come from the statuses', () => {
    const fs = metricFamilies(input({ snapshots: [partial] }));
    assert.deepEqual(values(fs, 'plan_last_outcome', 'outcome'), {
      SUCCESS: 0,
      WARNING: 0,
      PARTIAL: 1,
      REPO_FAILURE: 0,
      MISSING: 0,
    });
    assert.deepEqual(values(fs, 'plan_last_run_applications', 'result'), { success: 1, failed: 1, not_run: 1 });
    assert.deepEqual(values(fs, 'plan_applications', 'plan_id'), { 2: 3 }, 'a removed module does not count');
    assert.deepEqual(values(fs, 'plan_failing_since_timestamp_seconds', 'plan_id'), { 2: t });
    assert.deepEqual(values(fs, 'plan_last_run_end_timestamp_seconds', 'plan_id'), { 2: t + 370 });
    assert.deepEqual(values(fs, 'plan_last_run_duration_seconds', 'plan_id'), { 2: 370 });
    assert.equal(fam(fs, 'plan_last_success_timestamp_seconds').samples.length, 0, 'no success known: absent, not 0');
  });

  test('after a report: what the monitor reported wins (MISSING, streak, last success)', () => {
    const state: PlanState = {
      planId: 2,
      planName: 'Weekly',
      lastRunKey: `2:${NOW - 600}`,
      lastOutcome: 'MISSING',
      lastDigest: '',
      lastReportId: 'r',
      lastNotifiedAt: 0,
      failingSince: NOW - 86_400,
      lastSuccessAt: NOW - 8 * 86_400,
    };
    const fs = metricFamilies(input({ snapshots: [partial], planStates: new Map([[2, state]]) }));
    assert.deepEqual(values(fs, 'plan_last_outcome', 'outcome'), {
      SUCCESS: 0,
      WARNING: 0,
      PARTIAL: 0,
      REPO_FAILURE: 0,
      MISSING: 1,
    });
    assert.deepEqual(values(fs, 'plan_failing_since_timestamp_seconds', 'plan_id'), { 2: NOW - 86_400 });
    assert.deepEqual(values(fs, 'plan_last_success_timestamp_seconds', 'plan_id'), { 2: NOW - 8 * 86_400 });
    const ok = metricFamilies(
      input({
        snapshots: [partial],
        planStates: new Map([[2, { ...state, lastOutcome: 'SUCCESS', failingSince: null }]]),
      }),
    );
    assert.deepEqual(values(ok, 'plan_failing_since_timestamp_seconds', 'plan_id'), { 2: 0 });
  });

  for (const outcome of OUTCOMES) {
    test(`last outcome ${outcome}: exactly its series is 1, every outcome has a series`, () => {
      const state: PlanState = {
        planId: 2,
        planName: 'Weekly',
        lastRunKey: `2:${NOW - 600}`,
        lastOutcome: outcome,
        lastDigest: '',
        lastReportId: 'r',
        lastNotifiedAt: 0,
        failingSince: outcome === 'SUCCESS' ? null : NOW - 600,
        lastSuccessAt: NOW - 86_400,
      };
      const fs = metricFamilies(input({ snapshots: [partial], planStates: new Map([[2, state]]) }));
      const series = values(fs, 'plan_last_outcome', 'outcome');
      assert.deepEqual(Object.keys(series).sort(), [...OUTCOMES].sort());
      assert.deepEqual(
        Object.entries(series).filter(([, v]) => v === 1),
        [[outcome, 1]],
      );
    });
  }

  test('a plan that never ran has no outcome, no run end, and all its applications not run', () => {
    const fs = metricFamilies(input({ snapshots: [snap(5, 'New', {}, { instances: ['mail1'] })] }));
    assert.equal(fam(fs, 'plan_last_outcome').samples.length, 0);
    assert.equal(fam(fs, 'plan_last_run_end_timestamp_seconds').samples.length, 0);
    assert.deepEqual(values(fs, 'plan_last_run_applications', 'result'), { success: 0, failed: 0, not_run: 1 });
  });

  test('missed runs from the watchdog memory: missing now, last missed, watched since; disabled is not missing', () => {
    const rec: WatchRecord = {
      schedule: '*-*-* 01:00:00',
      enabled: true,
      firstSeen: NOW - 5 * 86_400,
      reported: NOW - 86_400,
    };
    const old = snap(3, 'Daily', { mail1: status(NOW - 3 * 86_400) });
    const fs = metricFamilies(
      input({
        snapshots: [old, { ...snap(4, 'Off', { mail1: status(NOW - 3 * 86_400) }, { enabled: false }) }],
        watch: new Map([
          [3, rec],
          [4, rec],
        ]),
      }),
    );
    assert.deepEqual(values(fs, 'plan_missed_run', 'plan_id'), { 3: 1, 4: 0 });
    assert.deepEqual(values(fs, 'plan_last_missed_run_timestamp_seconds', 'plan_id'), {
      3: NOW - 86_400,
      4: NOW - 86_400,
    });
    assert.deepEqual(values(fs, 'plan_watched_since_timestamp_seconds', 'plan_id'), {
      3: NOW - 5 * 86_400,
      4: NOW - 5 * 86_400,
    });
    const due = values(fs, 'plan_last_expected_run_timestamp_seconds', 'plan_id');
    assert.equal(due['3'], Math.floor(NOW / 86_400) * 86_400 + 3600 - (NOW % 86_400 < 3600 + 7200 ? 86_400 : 0));
    const ran = metricFamilies(
      input({ snapshots: [snap(3, 'Daily', { mail1: status(NOW - 3 * 3600) })], watch: new Map([[3, rec]]) }),
    );
    assert.deepEqual(values(ran, 'plan_missed_run', 'plan_id'), { 3: 0 });
  });
});

describe('application series and cardinality', () => {
  test('five series per application with a status; the cap drops the rest and says how many', () => {
    const s = snap(
      1,
      'P',
      { a1: status(NOW - 100, 0, 7, 3, 12), b1: status(NOW - 90, 2), c1: status(NOW - 80) },
      { instances: ['a1', 'b1', 'c1', 'd1'] },
    );
    const fs = metricFamilies(input({ snapshots: [s] }));
    assert.deepEqual(values(fs, 'application_last_success', 'module'), { a1: 1, b1: 0, c1: 1 });
    assert.deepEqual(values(fs, 'application_last_size_bytes', 'module').a1, 7);
    assert.deepEqual(values(fs, 'application_last_files', 'module').a1, 3);
    assert.deepEqual(values(fs, 'application_last_duration_seconds', 'module').a1, 12);
    assert.deepEqual(values(fs, 'application_last_end_timestamp_seconds', 'module').a1, NOW - 88);
    const capped = metricFamilies(input({ snapshots: [s], options: { ...input().options, maxApplicationPairs: 2 } }));
    assert.deepEqual(Object.keys(values(capped, 'application_last_success', 'module')), ['a1', 'b1']);
    assert.deepEqual(values(capped, 'metrics_application_pairs_dropped', 'x'), { '': 1 });
  });

  test('plan names are cut, never dropped; cluster state unreadable: no plan series, redis link down', () => {
    const fs = metricFamilies(input({ snapshots: [snap(1, 'x'.repeat(500), {})] }));
    assert.equal([...fam(fs, 'plan_enabled').samples[0]!.labels.plan!].length, LABEL_MAX);
    const down = metricFamilies(
      input({
        snapshots: null,
        outboxDepth: null,
        links: {
          redis: { ok: false, checkedAt: NOW * 1000, error: 'down' },
          smtp: { ok: true, checkedAt: 0, error: null },
        },
      }),
    );
    assert.equal(fam(down, 'plan_enabled').samples.length, 0);
    assert.equal(fam(down, 'outbox_depth').samples.length, 0);
    assert.deepEqual(values(down, 'link_up', 'link'), { redis: 0, smtp: 1 });
    assert.deepEqual(
      values(down, 'link_last_check_timestamp_seconds', 'link'),
      { redis: NOW },
      'a link never checked has no timestamp',
    );
  });
});

// Issue #25: outside data in labels and times.
describe('outside names and times', () => {
  test('zero-width and bidi-control characters never reach a plan label', () => {
    const invisible = '\u200b\u200d\u202e\u2066\u2069\ufeff';
    const fs = metricFamilies(input({ snapshots: [snap(4, `Night${invisible}ly`, { a1: status(NOW - 600) })] }));
    const labels = fs.flatMap((f) => f.samples.map((x) => x.labels.plan)).filter((l) => l !== undefined);
    assert.ok(labels.length > 5);
    for (const l of labels) assert.equal(l, 'Nightly');
  });

  test('a status dated a year ahead shows no success and no time in the future', () => {
    const raw = JSON.stringify({ start: NOW + 365 * 86400, end: NOW + 365 * 86400 + 5, errors: 0, total_size: 9 });
    const fs = metricFamilies(input({ snapshots: [snap(5, 'Ahead', { a1: parseModuleStatus(raw, NOW)! })] }));
    for (const f of fs.filter((x) => x.name.endsWith('_timestamp_seconds')))
      for (const x of f.samples) assert.ok(x.value <= NOW, `${f.name} ${x.value}`);
    assert.deepEqual(values(fs, 'plan_last_success_timestamp_seconds', 'plan_id'), {});
    assert.deepEqual(values(fs, 'application_last_success', 'module'), { a1: 0 });
    assert.equal(values(fs, 'plan_last_outcome', 'outcome').SUCCESS, 0);
  });
});

describe('exposition (prom-client)', () => {
  test('label values are escaped; counters count; a second render replaces the first', async () => {
    const reg = new MetricsRegistry();
    const name = 'Say "hi" \\ to\nNAS';
    const first = await reg.render(metricFamilies(input({ snapshots: [snap(7, name, { m1: status(NOW - 10) })] })), {
      seconds: 0.001,
      at: NOW,
    });
    assert.ok(
      first.includes('backup_monitor_plan_enabled{plan_id="7",plan="Say \\"hi\\" \\\\ to\\nNAS"} 1'),
      first.split('\n').find((l) => l.startsWith('backup_monitor_plan_enabled')),
    );
    reg.queued();
    reg.attempt(true);
    reg.attempt(false);
    reg.attempt(false);
    const second = await reg.render(metricFamilies(input({ snapshots: [] })), { seconds: 0.001, at: NOW });
    assert.ok(!second.includes('plan_id="7"'), 'a removed plan leaves the exposition');
    assert.match(second, /^backup_monitor_reports_queued_total 1$/m);
    assert.match(second, /^backup_monitor_reports_sent_total 1$/m);
    assert.match(second, /^backup_monitor_report_send_failures_total 2$/m);
  });
});

test('the dashboard colours every outcome of the outcome table', async () => {
  const { readFileSync } = await import('node:fs');
  const d = JSON.parse(readFileSync(new URL('../../imageroot/etc/grafana/dashboard.json', import.meta.url), 'utf8'));
  const panel = d.panels.find((p: { title?: string }) => p.title === 'Last outcome per plan');
  const mapping = panel.fieldConfig.overrides[0].properties.find((p: { id: string }) => p.id === 'mappings');
  assert.deepEqual(Object.keys(mapping.value[0].options).sort(), [...OUTCOMES].sort());
});

// Issue #23: the destination's confirmation of the last run, per application, from module/<id>/runs.
describe('destination confirmation series', () => {
  test("the last run's confirmation and snapshot count, kept in the history, become series", async () => {
    const { parseHistory, remember } = await import('../../src/trends/anomaly.js');
    const t = NOW - 3600;
    const partial = snap(2, 'Weekly', { nextcloud1: status(t, 1), samba1: status(t + 70, 0) });
    const row = (moduleId: string, verdict: 'cleanup_failed' | 'confirmed', count: number) => ({
      moduleId,
      uiName: '',
      node: 1,
      nodeName: '',
      result: 'success' as const,
      start: t,
      end: t + 60,
      totalSize: 1,
      totalFileCount: 1,
      snapshotsCount: 1,
      errors: 0,
      repoPath: `x/${moduleId}`,
      confirmation: { verdict, since: t, latestSnapshot: t + 5, snapshotCount: count, retention: 4 },
    });
    const run = {
      runKey: `2:${t}`,
      planId: 2,
      planName: 'Weekly',
      destinationId: 'd',
      destinationName: 'NAS',
      outcome: 'WARNING' as const,
      start: t,
      end: t + 130,
      nodes: [],
      modules: [row('nextcloud1', 'cleanup_failed', 9), row('samba1', 'confirmed', 4)],
      triggers: [],
    };
    // Through the stored JSON, as collect.ts reads it back.
    const [kept] = parseHistory(JSON.stringify(remember([], run)));
    const fs = metricFamilies(input({ snapshots: [partial], lastRuns: new Map([[2, kept!]]) }));
    const states = values(fs, 'application_destination_confirmation', 'module', 'state');
    assert.equal(states['nextcloud1/cleanup_failed'], 1);
    assert.equal(states['nextcloud1/confirmed'], 0);
    assert.equal(states['samba1/confirmed'], 1);
    assert.equal(states['samba1/unconfirmed'], 0);
    assert.deepEqual(values(fs, 'application_snapshots', 'module'), { nextcloud1: 9, samba1: 4 });
    const none = metricFamilies(input({ snapshots: [partial] }));
    assert.equal(fam(none, 'application_destination_confirmation').samples.length, 0, 'not checked: no series');
  });
});

// Issue #23: retention stuck (the mail's "since <date>") and repositories nobody owns, one source each.
describe('retention stuck and unowned repositories', () => {
  test("an application whose cleanup failed for several runs has the streak's start; the others none", async () => {
    const { parseHistory, remember } = await import('../../src/trends/anomaly.js');
    const t = NOW - 3600;
    const since = t - 2 * 86_400;
    const partial = snap(2, 'Weekly', { nextcloud1: status(t, 1), samba1: status(t + 70, 1) });
    const row = (moduleId: string, stuck: boolean) => ({
      moduleId,
      uiName: '',
      node: 1,
      nodeName: '',
      result: 'success' as const,
      start: t,
      end: t + 60,
      totalSize: 1,
      totalFileCount: 1,
      snapshotsCount: 1,
      errors: 1,
      repoPath: `x/${moduleId}`,
      confirmation: {
        verdict: 'cleanup_failed' as const,
        since: t,
        latestSnapshot: t + 5,
        snapshotCount: 9,
        retention: 4,
        ...(stuck ? { cleanupStuck: { since, runs: 3 } } : {}),
      },
    });
    const run = {
      runKey: `2:${t}`,
      planId: 2,
      planName: 'Weekly',
      destinationId: 'd',
      destinationName: 'NAS',
      outcome: 'WARNING' as const,
      start: t,
      end: t + 130,
      nodes: [],
      modules: [row('nextcloud1', true), row('samba1', false)],
      triggers: [],
    };
    // Through the stored JSON, as collect.ts reads it back.
    const [kept] = parseHistory(JSON.stringify(remember([], run)));
    const fs = metricFamilies(input({ snapshots: [partial], lastRuns: new Map([[2, kept!]]) }));
    assert.deepEqual(values(fs, 'application_retention_stuck_since_seconds', 'module'), { nextcloud1: since });
    const states = values(fs, 'application_destination_confirmation', 'module', 'state');
    assert.equal(states['samba1/cleanup_failed'], 1, 'not stuck yet: cleanup failing, no streak');
  });

  test('repositories nobody owns: a gauge per reason from the last read; none before any read', () => {
    const repo = (kind: 'removed' | 'other_cluster', moduleId: string) => ({
      kind,
      moduleId,
      uiName: '',
      path: `${moduleId}/u`,
      destinationName: 'NAS',
      lastBackupAt: NOW - 86_400,
    });
    const fs = metricFamilies(
      input({
        unowned: {
          at: NOW - 60,
          repositories: [repo('removed', 'dokuwiki3'), repo('other_cluster', 'mail1'), repo('other_cluster', 'mail2')],
        },
      }),
    );
    assert.deepEqual(values(fs, 'unowned_repositories', 'reason'), { removed: 1, other_cluster: 2 });
    const none = metricFamilies(input({ unowned: { at: NOW - 60, repositories: [] } }));
    assert.deepEqual(values(none, 'unowned_repositories', 'reason'), { removed: 0, other_cluster: 0 });
    assert.equal(fam(metricFamilies(input()), 'unowned_repositories').samples.length, 0, 'never read: no series');
  });
});
