// SPDX-License-Identifier: GPL-3.0-or-later
// Which plans the missed-run watchdog may remind about (issue #14): reminders and held flap news
// go to plans whose email policy mails per run, or (issue #22) whose news a channel besides email
// takes (its level and plan list); the pipeline then records email as skipped. Any other `digest`
// or `off` plan hears of its problems in the digest or on the status page. A missing run is
// reported for every plan: its report goes through the policy like any run.
import type { NotifySettings } from '../domain/policy.js';
import type { NotifyReason } from '../domain/records.js';
import { mailsPerRun, policyOf } from './policy.js';
import { silencedNow, snoozeRanOut } from './silence.js';
import type { SilenceStore } from './silence-store.js';

/** The run tracker's side of it (triggers/run-tracker.ts). */
export interface ReminderTracker {
  missing(planId: number, expectedAt: number, modules: string[]): void;
  reminderDue(planId: number): void;
  /** Open runs past their stuck time get their "still running" notice (issue #24). */
  checkStuck?(): void;
}

/** The watchdog's sink: also told of failing plans with no reminder due (a snooze may have run out). */
export interface WatchdogSink extends ReminderTracker {
  stillFailing(planId: number): void;
  tick(): void;
}

/**
 * A snoozed or acknowledged plan gets no reminder either (issue #24): its silence is read first,
 * so a silenced plan costs one HGET per watchdog tick, not a correlation. Once a snooze is over
 * the reminder goes through and the pipeline removes it.
 */
export interface ReminderSilences {
  store: Pick<SilenceStore, 'load'>;
  nowMs(): number;
  onError(err: Error): void;
  /** A maintenance window holds what the reminder would tell (silence-store.ts windowHoldsReminders). */
  heldByWindow?(planId: number, nowS: number): Promise<boolean>;
}

/** Whether a channel besides email takes a report of `reason` about the plan (channels/index.ts channelsTake). */
export type ChannelsTake = (planId: number, reason: NotifyReason) => boolean;

/**
 * The watchdog's sink in front of the tracker, with the rule above. Held flap news is decided as
 * 'first' or 'recovered' later; a channel's level takes those exactly when it takes a reminder.
 */
export function watchdogSink(
  notify: NotifySettings,
  tracker: ReminderTracker,
  silences?: ReminderSilences,
  channelsTake: ChannelsTake = () => false,
): WatchdogSink {
  const toldSomewhere = (planId: number) => mailsPerRun(policyOf(notify, planId)) || channelsTake(planId, 'reminder');
  return {
    missing: (planId, expectedAt, modules) => tracker.missing(planId, expectedAt, modules),
    tick: () => tracker.checkStuck?.(),
    // A snooze that ran out is announced at its end even with reminders off (issue #24): the
    // pipeline sees it over and tells "Snooze ended"; the record is then gone, so once.
    stillFailing: (planId) => {
      if (!silences || !toldSomewhere(planId)) return;
      void silences.store
        .load(planId)
        .then((s) => (snoozeRanOut(s, silences.nowMs() / 1000) ? passOn(silences, tracker, planId) : undefined))
        .catch(silences.onError);
    },
    reminderDue: (planId) => {
      if (!toldSomewhere(planId)) return;
      if (!silences) return tracker.reminderDue(planId);
      void silences.store
        .load(planId)
        .then((s) => (silencedNow(s, silences.nowMs() / 1000) ? undefined : passOn(silences, tracker, planId)))
        .catch(silences.onError);
    },
  };
}

/** To the tracker (a correlation) unless a maintenance window would hold the mail anyway (issue #24). */
async function passOn(silences: ReminderSilences, tracker: ReminderTracker, planId: number): Promise<void> {
  if (await silences.heldByWindow?.(planId, Math.floor(silences.nowMs() / 1000))) return;
  tracker.reminderDue(planId);
}
