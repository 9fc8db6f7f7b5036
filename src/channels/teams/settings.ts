// SPDX-License-Identifier: GPL-3.0-or-later
// The Microsoft Teams channel's settings and who it tells (issue #22 §3): the address of a Teams
// Workflows (Power Automate) webhook, "When a Teams webhook request is received" -> "Post card in a
// chat or channel". The address carries its own key (`sig=`), so the whole URL is a Secret. The
// minimum level and the optional list of plans use the words of the email policies (notify/policy.ts).
import type { StoredMail } from '../../domain/records.js';
import type { Secret } from '../../secret.js';
import { MAILED } from '../../notify/decide.js';
import { routeOf } from '../../notify/policy.js';

export interface TeamsSettings {
  /** The workflow's HTTP address, `https://…/workflows/<id>/triggers/manual/paths/invoke?…&sig=…`. */
  webhookUrl: Secret;
  /** `every` run, or `problems` only: what the email policies `always` and `problems` mail. */
  level: 'every' | 'problems';
  /** Plan ids the channel hears about; null = every plan. */
  plans: number[] | null;
}

/**
 * Does the channel take this report? Run reports only (a digest stays an email); `problems` takes
 * exactly what the email policy `problems` mails, `every` also the plain successes.
 */
export function takesReport(s: TeamsSettings, report: StoredMail): boolean {
  if (report.kind === 'digest') return false;
  if (s.plans !== null && !s.plans.includes(report.run.planId)) return false;
  return MAILED.has(report.reason) && routeOf(report.reason, s.level === 'every' ? 'always' : 'problems') === 'mail';
}

/** What the page and the log may show of the address: its host, never the path or the key. */
export function webhookHost(s: TeamsSettings): string {
  try {
    return new URL(s.webhookUrl.reveal()).host || 'teams';
  } catch {
    return 'teams';
  }
}
