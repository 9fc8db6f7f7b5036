// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: who a channel besides email tells (issue #22 §3), the one rule of every channel's settings:
// a minimum level and an optional list of plans, in the words of the email policies
// (notify/policy.ts). `problems` takes what the email policy `problems` mails, `every` also the
// plain successes; both take a stuck run's "still running" notice (issue #24 item 5). The reasons
// are decide.ts CHANNEL_REASONS. A digest stays an email.
import type { NotifyReason, StoredMail } from '../domain/records.js';
import { CHANNEL_REASONS } from '../notify/decide.js';
import { routeOf } from '../notify/policy.js';

export interface ChannelAudience {
  /** `every` run, or `problems` only: what the email policies `always` and `problems` mail. */
  level: 'every' | 'problems';
  /** Plan ids the channel hears about; null = every plan. */
  plans: number[] | null;
}

/** Does the channel take a run report of `reason` about the plan? */
export function takesRun(a: ChannelAudience, planId: number, reason: NotifyReason): boolean {
  if (a.plans !== null && !a.plans.includes(planId)) return false;
  return CHANNEL_REASONS.has(reason) && routeOf(reason, a.level === 'every' ? 'always' : 'problems') === 'mail';
}

/** Does the channel take this report? Run reports only. */
export function takesReport(a: ChannelAudience, report: StoredMail): boolean {
  return report.kind !== 'digest' && takesRun(a, report.run.planId, report.reason);
}
