// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23: a cleanup (`forget --prune`) failing run after run escalates the mail's words to
// "retention has failed on every run since <date>", the date taken from the plan's run history
// as the pipeline keeps it (confirm at the destination, then remember the run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChecker } from '../../src/repocheck/checker.js';
import { CLEANUP_STUCK_RUNS, cleanupStreak, withConfirmations } from '../../src/repocheck/confirm.js';
import { remember, type RunSummary } from '../../src/trends/anomaly.js';
import { renderReport } from '../../src/report/render.js';
import { memoryLogger } from '../../src/log.js';
import type { TaskRunner } from '../../src/ns8/api-client.js';
import type { ModuleRow, RunReport } from '../../src/domain/run.js';

const DAY = 86_400;
const FIRST = 1_786_000_000;
/** FIRST as the mail writes it in UTC, computed apart from the product's formatter. */
const FIRST_TEXT = new Date(FIRST * 1000).toISOString().slice(0, 16).replace('T', ' ');
const RETENTION = 3;

/** A nightly run of plan 2 where NS8 reported nextcloud1 failed with errors = 1 (stats read). */
function nightly(night: number): RunReport {
  const start = FIRST + night * DAY;
  const m: ModuleRow = {
    moduleId: 'nextcloud1',
    uiName: 'Cloud',
    node: 1,
    nodeName: 'ns1',
    result: 'failed',
    start,
    end: start + 60,
    totalSize: 10,
    totalFileCount: 1,
    snapshotsCount: 1,
    errors: 1,
    repoPath: 'nextcloud/uuid-1',
  };
  return {
    runKey: `2:${start}`,
    planId: 2,
    planName: 'Nightly',
    destinationId: 'dest-1',
    destinationName: 'NAS share',
    outcome: 'REPO_FAILURE',
    start,
    end: start + 70,
    nodes: [{ id: 1, name: 'ns1' }],
    modules: [m],
    triggers: ['event'],
  };
}

/** The destination as read-backup-snapshots lists it: one snapshot per night so far, never pruned. */
function destinationAfter(nights: number): TaskRunner {
  return {
    runClusterTask: async () => ({
      exitCode: 0,
      error: '',
      taskId: 't',
      output: Array.from({ length: RETENTION + nights }, (_, i) => ({
        timestamp: FIRST + (i - RETENTION) * DAY + 5,
        id: `s${i}`,
        total_bytes: 10,
      })),
    }),
  };
}

/** One night as the pipeline runs it: confirmed at the destination, then kept in the history. */
async function night(n: number, history: { runs: RunSummary[] }) {
  const run = nightly(n);
  const checker = createChecker({
    api: destinationAfter(n + 1),
    settings: {
      enabled: true,
      timeout: 5,
      budget: 10,
      concurrency: 2,
      apiUrl: '',
      cacheSeconds: 0,
      verify: 'all',
      maxPerHour: 100,
    },
    clock: { now: () => (run.end + 30) * 1000 },
    logger: memoryLogger(),
    history: { load: async () => history.runs },
  });
  const confirmed = withConfirmations(run, await checker.confirm!(run, RETENTION));
  history.runs = remember(history.runs, confirmed);
  return confirmed;
}

const mail = (run: RunReport, language: 'en' | 'it' = 'en') =>
  renderReport(run, 'repeat', { language, subjectPrefix: '', timeZone: 'UTC', moduleId: 'backup-monitor1' }).text;

test('cleanup failing on every run: from the third run the mail says since when, en and it', async () => {
  const history = { runs: [] as RunSummary[] };
  const first = await night(0, history);
  const second = await night(1, history);
  assert.equal(first.modules[0]!.confirmation!.verdict, 'cleanup_failed');
  // One or two failed cleanups are the plain "saved, cleanup failed".
  for (const run of [first, second]) {
    assert.equal(run.modules[0]!.confirmation!.cleanupStuck ?? null, null);
    assert.doesNotMatch(mail(run), /every run since/);
  }
  const third = await night(2, history);
  assert.deepEqual(third.modules[0]!.confirmation!.cleanupStuck, { since: FIRST, runs: CLEANUP_STUCK_RUNS });
  const text = mail(third);
  assert.match(
    text,
    new RegExp(
      `Retention has failed on every run since ${FIRST_TEXT} \\(3 runs in a row\\): the repository at NAS share keeps growing`,
    ),
  );
  assert.match(
    text,
    new RegExp(`What to do[\\s\\S]*Retention has failed on every run of Cloud.* since ${FIRST_TEXT}`, 'i'),
  );
  // The stuck step replaces the plain one: one step about the cleanup, not two.
  assert.doesNotMatch(text, /Old snapshots of .* are not being removed/);
  assert.match(
    mail(third, 'it'),
    new RegExp(`La retention non è riuscita in nessuna esecuzione dal ${FIRST_TEXT} \\(3 esecuzioni di seguito\\)`),
  );
});

test('the streak ends at the first run that was confirmed otherwise or not checked: never guessed', async () => {
  const history = { runs: [] as RunSummary[] };
  await night(0, history);
  await night(1, history);
  // Night 1 was not checked at the destination: nothing is known of it.
  history.runs = history.runs.map((r) =>
    r.start === FIRST + DAY
      ? { ...r, modules: r.modules.map((m) => ({ ...m, confirmation: 'not_checked' as const })) }
      : r,
  );
  const run = nightly(2);
  assert.equal(cleanupStreak(run.modules[0]!, run, history.runs), null);
  // A run without the application (it was not in the plan that night) is skipped, not an end.
  const without = { ...nightly(0), runKey: `2:${FIRST + DAY / 2}`, start: FIRST + DAY / 2, modules: [] };
  const kept = [nightly(0), without, nightly(1)].reduce(
    (h, r) => remember(h, r.modules.length ? withFailedCleanup(r) : r),
    [] as RunSummary[],
  );
  assert.equal(kept.length, 3);
  assert.deepEqual(cleanupStreak(run.modules[0]!, run, kept), { since: FIRST, runs: 3 });
});

/** A run whose only application was confirmed as a failed cleanup, as the history keeps it. */
function withFailedCleanup(run: RunReport): RunReport {
  const c = {
    verdict: 'cleanup_failed' as const,
    since: run.start,
    latestSnapshot: run.start + 5,
    snapshotCount: 4,
    retention: 3,
  };
  return withConfirmations(run, new Map([['nextcloud1', c]]));
}
