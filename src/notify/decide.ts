// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: should this run produce a mail, and why? Returns a named reason, never a boolean.
//
// The story a person gets for one plan:
// - every new run has at most one mail (first | repeat | changed | recovered | success), and a
//   later, different result for the same run is an 'update'; anything already told is 'duplicate';
// - a plan that keeps failing with no new run gets a 'reminder' once the last mail is older than
//   the reminder interval (never one per poll or per Alertmanager repeat: those are 'duplicate');
// - flap damping: when a plan's result flips between failure and success `flapChanges` times
//   within `flapWindowSeconds`, further flips are held ('muted'). The held news goes out once the plan has
//   kept one result for a whole flap window (as 'recovered' or 'first', via pendingNotice +
//   decideReminder), or as a reminder if it keeps failing. Reasons are computed against what the
//   admin was last TOLD (`mailedOutcome`), so a held recovery is never lost.
import { isProblem } from '../domain/outcome.js';
import type { PlanState, NotifyReason } from '../domain/records.js';
import { savedEverything, type Outcome, type RunReport } from '../domain/run.js';
import { escalationPending, failedRunsWith, toldOutcome, toleranceHolds, type PlanRules } from './escalation.js';

export interface DecideOptions {
  notifyOnSuccess: boolean;
  /** Outcome flips closer together than this count towards flapping (default 6 h). */
  flapWindowSeconds?: number;
  /** Flips (including this one) within flapWindowSeconds that make a plan flapping (default 3). */
  flapChanges?: number;
}

export interface ReminderOptions extends DecideOptions {
  nowMs: number;
  /** Between reminders for a plan that stays failing; 0 = no reminders. */
  reminderIntervalSeconds: number;
  /** Failure tolerance and escalation of each plan (issue #24, notify/escalation.ts); none = 1 and never. */
  planRules?: (planId: number) => PlanRules;
}

export const FLAP_WINDOW_S = 6 * 3600;
export const FLAP_CHANGES = 3;

/** Reasons that put a mail in the outbox; the others only update state. */
export const MAILED: ReadonlySet<NotifyReason> = new Set<NotifyReason>([
  'first',
  'repeat',
  'changed',
  'update',
  'reminder',
  'recovered',
  'success',
]);

/**
 * Reasons a channel besides email takes (issues #22 and #24 item 5): every reason that mails, and
 * the "⏳ Still running" notice of a stuck run. That notice is not in MAILED: email gets it by its
 * own path (pipeline notifyStuck) and it leaves the plan state as it was, so it never counts as
 * told. The channels' rule (channels/audience.ts) reads this set, never MAILED.
 */
export const CHANNEL_REASONS: ReadonlySet<NotifyReason> = new Set<NotifyReason>([...MAILED, 'stuck']);

/** A fingerprint of what the admin would see change: outcome and per-module results. */
export function runFingerprint(run: RunReport): string {
  return [run.outcome, ...run.modules.map((m) => `${m.moduleId}=${m.result}`).sort()].join(',');
}

export const runStartOf = (runKey: string): number => Number(runKey.split(':')[1] ?? 0);
/** Anything but SUCCESS is a problem to tell, WARNING included (issue #13): the outcome table. */
const failing = (o: Outcome) => isProblem(o);
/** What the admin was last told (notify/escalation.ts toldOutcome). */
const told = toldOutcome;
const window = (o: DecideOptions) => o.flapWindowSeconds ?? FLAP_WINDOW_S;

/** Flip times (unix s) still inside the flap window at `at`. */
function recentFlips(prev: PlanState, at: number, o: DecideOptions): number[] {
  return (prev.flips ?? []).filter((t) => at - t < window(o));
}

export function decide(prev: PlanState | undefined, run: RunReport, opts: DecideOptions): NotifyReason {
  if (prev) {
    // A "missing" verdict never outranks real results (issue #10): after one, a real run is old
    // news only if it is not newer than the last real run seen.
    if (prev.lastOutcome === 'MISSING' && run.outcome !== 'MISSING') {
      if (runStartOf(run.runKey) <= (prev.lastRealRunStart ?? -1)) return 'duplicate';
    } else {
      if (runStartOf(run.runKey) < runStartOf(prev.lastRunKey)) return 'duplicate';
      if (prev.lastRunKey === run.runKey) return prev.lastDigest === runFingerprint(run) ? 'duplicate' : 'update';
    }
  }
  const isFlip = prev !== undefined && failing(prev.lastOutcome) !== failing(run.outcome);
  if (isFlip && recentFlips(prev, run.start, opts).length + 1 >= (opts.flapChanges ?? FLAP_CHANGES)) return 'muted';
  const wasFailing = prev !== undefined && failing(told(prev));
  if (!failing(run.outcome)) {
    if (wasFailing) return 'recovered';
    return opts.notifyOnSuccess ? 'success' : 'muted';
  }
  if (!wasFailing) return 'first';
  return prev.lastOutcome === run.outcome ? 'repeat' : 'changed';
}

/**
 * A stored plan state whose times lie in the future (written from a future-dated status before
 * statuses were bounded, or restored from such a dump) would make every later real run a
 * 'duplicate' and silence the plan (issue #25 item 3). Times past `nowS + toleranceS` are
 * forgotten, so the next real run is judged on its own.
 */
export function withoutFutureTimes(
  prev: PlanState | undefined,
  nowS: number,
  toleranceS: number,
): PlanState | undefined {
  if (!prev) return prev;
  const future = (t: number | null | undefined) => typeof t === 'number' && t > nowS + toleranceS;
  if (![runStartOf(prev.lastRunKey), prev.lastRealRunStart, prev.lastSuccessAt, prev.failingSince].some(future))
    return prev;
  return {
    ...prev,
    lastRunKey: future(runStartOf(prev.lastRunKey)) ? `${prev.planId}:0` : prev.lastRunKey,
    lastRealRunStart: future(prev.lastRealRunStart) ? null : prev.lastRealRunStart,
    lastSuccessAt: future(prev.lastSuccessAt) ? null : prev.lastSuccessAt,
    failingSince: future(prev.failingSince) ? null : prev.failingSince,
    flips: (prev.flips ?? []).filter((t) => !future(t)),
  };
}

/** What a periodic check should do for a plan, from its state alone (cheap: no Redis reads). */
export type PendingNotice = 'reminder' | 'held-news' | 'none';

export function pendingNotice(prev: PlanState, opts: ReminderOptions): PendingNotice {
  const nowS = opts.nowMs / 1000;
  const lastFlip = Math.max(0, ...(prev.flips ?? []));
  const held = failing(told(prev)) !== failing(prev.lastOutcome);
  const rules = opts.planRules?.(prev.planId);
  // A failure the tolerance still holds was never told: neither held news nor a reminder (issue #24).
  if (toleranceHolds(prev, rules)) return 'none';
  if (held && nowS - lastFlip >= window(opts)) return 'held-news';
  if (escalationPending(prev, nowS, rules)) return 'reminder';
  if (
    failing(prev.lastOutcome) &&
    opts.reminderIntervalSeconds > 0 &&
    opts.nowMs - prev.lastNotifiedAt >= opts.reminderIntervalSeconds * 1000
  )
    return 'reminder';
  return 'none';
}

/**
 * The mail for a plan when no new run arrived (periodic check): `run` is the plan's latest run,
 * correlated again. A run the tracker never saw is decided as usual.
 */
export function decideReminder(prev: PlanState | undefined, run: RunReport, opts: ReminderOptions): NotifyReason {
  if (!prev || runStartOf(run.runKey) > runStartOf(prev.lastRunKey)) return decide(prev, run, opts);
  if (run.runKey !== prev.lastRunKey) return 'duplicate';
  const notice = pendingNotice({ ...prev, lastOutcome: run.outcome }, opts);
  if (notice === 'held-news') return failing(run.outcome) ? 'first' : 'recovered';
  return notice === 'reminder' ? 'reminder' : 'duplicate';
}

/** The plan state after a decision: what was seen, what was told, and the recent flips. */
export function planStateAfter(
  prev: PlanState | undefined,
  run: RunReport,
  reason: NotifyReason,
  reportId: string | null,
  nowMs: number,
  opts: Pick<DecideOptions, 'flapWindowSeconds'> = {},
): PlanState {
  const mailed = MAILED.has(reason);
  const isFlip = prev !== undefined && failing(prev.lastOutcome) !== failing(run.outcome);
  const flips = prev ? recentFlips(prev, run.start, { notifyOnSuccess: false, ...opts }) : [];
  if (isFlip) flips.push(run.start);
  return {
    planId: run.planId,
    planName: run.planName,
    lastRunKey: run.runKey,
    lastOutcome: run.outcome,
    lastDigest: runFingerprint(run),
    lastReportId: reportId ?? prev?.lastReportId ?? '',
    lastNotifiedAt: mailed ? nowMs : (prev?.lastNotifiedAt ?? 0),
    failingSince: failing(run.outcome) ? (prev?.failingSince ?? run.start) : null,
    // A WARNING run saved everything: its data is restorable, so it counts for staleness.
    lastSuccessAt: savedEverything(run.outcome) ? run.start : (prev?.lastSuccessAt ?? null),
    mailedOutcome: mailed ? run.outcome : prev ? told(prev) : null,
    flips,
    lastRealRunStart: run.outcome === 'MISSING' ? (prev?.lastRealRunStart ?? null) : runStartOf(run.runKey),
    failedRuns: failedRunsWith(prev, run),
    // The pipeline sets it on the mail that escalates; a success ends the streak and its escalation.
    escalatedAt: failing(run.outcome) ? (prev?.escalatedAt ?? null) : null,
  };
}
