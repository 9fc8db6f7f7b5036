// SPDX-License-Identifier: GPL-3.0-or-later
// Which plans the missed-run watchdog may remind about (issue #14): reminders and held flap news
// are mails, so only plans whose policy mails per run get them; a `digest` or `off` plan hears of
// its problems in the digest or on the status page. A missing run is reported for every plan: its
// report goes through the policy like any run.
import type { NotifySettings } from '../domain/policy.js';
import { mailsPerRun, policyOf } from './policy.js';
import { silencedNow } from './silence.js';
import type { SilenceStore } from './silence-store.js';

/** The run tracker's side of it (triggers/run-tracker.ts). */
export interface ReminderTracker {
  missing(planId: number, expectedAt: number, modules: string[]): void;
  reminderDue(planId: number): void;
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
}

/** The watchdog's sink in front of the tracker, with the policy rule above. */
export function watchdogSink(
  notify: NotifySettings,
  tracker: ReminderTracker,
  silences?: ReminderSilences,
): ReminderTracker {
  return {
    missing: (planId, expectedAt, modules) => tracker.missing(planId, expectedAt, modules),
    reminderDue: (planId) => {
      if (!mailsPerRun(policyOf(notify, planId))) return;
      if (!silences) return tracker.reminderDue(planId);
      void silences.store.load(planId).then((s) => {
        if (!silencedNow(s, silences.nowMs() / 1000)) tracker.reminderDue(planId);
      }, silences.onError);
    },
  };
}
