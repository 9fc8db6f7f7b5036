// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: whether a plan's last scheduled run is missing, and its next run (issue #4). Used by the
// missed-run watchdog (triggers/missed-runs.ts) and by /metrics, which must not import a trigger.
import type { PlanSnapshot } from '../domain/backup.js';
import type { WatchRecord } from '../domain/records.js';
import { isCalendarError, nextRun, parseCalendar, previousRun } from './index.js';

export interface WatchOptions {
  /** Seconds after a scheduled time before a run counts as missing (MISSED_RUN_GRACE_SECONDS). */
  grace: number;
  /** Seconds a module may start before the scheduled time and still count (timer slip). */
  tolerance: number;
  timeZone: string;
}

export type Verdict =
  | { kind: 'disabled' | 'no-modules' | 'never-due' }
  | { kind: 'bad-schedule'; error: string }
  | { kind: 'new-plan' | 'ran' | 'already-reported'; expectedAt: number }
  | { kind: 'missing'; expectedAt: number; modules: string[] };

/** PURE: is the plan's last expected run missing? */
export function checkPlan(snap: PlanSnapshot, rec: WatchRecord, nowS: number, o: WatchOptions): Verdict {
  const { plan } = snap;
  if (!plan.enabled) return { kind: 'disabled' };
  const cal = parseCalendar(plan.schedule);
  if (isCalendarError(cal)) return { kind: 'bad-schedule', error: cal.error };
  const live = snap.modules.filter((m) => m.node !== null).map((m) => m.id);
  if (live.length === 0) return { kind: 'no-modules' };
  const due = previousRun(cal, new Date((nowS - o.grace) * 1000), o.timeZone);
  if (!due) return { kind: 'never-due' };
  const expectedAt = Math.floor(due.getTime() / 1000);
  if (rec.firstSeen > expectedAt) return { kind: 'new-plan', expectedAt };
  const ran = live.some((m) => (snap.statuses.get(m)?.start ?? -Infinity) >= expectedAt - o.tolerance);
  if (ran) return { kind: 'ran', expectedAt };
  if (rec.reported === expectedAt) return { kind: 'already-reported', expectedAt };
  return { kind: 'missing', expectedAt, modules: live };
}

/** PURE: the plan's next trigger time after `nowS` (unix s), or null (disabled, not understood, never). */
export function nextRunOf(snap: PlanSnapshot, nowS: number, timeZone: string): number | null {
  if (!snap.plan.enabled) return null;
  const cal = parseCalendar(snap.plan.schedule);
  if (isCalendarError(cal)) return null;
  const next = nextRun(cal, new Date(nowS * 1000), timeZone);
  return next ? Math.floor(next.getTime() / 1000) : null;
}

/** PURE: the record after seeing the plan now; a changed schedule or a re-enable starts afresh. */
export function observe(prev: WatchRecord | undefined, snap: PlanSnapshot, nowS: number): WatchRecord {
  const { schedule, enabled } = snap.plan;
  if (prev && prev.schedule === schedule && (prev.enabled || !enabled)) return { ...prev, enabled };
  return { schedule, enabled, firstSeen: nowS, reported: prev?.schedule === schedule ? prev.reported : null };
}
