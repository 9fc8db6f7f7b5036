// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 on /metrics: backup_monitor_plan_silenced{kind="acknowledged"|"snoozed"} per plan,
// 1 while the silence is in force (who in `by`), 0 otherwise; read from module/<id>/silences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PlanSnapshot } from '../../src/domain/backup.js';
import type { PlanState } from '../../src/domain/records.js';
import { metricFamilies, type MetricsInput } from '../../src/metrics/model.js';
import type { Silence } from '../../src/notify/silence.js';

const NOW = 1_786_300_000;
const snap = (id: number, name: string): PlanSnapshot => ({
  plan: { id, name, repository: 'dest', schedule: '*-*-* 01:00:00', retention: 3, instances: ['mail1'], enabled: true },
  destination: { id: 'dest', name: 'Dest', url: 'b2:x', provider: 'backblaze' },
  modules: [{ id: 'mail1', uiName: '', node: 1, uuid: 'u', image: 'mail' }],
  statuses: new Map(),
  nodeNames: new Map([[1, 'ns1']]),
});
const state = (planId: number, lastOutcome: PlanState['lastOutcome']): PlanState => ({
  planId,
  planName: `p${planId}`,
  lastRunKey: `${planId}:1`,
  lastOutcome,
  lastDigest: '',
  lastReportId: 'r',
  lastNotifiedAt: 1,
  failingSince: lastOutcome === 'SUCCESS' ? null : NOW - 86_400,
  lastSuccessAt: null,
});
const ack = { by: 'admin', at: NOW - 600, comment: 'NAS replaced', outcome: 'PARTIAL' as const, failing: ['mail1'] };
const input = (silences: Map<number, Silence>, states: Map<number, PlanState>): MetricsInput => ({
  nowS: NOW,
  snapshots: [snap(1, 'Daily'), snap(2, 'Weekly'), snap(3, 'Recovered')],
  planStates: states,
  watch: new Map(),
  outboxDepth: 0,
  links: {},
  options: { maxRunSeconds: 10_800, watch: { grace: 7200, tolerance: 60, timeZone: 'UTC' }, maxApplicationPairs: 10 },
  silences,
});

test('one gauge per plan and kind: 1 with who while in force, 0 once over', () => {
  const silences = new Map<number, Silence>([
    [1, { acknowledged: ack, snoozed: { by: '', at: NOW - 60, comment: '', until: NOW + 3600, untilSuccess: false } }],
    [2, { snoozed: { by: 'bob', at: NOW - 7200, comment: '', until: NOW - 1, untilSuccess: false } }],
    [3, { acknowledged: ack }],
  ]);
  const states = new Map([
    [1, state(1, 'PARTIAL')],
    [2, state(2, 'PARTIAL')],
    [3, state(3, 'SUCCESS')],
  ]);
  const fam = metricFamilies(input(silences, states)).find((f) => f.name === 'backup_monitor_plan_silenced')!;
  const got = Object.fromEntries(
    fam.samples.map((s) => [`${s.labels.plan_id}/${s.labels.kind}/${s.labels.by}`, s.value]),
  );
  assert.deepEqual(got, {
    '1/acknowledged/admin': 1,
    '1/snoozed/': 1,
    '2/acknowledged/': 0,
    '2/snoozed/': 0, // its time has come: over, even before the service removes it
    '3/acknowledged/': 0, // the plan recovered: the acknowledgement no longer holds
    '3/snoozed/': 0,
  });
});

test('no silences read: every plan reports 0 for both kinds', () => {
  const fam = metricFamilies({ ...input(new Map(), new Map()), silences: undefined }).find(
    (f) => f.name === 'backup_monitor_plan_silenced',
  )!;
  assert.equal(fam.samples.length, 6);
  assert.ok(fam.samples.every((s) => s.value === 0));
});
