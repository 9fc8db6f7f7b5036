// SPDX-License-Identifier: GPL-3.0-or-later
// The Telegram channel's settings and who it tells (issue #22 §3): a bot token (a Secret: it goes
// in the request path, https://core.telegram.org/bots/api#making-requests), one chat (a user, a
// group or a channel), a minimum level and an optional list of plans, in the words of the email
// policies (notify/policy.ts).
import type { Secret } from '../../secret.js';

export interface TelegramSettings {
  botToken: Secret;
  /** A user's or group's numeric id (`-1001234567890`) or a public channel's `@name`. */
  chatId: string;
  /** The Bot API server; the public one by default, a local Bot API server or the test simulator otherwise. */
  apiUrl: string;
  /** `every` run, or `problems` only: what the email policies `always` and `problems` mail. */
  level: 'every' | 'problems';
  /** Plan ids the chat hears about; null = every plan. */
  plans: number[] | null;
}

export const TELEGRAM_API_URL = 'https://api.telegram.org';
