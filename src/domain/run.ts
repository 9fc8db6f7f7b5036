// SPDX-License-Identifier: GPL-3.0-or-later
// A backup run as the admin sees it: one plan, one trigger time, one result per module.

import type { DestinationHealth } from '../repocheck/types.js';
/** Seed-compatible outcome names, used in subjects and history. */
export type Outcome = 'SUCCESS' | 'PARTIAL' | 'REPO_FAILURE' | 'MISSING';

/** What happened to one module in this run. */
export type ModuleResult = 'success' | 'failed' | 'not_run';

export interface ModuleRow {
  moduleId: string;
  uiName: string;
  node: number | null;
  nodeName: string;
  result: ModuleResult;
  /** Unix seconds; null when the module did not run in this run. */
  start: number | null;
  end: number | null;
  totalSize: number | null;
  totalFileCount: number | null;
  snapshotsCount: number | null;
  errors: number | null;
  /** `<image>/<module uuid>`: the restic repository path within the destination. */
  repoPath: string;
}

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
}

export function classify(rows: Pick<ModuleRow, 'result'>[]): Outcome {
  const ok = rows.filter((r) => r.result === 'success').length;
  if (rows.length > 0 && ok === rows.length) return 'SUCCESS';
  if (ok > 0) return 'PARTIAL';
  return 'REPO_FAILURE';
}
