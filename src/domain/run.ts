// SPDX-License-Identifier: GPL-3.0-or-later
// A backup run as the admin sees it: one plan, one trigger time, one result per module.

import type { ModuleStatus, StatusProblem } from './backup.js';
import type { Confirmation, DestinationHealth } from './destination.js';

import type { RestoreHorizon } from './horizon.js';
import type { PlanRetentionConflict } from './retention.js';
import type { Outcome } from './outcome.js';

// The outcome vocabulary lives in the one outcome table (./outcome.ts); re-exported for the stages
// that speak of runs.
export { type Outcome, OUTCOMES, savedEverything } from './outcome.js';

/** What happened to one module in this run. */
export type ModuleResult = 'success' | 'failed' | 'not_run';

export interface ModuleRow {
  moduleId: string;
  uiName: string;
  node: number | null;
  nodeName: string;
  result: ModuleResult;
  /** Unix s; null when the module did not run in this run. */
  start: number | null;
  /** Unix s; null when the module did not run in this run. */
  end: number | null;
  totalSize: number | null;
  totalFileCount: number | null;
  snapshotsCount: number | null;
  errors: number | null;
  /** `<image>/<module uuid>`: the restic repository path within the destination. */
  repoPath: string;
  /** Set when the module's status was not taken at face value (issue #25): the row is `failed`. */
  statusProblem?: StatusProblem;
  /** How this run compares with the module's previous runs (src/trends/anomaly.ts). */
  trend?: ModuleTrend | null;
  /** What looks wrong in a successful backup; any makes the run a WARNING. */
  anomalies?: Anomaly[];
  /** The last meaningful error lines of the module's backup run, from the cluster logs (masked, capped). */
  errorLines?: string[];
  /** What the destination holds for this application after the run (issue #23). */
  confirmation?: Confirmation;
}

/**
 * cleanup_failed: saved, but removing old snapshots failed (value = snapshots, median = retention);
 * snapshots_deleted: fewer snapshots than the plan's retention allows (value = now, median = before).
 */
export type AnomalyKind = 'shrink' | 'growth' | 'zero_files' | 'cleanup_failed' | 'snapshots_deleted';

export interface Anomaly {
  kind: AnomalyKind;
  /** This run's value (bytes for shrink/growth, files for zero_files). */
  value: number;
  /** Median of the previous runs it is compared with; null for zero_files without history. */
  median: number | null;
}

/** Medians over the module's previous successful runs (at most TREND_RUNS). */
export interface ModuleTrend {
  /** Previous successful runs the medians are made of. */
  runs: number;
  medianSize: number | null;
  medianFiles: number | null;
  medianSeconds: number | null;
  /** Unix s of the module's last successful run before this one. */
  lastSuccessAt: number | null;
}

/** The plan's recent record, this run included. */
export interface PlanTrend {
  /** Runs counted (this one and the previous ones kept, at most TREND_RUNS + 1). */
  runs: number;
  /** Of those, runs that saved every application. */
  saved: number;
  /** Unix s of the last run that saved everything without warnings; null when none is known. */
  lastFullSuccessAt: number | null;
}

/** Whether the error lines could be read from the cluster logs (Loki), for the report's one line. */
export type ErrorLogStatus = 'ok' | 'empty' | 'no_loki' | 'unreachable' | 'auth' | 'timeout' | 'error';

/** The outcome of one plan run: the core data of every report. */
export interface RunReport {
  /** `<plan id>:<run start>`: stable across restarts, so a run is reported once. */
  runKey: string;
  planId: number;
  planName: string;
  destinationId: string;
  destinationName: string;
  outcome: Outcome;
  /** Earliest module start of this run (unix s); for MISSING, the expected trigger time. */
  start: number;
  /** Latest module end of this run (unix s). */
  end: number;
  nodes: { id: number; name: string }[];
  modules: ModuleRow[];
  /** Why this report exists: which triggers saw the run. */
  triggers: string[];
  /** Set when the run spans a node or module whose status is older than the stale age. */
  staleSince?: number | null;
  /** Repository checks of the destination, for runs that were not a full success (issue #5). */
  destinationHealth?: DestinationHealth | null;
  /** Unix s when the monitor made the report: the only time a run without any status has. */
  seenAt?: number;
  /** The plan's recent record (src/trends/). */
  trend?: PlanTrend | null;
  /** How reading the error lines from the cluster logs went; absent when nothing failed. */
  errorLog?: ErrorLogStatus;
  /** The plan's OnCalendar schedule and retention (`--keep-last`) when the run was correlated (issue #23: the restore horizon). */
  schedule?: string;
  retention?: number;
  /** Issue #23 item 3: set by the pipeline for a suspicious run (src/schedule/horizon.ts withRestoreHorizon). */
  restoreHorizon?: RestoreHorizon | null;
  /**
   * Issue #23 item 2: the applications of this plan whose repository another enabled plan with a
   * different retention prunes too (domain/retention.ts conflictsOfPlan); set by the pipeline.
   */
  retentionConflicts?: PlanRetentionConflict[];
}

/** The run's outcome from its module rows (MISSING is decided elsewhere: nothing ran). */
export function outcomeOf(rows: Pick<ModuleRow, 'result'>[]): Outcome {
  const ok = rows.filter((r) => r.result === 'success').length;
  if (rows.length > 0 && ok === rows.length) return 'SUCCESS';
  if (ok > 0) return 'PARTIAL';
  return 'REPO_FAILURE';
}

// Which module results belong to one run: shared by the run tracker (triggers/), which waits for
// the run, and correlate/, which reports it.

/** Module starts of one run may precede the first seen start by timer slip (NS8.md §9.2). */
export const START_TOLERANCE_S = 60;

export interface RunWindow {
  /** Earliest start known to belong to the run (unix s); null = infer the latest run. */
  since: number | null;
  /** Longest a run can last (unix s span), to tell this run from the previous one. */
  maxRunSeconds: number;
}

/** Start of the latest run: the earliest start within maxRunSeconds of the newest start. */
export function inferRunStart(statuses: Iterable<ModuleStatus>, maxRunSeconds: number): number | null {
  const starts = [...statuses].map((s) => s.start);
  if (starts.length === 0) return null;
  const newest = Math.max(...starts);
  return Math.min(...starts.filter((s) => s >= newest - maxRunSeconds));
}

/** Whether a module start belongs to the run that started at `since`. */
export const inRunWindow = (start: number, since: number, maxRunSeconds: number): boolean =>
  start >= since - START_TOLERANCE_S && start <= since + maxRunSeconds;
