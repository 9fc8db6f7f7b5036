// SPDX-License-Identifier: GPL-3.0-or-later
// The signed webhook's settings and who it tells (issue #22 §2, §3): the receiver's URL (a Secret:
// n8n, Zapier, an RMM or a dead-man's switch put their key in the address), the shared HMAC secret
// the document is signed with (docs/WEBHOOK.md), a minimum level and an optional list of plans, in
// the words of the email policies (notify/policy.ts).
import type { Secret } from '../../secret.js';

export interface WebhookSettings {
  /** Where the document is POSTed (http or https); its path and query may hold the receiver's key. */
  url: Secret;
  /** The shared HMAC secret: the receiver checks X-Backup-Monitor-Signature with it. */
  secret: Secret;
  /** `every` run, or `problems` only: what the email policies `always` and `problems` mail. */
  level: 'every' | 'problems';
  /** Plan ids the receiver hears about; null = every plan. */
  plans: number[] | null;
}
