// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: a finished run's claims against what its destination holds (issue #23). NS8's status is
// coarse (ns8-contract §1.5: `errors` adds +1 stats, +1 module-backup, +1 `forget --prune`), so
// each application's claim is compared with the snapshots `read-backup-snapshots` lists:
// a success needs a snapshot newer than the application's start, a failure with exactly that
// snapshot and only one error after a readable `stats latest` is a failed cleanup, and a count
// below what the plan's `--keep-last` can explain is a loss outside the plan.
import type { Confirmation, RepoCheck } from '../domain/destination.js';
import { outcomeOf, type Anomaly, type ModuleRow, type RunReport } from '../domain/run.js';
import { previousRuns, type RunSummary } from '../trends/anomaly.js';
import { SNAPSHOT_AHEAD } from './classify.js';

/** restic stamps a snapshot when `restic backup` starts, after run-backup took `start`; the slack covers clocks. */
export const SNAPSHOT_SLACK_S = 60;

/** The last count seen per repository, for losses; null when this repository was never read. */
export type PreviousCount = number | null;

/**
 * One application's confirmation from its repository check. A check that could not read the
 * repository concludes nothing (not_checked), except a missing repository: nothing is there.
 */
export function confirmationOf(
  row: Pick<ModuleRow, 'result' | 'start' | 'errors' | 'snapshotsCount'>,
  check: Pick<RepoCheck, 'verdict' | 'latestSnapshot' | 'snapshotCount' | 'code'>,
  retention: number,
  previous: PreviousCount,
): Confirmation {
  const since = row.start ?? 0;
  const base = { since, retention, latestSnapshot: check.latestSnapshot, snapshotCount: check.snapshotCount };
  const readable = check.verdict === 'healthy' || check.verdict === 'missing';
  if (!readable) return { ...base, verdict: 'not_checked', code: check.code };
  const count = check.snapshotCount ?? 0;
  const fresh = check.latestSnapshot !== null && check.latestSnapshot >= since - SNAPSHOT_SLACK_S;
  const loss =
    previous !== null && count < Math.min(previous, retention) ? { before: previous, after: count, retention } : null;
  // latestSnapshot leaves out snapshots dated ahead of the clock; without a believed one of this
  // run, one of those might be it: nothing is concluded, and the code says why (issue #25).
  if (!fresh && check.code === SNAPSHOT_AHEAD)
    return { ...base, verdict: 'not_checked', code: check.code, ...(loss ? { loss } : {}) };
  const verdict =
    row.result === 'success'
      ? fresh
        ? 'confirmed'
        : 'unconfirmed'
      : fresh && cleanupOnly(row)
        ? 'cleanup_failed'
        : 'not_saved';
  return { ...base, verdict, ...(loss ? { loss } : {}) };
}

/**
 * run-backup's errors = 1 with the stats read (`snapshots_count` 1: `restic stats latest`
 * answered) leaves module-backup or `forget --prune`; with this run's snapshot at the
 * destination, the backup itself was made and the step after it failed.
 */
const cleanupOnly = (row: Pick<ModuleRow, 'errors' | 'snapshotsCount'>) =>
  row.errors === 1 && (row.snapshotsCount ?? 0) >= 1;

/**
 * The run as the destination confirms it: an unconfirmed success is not saved (its row becomes
 * failed, the run is no longer a success), a failed cleanup is saved with a warning, a loss of
 * snapshots is a warning. MISSING runs and rows without a confirmation are left as they are.
 */
export function withConfirmations(run: RunReport, found: ReadonlyMap<string, Confirmation>): RunReport {
  if (run.outcome === 'MISSING' || found.size === 0) return run;
  const modules = run.modules.map((m) => confirmedRow(m, found.get(m.moduleId)));
  const base = outcomeOf(modules);
  const warned = modules.some((m) => m.result === 'success' && (m.anomalies?.length ?? 0) > 0);
  return { ...run, modules, outcome: base === 'SUCCESS' && warned ? 'WARNING' : base };
}

function confirmedRow(m: ModuleRow, c: Confirmation | undefined): ModuleRow {
  if (!c) return m;
  const extra: Anomaly[] = [];
  if (c.verdict === 'cleanup_failed')
    extra.push({ kind: 'cleanup_failed', value: c.snapshotCount ?? 0, median: c.retention });
  if (c.loss) extra.push({ kind: 'snapshots_deleted', value: c.loss.after, median: c.loss.before });
  const anomalies = [...(m.anomalies ?? []).filter((a) => !OURS.has(a.kind)), ...extra];
  const result = c.verdict === 'unconfirmed' ? 'failed' : c.verdict === 'cleanup_failed' ? 'success' : m.result;
  return { ...m, result, confirmation: c, anomalies };
}

/** Anomalies this stage adds: replaced, not doubled, when a run is confirmed again (an update). */
const OURS: ReadonlySet<string> = new Set(['cleanup_failed', 'snapshots_deleted']);

/** Which applications of a run are looked for at the destination under DESTINATION_VERIFY. */
export function rowsToConfirm(run: Pick<RunReport, 'modules'>, mode: 'all' | 'failures' | 'off'): ModuleRow[] {
  if (mode === 'off') return [];
  return run.modules.filter(
    (m) =>
      m.repoPath !== '' && m.start !== null && (m.result === 'failed' || (mode === 'all' && m.result === 'success')),
  );
}

/** Runs in a row (this one included) with a failed cleanup before the mail says "retention stuck since …". */
export const CLEANUP_STUCK_RUNS = 3;

/**
 * How long one application's cleanup has been failing, from the plan's run history: this run and
 * the runs of the application before it whose confirmation was cleanup_failed, back to the first
 * run that says otherwise (or was not confirmed: never guessed). Null below CLEANUP_STUCK_RUNS.
 */
export function cleanupStreak(
  row: Pick<ModuleRow, 'moduleId' | 'start'>,
  run: Pick<RunReport, 'runKey' | 'start'>,
  history: RunSummary[],
): { since: number; runs: number } | null {
  let since = row.start ?? run.start;
  let runs = 1;
  for (const past of previousRuns(run, history)) {
    const m = past.modules.find((x) => x.id === row.moduleId);
    if (!m) continue; // a run without this application says nothing about its repository
    if (m.confirmation !== 'cleanup_failed') break;
    runs++;
    since = m.start ?? past.start;
  }
  return runs >= CLEANUP_STUCK_RUNS ? { since, runs } : null;
}

/** The confirmations with cleanupStuck set where the history shows the cleanup failing for several runs. */
export function withCleanupStreaks(
  run: Pick<RunReport, 'runKey' | 'start' | 'modules'>,
  found: Map<string, Confirmation>,
  history: RunSummary[],
): Map<string, Confirmation> {
  const out = new Map(found);
  for (const m of run.modules) {
    const c = found.get(m.moduleId);
    if (c?.verdict !== 'cleanup_failed') continue;
    const stuck = cleanupStreak(m, run, history);
    if (stuck) out.set(m.moduleId, { ...c, cleanupStuck: stuck });
  }
  return out;
}
