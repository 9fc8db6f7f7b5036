// SPDX-License-Identifier: GPL-3.0-or-later
// The tracker's decisions with fixed statuses; timers are real but short (wait 0-1 s).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModuleStatus, PlanSnapshot } from '../../src/domain/backup.js';
import { RunTracker, type FlushRequest } from '../../src/triggers/run-tracker.js';
import { memoryLogger } from '../../src/log.js';
import { parseBackupEvent } from '../../src/triggers/backup-events.js';
import type { BackupAlert } from '../../src/domain/alert.js';
import { moduleStatus } from '../fixtures/module-status.js';

const NOW = 1_800_000_000;
const st = (start: number, errors = 0, seconds = 10) => moduleStatus(start, errors, seconds);
/** A firing BackupFailed alert for plan 1 from the webhook, with `over` changed. */
const alert = (over: Partial<BackupAlert> = {}): BackupAlert => ({
  name: 'BackupFailed',
  kind: 'failed',
  planId: 1,
  node: 1,
  status: 'firing',
  startsAtMs: 0,
  fingerprint: 'f',
  source: 'webhook',
  ...over,
});
/** A firing NsBackupMissing alert for plan 1, with `over` changed. */
const missingAlert = (over: Partial<BackupAlert> = {}): BackupAlert =>
  alert({ name: 'NsBackupMissing', kind: 'missing', node: null, fingerprint: '', ...over });

function setup(statuses: Map<string, ModuleStatus>, opts: { wait?: number } = {}) {
  const flushed: FlushRequest[] = [];
  const snap = (): PlanSnapshot => ({
    plan: {
      id: 1,
      name: 'Daily',
      repository: 'd',
      schedule: 'daily',
      retention: 3,
      instances: ['mail1', 'samba1', 'webtop1'],
      enabled: true,
    },
    destination: null,
    nodeNames: new Map(),
    statuses: new Map(statuses),
    modules: [
      { id: 'mail1', node: 1 },
      { id: 'samba1', node: 1 },
      { id: 'webtop1', node: 2 },
    ].map((m) => ({ ...m, uiName: '', uuid: 'u', image: 'x' })),
  });
  const reads = { all: 0 };
  const tracker = new RunTracker({
    readStatus: async (_n, _p, m) => statuses.get(m) ?? null,
    readPlan: async (id) => (id === 1 ? snap() : null),
    readAllPlans: async () => {
      reads.all++;
      await tick(20);
      return [snap()];
    },
    flush: async (r) => {
      flushed.push(r);
    },
    clock: { now: () => NOW * 1000 },
    log: memoryLogger(),
    waitSeconds: opts.wait ?? 0,
    maxRunSeconds: 3 * 3600,
    recentWindowSeconds: 3600,
  });
  return { tracker, flushed, reads };
}
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
const chainsOf = (t: RunTracker) => (t as unknown as { chains: Map<number, unknown> }).chains;

describe('run tracker', () => {
  it('flushes once, as soon as every module has reported', async () => {
    const s = new Map([
      ['mail1', st(NOW)],
      ['samba1', st(NOW + 20)],
      ['webtop1', st(NOW + 1, 1)],
    ]);
    const { tracker, flushed } = setup(s, { wait: 60 });
    for (const [m, n] of [
      ['mail1', 1],
      ['webtop1', 2],
      ['samba1', 1],
    ] as const)
      tracker.backupEvent({ nodeId: n, planId: 1, moduleId: m });
    await tick(100);
    assert.deepEqual(flushed, [{ kind: 'run', planId: 1, since: NOW, triggers: ['backup event'] }]);
    await tracker.close();
  });

  it('waits for the modules still pending on a busy node, by their previous duration', async () => {
    // samba1 took 600 s last time and has not reported yet: its node is likely still busy.
    const s = new Map([
      ['mail1', st(NOW)],
      ['samba1', st(NOW - 86400, 0, 600)],
      ['webtop1', st(NOW + 1)],
    ]);
    const { tracker } = setup(s, { wait: 30 });
    tracker.backupEvent({ nodeId: 1, planId: 1, moduleId: 'mail1' });
    tracker.backupEvent({ nodeId: 2, planId: 1, moduleId: 'webtop1' });
    await tick();
    const run = (tracker as unknown as { open: Map<number, Parameters<RunTracker['settleDelayMs']>[0]> }).open.get(1)!;
    assert.equal(tracker.settleDelayMs(run), (30 + 600 * 1.25) * 1000);
    await tracker.close();
  });

  it('merges an alert into the open run instead of reporting twice', async () => {
    const s = new Map([
      ['mail1', st(NOW, 1)],
      ['samba1', st(NOW - 86400, 0, 0)],
      ['webtop1', st(NOW - 86400, 0, 0)],
    ]);
    const { tracker, flushed } = setup(s, { wait: 1 });
    tracker.backupEvent({ nodeId: 1, planId: 1, moduleId: 'mail1' });
    await tick();
    tracker.alert(alert());
    await tick(1300);
    assert.equal(flushed.length, 1);
    assert.deepEqual(flushed[0]!.triggers.sort(), ['backup event', 'webhook']);
    await tracker.close();
  });

  it('re-opens the same run for a late result (busy module retried)', async () => {
    const s = new Map([
      ['mail1', st(NOW)],
      ['samba1', st(NOW + 5)],
      ['webtop1', st(NOW - 86400, 0, 0)],
    ]);
    const { tracker, flushed } = setup(s, { wait: 0 });
    tracker.backupEvent({ nodeId: 1, planId: 1, moduleId: 'mail1' });
    tracker.backupEvent({ nodeId: 1, planId: 1, moduleId: 'samba1' });
    await tick(50);
    s.set('webtop1', st(NOW + 3600));
    tracker.backupEvent({ nodeId: 2, planId: 1, moduleId: 'webtop1' });
    await tick(50);
    assert.equal(flushed.length, 2);
    assert.equal((flushed[1] as { since: number }).since, NOW, 'same run, so the report is an update');
    assert.ok(flushed[1]!.triggers.includes('late result'));
    await tracker.close();
  });

  it('ignores events for unknown plans and modules not in the plan', async () => {
    const s = new Map([['traefik1', st(NOW)]]);
    const { tracker, flushed } = setup(s);
    tracker.backupEvent({ nodeId: 1, planId: 9, moduleId: 'traefik1' });
    tracker.backupEvent({ nodeId: 1, planId: 1, moduleId: 'traefik1' });
    await tick(50);
    assert.equal(flushed.length, 0);
    await tracker.close();
  });

  it('missed runs and missing alerts go straight to a MISSING flush', async () => {
    const { tracker, flushed } = setup(new Map());
    tracker.missing(1, NOW - 3600, ['mail1']);
    tracker.alert(missingAlert({ startsAtMs: NOW * 1000, source: 'poll' }));
    await tick();
    assert.deepEqual(
      flushed.map((f) => f.kind),
      ['missing', 'missing'],
    );
    await tracker.close();
  });
});

describe('backup-status-changed payloads', () => {
  it('parses what run-backup publishes', () => {
    assert.deepEqual(
      parseBackupEvent(
        'node/1/event/backup-status-changed',
        '{"node_id": 1, "backup_id": 2, "module_id": "nextcloud1"}',
      ),
      { nodeId: 1, planId: 2, moduleId: 'nextcloud1' },
    );
  });
  for (const [channel, msg] of [
    ['module/evil1/event/backup-status-changed', '{"node_id": 1, "backup_id": 2, "module_id": "x1"}'],
    ['node/2/event/backup-status-changed', '{"node_id": 1, "backup_id": 2, "module_id": "x1"}'],
    ['node/1/event/backup-status-changed', 'not json'],
    ['node/1/event/backup-status-changed', '{"node_id": 1, "backup_id": "two", "module_id": "x1"}'],
    ['node/1/event/backup-status-changed', '{"node_id": 1, "backup_id": 2, "module_id": "../x"}'],
  ]) {
    it(`rejects ${channel} ${msg}`, () => assert.equal(parseBackupEvent(channel!, msg!), null));
  }

  // Issue #10 item 2: Alertmanager's API has no authentication; a local process can post any startsAt.
  it('a missing alert from the far future is placed now, not in 2099', async () => {
    const { tracker, flushed } = setup(new Map());
    tracker.alert(missingAlert({ startsAtMs: Date.parse('2099-01-01T00:00:00Z'), source: 'poll' }));
    await tick();
    assert.deepEqual(
      flushed.map((f) => f.kind === 'missing' && f.expectedAt),
      [NOW],
    );
    await tracker.close();
  });

  // Issue #10 item 3: 12k alerts without plan id each started a read of every plan.
  it('alerts without plan id share one read of all plans, and each recent plan is flushed once', async () => {
    const { tracker, flushed, reads } = setup(new Map([['mail1', st(NOW - 60, 1)]]), { wait: 0 });
    for (let i = 0; i < 12_000; i++) {
      tracker.alert(alert({ planId: null, fingerprint: `f${i}`, source: i % 2 ? 'poll' : 'webhook' }));
    }
    await tick(150);
    assert.equal(reads.all, 1);
    assert.deepEqual(flushed, [{ kind: 'run', planId: 1, since: null, triggers: ['webhook', 'alertmanager'] }]);
    // A later alert gets a fresh read.
    tracker.alert(alert({ planId: null, fingerprint: 'g' }));
    await tick(150);
    assert.equal(reads.all, 2);
    await tracker.close();
  });

  // Issue #10 item 11: the per-plan work chains kept every plan id ever named by an alert.
  it('forgets the work chain of a plan once its work is done', async () => {
    const { tracker, flushed } = setup(new Map());
    for (let id = 1000; id < 1100; id++) tracker.alert(missingAlert({ planId: id }));
    await tick(100);
    assert.equal(flushed.length, 100);
    assert.equal(chainsOf(tracker).size, 0);
    await tracker.close();
  });
});
