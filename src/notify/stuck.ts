// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: when a run still open is stuck (issue #24 item 5), from the plan's recent runs: a run
// whose applications all reported took from its first start to its last end; the usual duration is
// the median of the last ones. Stuck = open for twice that, and at least half an hour longer (a
// 2-minute plan is not stuck at 4 minutes: nodes wait for each other). No usable history: never.
import { median, type RunSummary } from '../trends/anomaly.js';

/** Complete runs a usual duration needs. */
export const STUCK_MIN_RUNS = 3;
/** How many of the most recent complete runs make the median. */
const STUCK_RUNS = 5;
const STUCK_FACTOR = 2;
const STUCK_MARGIN_SECONDS = 1800;

/** First start to last end of a run where every application has its times, or null. */
export function runSeconds(run: RunSummary): number | null {
  const mods = run.modules;
  if (!mods.length || mods.some((m) => m.start === null || m.seconds === null)) return null;
  const first = Math.min(...mods.map((m) => m.start!));
  return Math.max(...mods.map((m) => m.start! + m.seconds!)) - first;
}

export interface StuckLimit {
  afterSeconds: number;
  usualSeconds: number | null;
}

/** `history` newest first, as the history keeps it. */
export function stuckLimitOf(history: RunSummary[]): StuckLimit | null {
  const durations = history
    .map(runSeconds)
    .filter((s): s is number => s !== null)
    .slice(0, STUCK_RUNS);
  if (durations.length < STUCK_MIN_RUNS) return null;
  const usual = median(durations)!;
  return { afterSeconds: Math.max(usual * STUCK_FACTOR, usual + STUCK_MARGIN_SECONDS), usualSeconds: usual };
}
