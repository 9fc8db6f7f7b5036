// SPDX-License-Identifier: GPL-3.0-or-later
// The clean-restore-point horizon of a suspicious run (issue #23 item 3): computed by
// src/schedule/horizon.ts from the plan's schedule and retention, carried on the run, told by
// src/report/horizon.ts.

export interface RestoreHorizon {
  /** Runs that can still save before the one that removes the last clean snapshot. */
  runsLeft: number;
  /** Unix s of the scheduled run that removes it; null when already gone or the schedule never fires. */
  prunedAt: number | null;
  /** The retention keeps only the suspicious snapshot: nothing older is left. */
  gone: boolean;
}

/** Anomalies after which the snapshots taken before the run are the ones to keep. */
export const SUSPICIOUS: ReadonlySet<string> = new Set(['shrink', 'growth', 'zero_files', 'snapshots_deleted']);

/** Structural (an application row's anomalies), so this file needs nothing of run.ts. */
export const isSuspicious = (m: { anomalies?: readonly { kind: string }[] }): boolean =>
  (m.anomalies ?? []).some((a) => SUSPICIOUS.has(a.kind));
