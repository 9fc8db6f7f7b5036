// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: what an administrator silenced on purpose (issue #24), and what it does to a decision.
//
// - Acknowledged: "I know this plan fails". Holds while the situation is the one acknowledged:
//   same outcome, no application failing that was not failing then. A different outcome, a new
//   application failing or a recovery ends it; the run that ends it is mailed as decided.
// - Snoozed: no mail until a time (at most 30 days, the action's rule) or until the plan's next
//   full success. Every run is still decided and recorded; the snooze ends by itself, and its end
//   is announced once ("Snooze ended: … is still failing") if the plan still fails then.
// The actions acknowledge-plan and snooze-plan write the record (imageroot/pypkg/backup_monitor/
// silences.py); the service only removes what ended.
import { isProblem } from '../domain/outcome.js';
import type { NotifyReason } from '../domain/records.js';
import type { Outcome, RunReport } from '../domain/run.js';
import { isNumber, isNumberOrNull, isObject, type RecordShape } from '../domain/stored-record.js';
import { MAILED } from './decide.js';

export interface Acknowledgement {
  /** The cluster-admin user that ran the action (AGENT_TASK_USER), or "" when NS8 did not say. */
  by: string;
  /** Unix s. */
  at: number;
  comment: string;
  /** The plan's outcome when acknowledged. */
  outcome: Outcome;
  /** Applications (module ids) not saved when acknowledged. */
  failing: string[];
}

export interface Snooze {
  by: string;
  /** Unix s. */
  at: number;
  comment: string;
  /** Unix s when the snooze ends by itself, or null (only until the next full success). */
  until: number | null;
  /** Ends at the first full success (SUCCESS) of a run started after `at`. */
  untilSuccess: boolean;
}

/** `module/<id>/silences` (HASH, field = plan id, value = JSON). */
export interface Silence {
  acknowledged?: Acknowledgement | null;
  snoozed?: Snooze | null;
}

export type SilenceKind = 'acknowledged' | 'snoozed';

const isText = (v: unknown) => typeof v === 'string';
const isBy = (v: Record<string, unknown>) => isText(v.by) && isNumber(v.at) && isText(v.comment);

export const SILENCE: RecordShape<Silence> = {
  name: 'silence',
  problem(v) {
    const a = v.acknowledged;
    if (a != null && !(isObject(a) && isBy(a) && isText(a.outcome) && Array.isArray(a.failing)))
      return 'acknowledgement without who, when, outcome or applications';
    const s = v.snoozed;
    if (s != null && !(isObject(s) && isBy(s) && isNumberOrNull(s.until) && typeof s.untilSuccess === 'boolean'))
      return 'snooze without who, when or end';
    if (isObject(s) && s.until === null && !s.untilSuccess) return 'snooze that never ends';
    return null;
  },
};

const failingApps = (run: RunReport) => run.modules.filter((m) => m.result !== 'success').map((m) => m.moduleId);

/** Whether the acknowledged situation still stands for this run. */
export function acknowledgementHolds(ack: Acknowledgement, run: RunReport): boolean {
  return (
    isProblem(run.outcome) && run.outcome === ack.outcome && failingApps(run).every((m) => ack.failing.includes(m))
  );
}

/** Whether a snooze is over: its time has come, or (until success) a run after it saved everything cleanly. */
export function snoozeOver(snooze: Snooze, nowS: number, run?: RunReport): boolean {
  if (snooze.until !== null && nowS >= snooze.until) return true;
  return !!run && snooze.untilSuccess && run.outcome === 'SUCCESS' && run.start >= snooze.at;
}

/** What is in force at `nowS` regardless of new runs: the watchdog holds reminders for these. */
export function silencedNow(s: Silence | null | undefined, nowS: number): SilenceKind | null {
  if (s?.snoozed && !snoozeOver(s.snoozed, nowS)) return 'snoozed';
  return s?.acknowledged ? 'acknowledged' : null;
}

export interface Silenced {
  /** The decision after the silence: a mail it holds becomes 'muted' (a run) or 'duplicate' (a reminder). */
  reason: NotifyReason;
  /** What holds the mail back, or null. */
  by: SilenceKind | null;
  /** Silences this run ended; `next` is the record without them. */
  ended: SilenceKind[];
  next: Silence;
  /** The mail announces the end of a snooze: the plan is still failing (its own words). */
  snoozeEnded: boolean;
}

/**
 * A decision seen through the plan's silence. A held reminder is 'duplicate' (nothing to store:
 * the plan did not change), a held run 'muted' (recorded, shown, in the digest, not mailed).
 */
export function applySilence(
  s: Silence | null | undefined,
  run: RunReport,
  reason: NotifyReason,
  nowS: number,
  isReminder: boolean,
): Silenced {
  const next: Silence = { ...s };
  const ended: SilenceKind[] = [];
  if (next.snoozed && snoozeOver(next.snoozed, nowS, run)) {
    next.snoozed = null;
    ended.push('snoozed');
  }
  if (next.acknowledged && !acknowledgementHolds(next.acknowledged, run)) {
    next.acknowledged = null;
    ended.push('acknowledged');
  }
  const by: SilenceKind | null = next.snoozed ? 'snoozed' : next.acknowledged ? 'acknowledged' : null;
  const held = by !== null && MAILED.has(reason);
  // A snooze that ran out while the plan still fails is announced once, at its end, whatever the
  // reminder interval says (0 = no reminders): the watchdog asks (reminders.ts), the record goes.
  const announce = ended.includes('snoozed') && by === null && isProblem(run.outcome) && !snoozeEndedBySuccess(s, run);
  const out = held ? (isReminder ? 'duplicate' : 'muted') : announce && !MAILED.has(reason) ? 'reminder' : reason;
  return { reason: out, by: held ? by : null, ended, next, snoozeEnded: announce && MAILED.has(out) };
}

const snoozeEndedBySuccess = (s: Silence | null | undefined, run: RunReport) =>
  !!s?.snoozed?.untilSuccess && run.outcome === 'SUCCESS';

/** A snooze whose time has come: the watchdog asks for its announcement (no new run needed). */
export const snoozeRanOut = (s: Silence | null | undefined, nowS: number): boolean =>
  !!s?.snoozed && s.snoozed.until !== null && nowS >= s.snoozed.until;

/** A snoozed plan as the digest lists it. */
export interface SnoozedPlan {
  planId: number;
  until: number | null;
  untilSuccess: boolean;
}

/** The snoozes still in force at `nowS`, by plan id. */
export function snoozedPlans(silences: Map<number, Silence>, nowS: number): SnoozedPlan[] {
  const out: SnoozedPlan[] = [];
  for (const [planId, s] of [...silences].sort((a, b) => a[0] - b[0]))
    if (s.snoozed && !snoozeOver(s.snoozed, nowS))
      out.push({ planId, until: s.snoozed.until, untilSuccess: s.snoozed.untilSuccess });
  return out;
}
