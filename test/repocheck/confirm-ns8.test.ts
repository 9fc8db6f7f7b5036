// SPDX-License-Identifier: GPL-3.0-or-later
// Integration (issue #23): runs made by the simulator's NS8 backup (test/sim/run-backup.ts, the
// restic commands of ns8-core's module-backup and run-backup) on real restic repositories served
// by `rclone serve restic`, then confirmed through the simulated API server's
// read-backup-snapshots (real `restic snapshots --json`, as core's 50read).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { startHarness, runOn, repoPathOf, type Harness } from './harness.js';
import { makeRepository } from '../sim/restic-server.js';
import { holdLock, runModuleBackup, type NodeBackupStatus } from '../sim/run-backup.js';
import { createRepoChecker } from '../../src/repocheck/index.js';
import { withConfirmations } from '../../src/repocheck/confirm.js';
import { renderReport } from '../../src/report/render.js';
import { memoryLogger } from '../../src/log.js';
import { systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import type { ModuleRow, RunReport } from '../../src/domain/run.js';
import { createClient } from 'redis';
import { createSnapshotCounts } from '../../src/repocheck/counts.js';
import { moduleKeys } from '../../src/domain/records.js';
import { MODULE_ID } from '../helpers/redis-server.js';

let h: Harness;
const PW = 'c3d4'.repeat(16);
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const NC = repoPathOf('nextcloud1');
const SAMBA = repoPathOf('samba1');

function checker(over: Partial<Config['repoCheck']> = {}) {
  return createRepoChecker({ config: h.config(over), logger: memoryLogger(), clock: systemClock, pollMs: 50 });
}

/** One NS8 backup of an application on `dest`, as run-backup does it; its status as NS8 stores it. */
const backup = (dest: string, moduleId: string, repoPath: string, retention: number) =>
  runModuleBackup({
    url: h.restic.repoUrl(dest, repoPath),
    password: PW,
    retention,
    repoDir: h.restic.repoDir(dest, repoPath),
    moduleId,
  });

/** The run report correlate/ makes of these statuses (result from errors, ns8-contract §1.5). */
function reportOf(dest: string, statuses: Record<string, NodeBackupStatus>): RunReport {
  const results = Object.fromEntries(
    Object.entries(statuses).map(([id, s]) => [id, s.errors === 0 ? 'success' : 'failed'] as const),
  );
  const start = Math.min(...Object.values(statuses).map((s) => s.start));
  const run = runOn(dest, results, start);
  const modules: ModuleRow[] = run.modules.map((m) => {
    const s = statuses[m.moduleId]!;
    return {
      ...m,
      start: s.start,
      end: s.end,
      errors: s.errors,
      snapshotsCount: s.snapshots_count,
      totalSize: s.total_size,
    };
  });
  return { ...run, modules };
}

const render = (run: RunReport, language: 'en' | 'it' = 'en') =>
  renderReport(run, 'first', { language, subjectPrefix: '[NS8 Backup]', timeZone: 'UTC', moduleId: 'backup-monitor1' });

test('a success whose snapshot is missing at the destination is not confirmed and not reported as saved', async () => {
  const dest = await h.addDestination('NAS share', PW);
  const statuses = {
    nextcloud1: await backup(dest, 'nextcloud1', NC, 3),
    samba1: await backup(dest, 'samba1', SAMBA, 3),
  };
  assert.deepEqual([statuses.nextcloud1.errors, statuses.samba1.errors], [0, 0]);
  // NS8 says saved; the snapshot file is gone at the destination ("files missing on the remote").
  const snaps = path.join(h.restic.repoDir(dest, NC), 'snapshots');
  for (const f of readdirSync(snaps)) unlinkSync(path.join(snaps, f));
  const run = reportOf(dest, statuses);
  assert.equal(run.outcome, 'SUCCESS');
  const found = await checker().confirm!(run, 3);
  assert.equal(found.get('nextcloud1')!.verdict, 'unconfirmed');
  assert.equal(found.get('samba1')!.verdict, 'confirmed');
  const confirmed = withConfirmations(run, found);
  assert.equal(confirmed.outcome, 'PARTIAL');
  const mail = render(confirmed);
  assert.match(mail.text, /No snapshot newer than \d{4}-\d\d-\d\d \d\d:\d\d at NAS share/i);
  assert.match(mail.text, /not counted as saved/);
  assert.match(
    mail.text,
    /What to do[\s\S]*NS8 reported .*Cloud.* saved, but NAS share holds no snapshot of this run/i,
  );
  assert.match(mail.text, /1\/2 saved · 1 failed/);
  assert.match(render(confirmed, 'it').text, /nessuno snapshot più recente del/);
});

test('a snapshot dated 2999 at the destination does not confirm a run that left nothing there', async () => {
  // Issue #25: restic stamps a snapshot with the clock of the node that makes it; one made while
  // a node's clock was far ahead stays the "latest" forever (retention keeps the newest).
  const dest = await h.addDestination('NAS clock', PW);
  const status = await backup(dest, 'nextcloud1', NC, 3);
  const snaps = path.join(h.restic.repoDir(dest, NC), 'snapshots');
  for (const f of readdirSync(snaps)) unlinkSync(path.join(snaps, f)); // this run's snapshot is gone
  const glitch = await runModuleBackup({
    url: h.restic.repoUrl(dest, NC),
    password: PW,
    retention: 3,
    repoDir: h.restic.repoDir(dest, NC),
    moduleId: 'nextcloud1',
    snapshotTime: '2999-01-01 00:00:00',
  });
  assert.equal(glitch.errors, 0);
  const run = reportOf(dest, { nextcloud1: status });
  const found = await checker().confirm!(run, 3);
  const c = found.get('nextcloud1')!;
  assert.deepEqual([c.verdict, c.code, c.snapshotCount], ['not_checked', 'REPO_SNAPSHOT_AHEAD', 1]);
  assert.equal(c.latestSnapshot, null, 'a time not believed is never shown as the latest snapshot');
  const mail = render(withConfirmations(run, found));
  assert.match(mail.text, /not checked at NAS share: a snapshot there is dated more than 5 minutes after the clock/i);
  assert.doesNotMatch(mail.text, /2999/);
  assert.match(render(withConfirmations(run, found), 'it').text, /non controllato in NAS share: uno snapshot è datato/);
});

test('module-backup ok but forget --prune failed: "data saved, cleanup failed", not a plain failure', async () => {
  const dest = await h.addDestination('NAS share', PW);
  const url = h.restic.repoUrl(dest, NC);
  await makeRepository(url, PW, { snapshots: 3, time: new Date(Date.now() - 3 * 86400_000) });
  const lock = await holdLock(url, PW);
  let status: NodeBackupStatus;
  try {
    status = await backup(dest, 'nextcloud1', NC, 3);
  } finally {
    await lock.release();
  }
  // run-backup's own accounting: stats ok, backup ok, retention failed.
  assert.deepEqual([status.errors, status.snapshots_count], [1, 1]);
  const manifest = JSON.parse((await import('node:fs')).readFileSync(`${h.restic.repoDir(dest, NC)}.json`, 'utf8')) as {
    success: boolean;
  };
  assert.equal(manifest.success, false);
  const run = reportOf(dest, { nextcloud1: status });
  assert.equal(run.outcome, 'REPO_FAILURE');
  const found = await checker().confirm!(run, 3);
  const c = found.get('nextcloud1')!;
  assert.deepEqual([c.verdict, c.snapshotCount, c.retention], ['cleanup_failed', 4, 3]);
  const confirmed = withConfirmations(run, found);
  assert.equal(confirmed.outcome, 'WARNING');
  assert.equal(confirmed.modules[0]!.result, 'success');
  const mail = render(confirmed);
  assert.match(mail.text, /saved, cleanup failed/);
  assert.match(mail.text, /holds 4 snapshots where the plan keeps 3: the data is saved/);
  assert.match(mail.text, /What to do[\s\S]*Old snapshots of .*Cloud.* are not being removed at NAS share/i);
  assert.match(render(confirmed, 'it').text, /salvato, pulizia non riuscita/);
});

test('snapshots deleted behind the plan: a WARNING naming the application and the numbers', async () => {
  const dest = await h.addDestination('NAS share', PW);
  const url = h.restic.repoUrl(dest, NC);
  await makeRepository(url, PW, { snapshots: 4, time: new Date(Date.now() - 5 * 86400_000) });
  const c = checker();
  const first = reportOf(dest, { nextcloud1: await backup(dest, 'nextcloud1', NC, 5) });
  const one = (await c.confirm!(first, 5)).get('nextcloud1')!;
  assert.deepEqual([one.verdict, one.snapshotCount, one.loss], ['confirmed', 5, undefined]);
  // Someone empties part of the share: 3 of the 5 snapshots go.
  const snaps = path.join(h.restic.repoDir(dest, NC), 'snapshots');
  for (const f of readdirSync(snaps).sort().slice(0, 3)) unlinkSync(path.join(snaps, f));
  const second = reportOf(dest, { nextcloud1: await backup(dest, 'nextcloud1', NC, 5) });
  const found = await c.confirm!(second, 5);
  assert.deepEqual(found.get('nextcloud1')!.loss, { before: 5, after: 3, retention: 5 });
  const confirmed = withConfirmations(second, found);
  assert.equal(confirmed.outcome, 'WARNING');
  const mail = render(confirmed);
  assert.match(
    mail.text,
    /Cloud.*: .*5 snapshots at the previous check, 3 now, and the plan keeps 5: snapshots were deleted at NAS share outside the plan/,
  );
  assert.match(mail.text, /What to do[\s\S]*Snapshots of .*Cloud.* were deleted at NAS share outside the plan/i);
});

test('snapshots deleted between two runs separated by a service restart are still reported', async () => {
  const dest = await h.addDestination('NAS share', PW);
  const url = h.restic.repoUrl(dest, NC);
  await makeRepository(url, PW, { snapshots: 4, time: new Date(Date.now() - 5 * 86400_000) });
  /** One service lifetime: its own Redis connection (module credentials) and its own checker. */
  const service = async () => {
    const redis = createClient({ url: h.redis.moduleUrl });
    redis.on('error', () => undefined);
    await redis.connect();
    const counts = createSnapshotCounts(redis, MODULE_ID);
    const c = createRepoChecker({ config: h.config(), logger: memoryLogger(), clock: systemClock, pollMs: 50, counts });
    return { c, stop: () => redis.quit() };
  };
  const before = await service();
  const first = reportOf(dest, { nextcloud1: await backup(dest, 'nextcloud1', NC, 5) });
  assert.equal((await before.c.confirm!(first, 5)).get('nextcloud1')!.snapshotCount, 5);
  await before.stop();
  // Stored where the state dump takes it (statedump.py), not only in the stopped process.
  const admin = createClient({ url: h.redis.adminUrl });
  await admin.connect();
  const stored = JSON.parse((await admin.hGet(moduleKeys(MODULE_ID).snapshotCounts, `${dest}/${NC}`))!);
  await admin.quit();
  assert.deepEqual([stored.v, stored.count], [1, 5]);
  // While the service is down, 3 of the 5 snapshots go at the destination.
  const snaps = path.join(h.restic.repoDir(dest, NC), 'snapshots');
  for (const f of readdirSync(snaps).sort().slice(0, 3)) unlinkSync(path.join(snaps, f));
  const after = await service();
  try {
    const second = reportOf(dest, { nextcloud1: await backup(dest, 'nextcloud1', NC, 5) });
    const found = await after.c.confirm!(second, 5);
    assert.deepEqual(found.get('nextcloud1')!.loss, { before: 5, after: 3, retention: 5 });
    assert.equal(withConfirmations(second, found).outcome, 'WARNING');
  } finally {
    await after.stop();
  }
});

test('20 plans × 30 applications at once: never more restic than the concurrency, the first report within its budget', async () => {
  const concurrency = 2;
  const budget = 15;
  const c = checker({ concurrency, budget });
  const runs = await Promise.all(
    Array.from({ length: 20 }, async (_, p) => {
      const dest = await h.addDestination(`NAS ${p}`, PW);
      const base = runOn(dest, { samba1: 'success' });
      const modules = Array.from({ length: 30 }, (_, i) => ({
        ...base.modules[0]!,
        moduleId: `app${i}`,
        repoPath: `app/${p}-${i}`,
      }));
      return { ...base, planId: p + 1, modules };
    }),
  );
  const before = h.agent.stats().started;
  const started = Date.now();
  const firstDone = c.confirm!(runs[0]!, 3).then((m) => ({ m, ms: Date.now() - started }));
  const all = await Promise.all([firstDone, ...runs.slice(1).map((r) => c.confirm!(r, 3))]);
  const first = await firstDone;
  assert.ok(
    h.agent.stats().maxRunning <= concurrency,
    `at most ${concurrency} restic at once, saw ${h.agent.stats().maxRunning}`,
  );
  assert.ok(first.ms <= budget * 1000 + 2000, `first report took ${first.ms} ms`);
  // The first report's checks were queued first: all made (no repository there: not saved).
  assert.deepEqual([...new Set([...first.m.values()].map((x) => x.verdict))], ['unconfirmed']);
  // What could not be checked in its budget says so, never a guess.
  const later = all.slice(1).flatMap((m) => [...(m as Map<string, { verdict: string; code?: string }>).values()]);
  for (const x of later.filter((x) => x.verdict === 'not_checked')) assert.equal(x.code, 'CHECK_SKIPPED_BUDGET');
  assert.ok(later.some((x) => x.verdict === 'not_checked'));
  console.log(
    `# ${h.agent.stats().started - before} restic processes for 600 confirmations in ${Date.now() - started} ms`,
  );
});

test('the cost of one confirmation against real restic + rclone serve restic', async () => {
  const dest = await h.addDestination('NAS share', PW);
  const run = reportOf(dest, { nextcloud1: await backup(dest, 'nextcloud1', NC, 3) });
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = Date.now();
    assert.equal((await checker().confirm!(run, 3)).get('nextcloud1')!.verdict, 'confirmed');
    ms.push(Date.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`# one confirmation: median ${ms[2]} ms, min ${ms[0]} ms, max ${ms[4]} ms`);
});
