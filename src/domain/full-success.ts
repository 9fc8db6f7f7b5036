// SPDX-License-Identifier: GPL-3.0-or-later
// "Last full success", one rule for the run mail (trends/anomaly.ts planTrend), the digest
// (digest/content.ts) and the status page (imageroot/pypkg/backup_monitor/history.py
// last_full_success_of, the same rule over the same stored runs): the newest run whose outcome is
// SUCCESS. A WARNING run saved everything (PlanState.lastSuccessAt counts it, for staleness) but
// is no full success, so the admin reads one date wherever it is told (issue #21).
import { outcomeRow } from './outcome.js';

/** A run as far as this rule needs it: its start (unix s) and its newest outcome. */
export interface DecidedRun {
  start: number;
  outcome: string;
}

/** Start (unix s) of the newest full success among `runs` (any order), or null when none is. */
export function lastFullSuccessAt(runs: Iterable<DecidedRun>): number | null {
  let best: number | null = null;
  for (const r of runs) if (isFullSuccess(r.outcome) && (best === null || r.start > best)) best = r.start;
  return best;
}

/** Saved everything and no problem to tell: SUCCESS (an outcome this version does not know is not one). */
const isFullSuccess = (outcome: string): boolean => outcomeRow(outcome).saved && !outcomeRow(outcome).problem;
