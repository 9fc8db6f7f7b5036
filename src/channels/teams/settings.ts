// SPDX-License-Identifier: GPL-3.0-or-later
// The Microsoft Teams channel's settings and who it tells (issue #22 §3): the address of a Teams
// Workflows (Power Automate) webhook, "When a Teams webhook request is received" -> "Post card in a
// chat or channel". The address carries its own key (`sig=`), so the whole URL is a Secret. The
// minimum level and the optional list of plans use the words of the email policies (notify/policy.ts).
import type { Secret } from '../../secret.js';

export interface TeamsSettings {
  /** The workflow's HTTP address, `https://…/workflows/<id>/triggers/manual/paths/invoke?…&sig=…`. */
  webhookUrl: Secret;
  /** `every` run, or `problems` only: what the email policies `always` and `problems` mail. */
  level: 'every' | 'problems';
  /** Plan ids the channel hears about; null = every plan. */
  plans: number[] | null;
}

/** What the page and the log may show of the address: its host, never the path or the key. */
export function webhookHost(s: TeamsSettings): string {
  try {
    return new URL(s.webhookUrl.reveal()).host || 'teams';
  } catch {
    return 'teams';
  }
}
