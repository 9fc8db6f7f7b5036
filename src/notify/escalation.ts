// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: failure tolerance and escalation per plan (issue #24).
// - Tolerance N: a plan's first problem mail waits for its N-th consecutive failed run (1 = at
//   the first, as before). The runs before are recorded and shown, not mailed; a success in
//   between starts the count again, and nothing was told, so there is no recovery mail either.
// - Escalation after H: a plan failing for H (since its failure streak began) whose failure
//   was told and not silenced (acknowledged or snoozed mails are held before this) gets its next
//   mail — a reminder, at once — also sent to the escalation recipients, once per streak.
import { isProblem } from '../domain/outcome.js';
import type { NotifyReason, PlanState } from '../domain/records.js';
import type { Outcome, RunReport } from '../domain/run.js';
import type { EscalationSettings } from '../domain/escalation.js';

export type { EscalationSettings } from '../domain/escalation.js';

/** What applies to one plan. */
export interface PlanRules {
  failureTolerance: number;
  /** 0 = never (also when there is no escalation recipient). */
  escalateAfterSeconds: number;
}

/** `2:3:172800,5:1:0` -> plan id -> rules (the manifest's pattern has checked the syntax). */
export function parsePlanRules(text: string): Map<number, { failureTolerance: number; afterSeconds: number }> {
  const out = new Map<number, { failureTolerance: number; afterSeconds: number }>();
  for (const entry of text.split(',').filter(Boolean)) {
    const [id, tolerance, after] = entry.split(':').map(Number);
    out.set(id!, { failureTolerance: Math.max(1, tolerance!), afterSeconds: after! });
  }
  return out;
}

/** The rules of each plan: its own entry, else the module's defaults. */
export function planRulesOf(s: EscalationSettings): (planId: number) => PlanRules {
  const plans = parsePlanRules(s.plans);
  return (planId) => {
    const own = plans.get(planId);
    const after = own?.afterSeconds ?? s.afterSeconds;
    return {
      failureTolerance: own?.failureTolerance ?? s.failureTolerance,
      escalateAfterSeconds: s.to.length ? after : 0,
    };
  };
}

const failing = isProblem;

/**
 * What the admin was last told about a plan: null = nothing yet, as good as "fine" (a failure
 * held from the first run on, by the tolerance, is still news); states written before
 * mailedOutcome existed fall back to the last run.
 */
export const toldOutcome = (prev: PlanState): Outcome =>
  prev.mailedOutcome === undefined ? prev.lastOutcome : (prev.mailedOutcome ?? 'SUCCESS');
const told = toldOutcome;

/** Consecutive failed runs counting `run` (a run already counted — an update, a reminder — once). */
export function failedRunsWith(prev: PlanState | undefined, run: RunReport): number {
  if (!failing(run.outcome)) return 0;
  const before = prev?.failedRuns ?? (prev && failing(prev.lastOutcome) ? 1 : 0);
  return prev?.lastRunKey === run.runKey ? Math.max(1, before) : before + 1;
}

/** A 'first' problem mail before the N-th consecutive failure is held: recorded (a run) or dropped (a reminder). */
export function withinTolerance(
  prev: PlanState | undefined,
  run: RunReport,
  reason: NotifyReason,
  rules: PlanRules,
  isReminder: boolean,
): NotifyReason {
  if (reason !== 'first' || failedRunsWith(prev, run) >= rules.failureTolerance) return reason;
  return isReminder ? 'duplicate' : 'muted';
}

/** Whether the watchdog must not remind: a failure the tolerance still holds was never told. */
export function toleranceHolds(prev: PlanState, rules: PlanRules | undefined): boolean {
  if (!rules || !failing(prev.lastOutcome)) return false;
  return !failing(told(prev)) && (prev.failedRuns ?? 1) < rules.failureTolerance;
}

/** Whether the mail about `run` (failing) is the streak's escalation: failing for long enough, not yet escalated. */
export function escalationDue(prev: PlanState | undefined, run: RunReport, nowS: number, rules: PlanRules): boolean {
  if (rules.escalateAfterSeconds <= 0 || !failing(run.outcome) || prev?.escalatedAt != null) return false;
  const since = prev?.failingSince ?? run.start;
  return nowS - since >= rules.escalateAfterSeconds;
}

/** The watchdog's side: a told, still failing plan whose escalation time has come (no new run needed). */
export function escalationPending(prev: PlanState, nowS: number, rules: PlanRules | undefined): boolean {
  if (!rules || rules.escalateAfterSeconds <= 0 || prev.escalatedAt != null || prev.failingSince == null) return false;
  return failing(prev.lastOutcome) && failing(told(prev)) && nowS - prev.failingSince >= rules.escalateAfterSeconds;
}
