// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the clean-restore-point horizon (issue #23 item 3). After a suspicious run (a size anomaly,
// snapshots deleted outside the plan) the newest snapshot taken BEFORE it is the last one known to
// be clean. NS8 runs `restic forget --prune --keep-last <retention>` after every successful backup
// (ns8-contract §2): the suspicious snapshot is the newest, the clean one second, and each later
// run pushes it one place down, so the (retention - 1)-th scheduled run after the suspicious one
// removes it — whatever the count is now, since it only moves by one per run. With retention 1
// it is already gone. Failed runs prune nothing: the date is the earliest it can happen.
import { parseCalendar, isCalendarError } from './calendar.js';
import { nextRun } from './runs.js';

import { isSuspicious, type RestoreHorizon } from '../domain/horizon.js';
import type { RunReport } from '../domain/run.js';
import { effectiveRetentionOf } from '../domain/retention.js';

/** Beyond this many runs the date is far enough not to be news (and the search stays bounded). */
export const HORIZON_MAX_RUNS = 1000;

/**
 * The horizon of a run that started at `runStartS` in a plan with `schedule` (OnCalendar) and
 * `retention`; null when the schedule cannot be read or the retention is beyond HORIZON_MAX_RUNS.
 */
export function restoreHorizon(
  runStartS: number,
  schedule: string,
  retention: number,
  timeZone: string,
): RestoreHorizon | null {
  const keep = Math.floor(retention);
  if (!Number.isFinite(keep) || keep > HORIZON_MAX_RUNS) return null;
  if (keep <= 1) return { runsLeft: 0, prunedAt: null, gone: true };
  const cal = parseCalendar(schedule);
  if (isCalendarError(cal)) return null;
  let at = new Date(runStartS * 1000);
  for (let run = 1; run <= keep - 1; run++) {
    const next = nextRun(cal, at, timeZone);
    if (!next) return { runsLeft: keep - 2, prunedAt: null, gone: false };
    at = next;
  }
  return { runsLeft: keep - 2, prunedAt: Math.floor(at.getTime() / 1000), gone: false };
}

/**
 * The run with its horizon when it is suspicious and its plan's schedule and retention are known.
 * A repository shared with a plan of lower retention is pruned by that one too (issue #23 item 2):
 * the horizon follows what the repository of the suspicious applications really keeps.
 */
export function withRestoreHorizon(run: RunReport, timeZone: string): RunReport {
  if (run.schedule === undefined || run.retention === undefined || !run.modules.some(isSuspicious)) return run;
  const suspicious = run.modules.filter(isSuspicious).map((m) => m.moduleId);
  const keep = effectiveRetentionOf(run.retention, run.retentionConflicts, suspicious);
  return { ...run, restoreHorizon: restoreHorizon(run.start, run.schedule, keep, timeZone) };
}
