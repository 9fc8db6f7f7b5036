// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: when a run still open is stuck (issue #24 item 5), from the plan's recent runs: a run
// whose applications all reported took from its first start to its last end; the usual duration is
// the median of the last ones. Stuck = open for twice that, and at least half an hour longer (a
// 2-minute plan is not stuck at 4 minutes: nodes wait for each other). No usable history: never.
// A maximum run duration set for the plan (or for every plan: Veeam's "maximum job duration")
// replaces the history rule; a plan's own 0 means "from its history" even then.
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
  /** Present when a maximum set by the admin decides, not the history. */
  maximumSeconds?: number;
}

/** The settings (config `stuck`): a maximum for every plan (0 = history) and per plan. */
export interface StuckSettings {
  maxRunDurationSeconds: number;
  /** `<plan id>:<seconds>` entries by `,` (the manifest's pattern has checked the syntax). */
  plans: string;
}

/** `2:7200,5:0` -> plan id -> seconds. */
export function parsePlanMaximums(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of text.split(',').filter(Boolean)) {
    const [id, seconds] = entry.split(':').map(Number);
    out.set(id!, seconds!);
  }
  return out;
}

/** When a plan's open run is stuck, from its maximum (its own, else every plan's) or its history. */
export function stuckRuleOf(s: StuckSettings): (planId: number, history: RunSummary[]) => StuckLimit | null {
  const plans = parsePlanMaximums(s.plans);
  return (planId, history) => {
    const maximum = plans.get(planId) ?? s.maxRunDurationSeconds;
    const fromHistory = stuckLimitOf(history);
    if (maximum <= 0) return fromHistory;
    return { afterSeconds: maximum, usualSeconds: fromHistory?.usualSeconds ?? null, maximumSeconds: maximum };
  };
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
