// SPDX-License-Identifier: GPL-3.0-or-later
// The Telegram channel (issue #22 §2): one run report as one Bot API sendMessage
// (https://core.telegram.org/bots/api#sendmessage) to the configured chat, in HTML parse mode
// (./format.ts), without link previews. Answers are `{"ok": false, "error_code", "description",
// "parameters": {"retry_after", "migrate_to_chat_id"}}` (https://core.telegram.org/bots/api#making-requests,
// #responseparameters): classified like every HTTP channel, with Telegram's description as the
// detail and its retry_after as the wait. The bot token is in the request path: it never reaches a
// detail, a log line or an error (every text leaving here is redacted of it).
import { firstDelivery } from '../../domain/records.js';
import { channelMessage } from '../../report/channel-message.js';
import { redact } from '../../secret.js';
import { classifyHttpAnswer } from '../http-answer.js';
import { postToChannel, type ChannelAnswer } from '../http-post.js';
import type { ChannelOptions } from '../options.js';
import type { DeliveryResult, Transport } from '../transport.js';
import { telegramText } from './format.js';
import { TELEGRAM_API_URL, type TelegramSettings } from './settings.js';
import { takesReport, takesRun } from '../audience.js';

/** One sendMessage answers within seconds; this bounds a server that accepts and never answers. */
const TELEGRAM_ATTEMPT_TIMEOUT_MS = 30_000;

/** A Bot API token as BotFather gives it (`123456:ABC-DEF…`): nothing else may go in the request path. */
const TOKEN_SHAPE = /^\d+:[A-Za-z0-9_-]+$/;

/** The parts of a Bot API answer we read; anything else in it is ignored. */
interface BotAnswer {
  ok?: unknown;
  error_code?: unknown;
  description?: unknown;
  parameters?: { retry_after?: unknown; migrate_to_chat_id?: unknown };
}

function parseAnswer(text: string): BotAnswer {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as BotAnswer) : {};
  } catch {
    return {};
  }
}

/** Telegram's own words for a refusal, and what to do when the group became a supergroup. */
function describe(a: BotAnswer): string | undefined {
  const own = typeof a.description === 'string' ? a.description.slice(0, 300) : undefined;
  const moved = a.parameters?.migrate_to_chat_id;
  return typeof moved === 'number' ? `${own ?? 'the group moved'} (new chat id: ${moved})` : own;
}

/** The wait Telegram asked for: parameters.retry_after (seconds), else the Retry-After header. */
function retryAfterOf(a: BotAnswer, answer: ChannelAnswer): string | undefined {
  const s = a.parameters?.retry_after;
  if (typeof s === 'number' && Number.isFinite(s) && s >= 0) return String(Math.ceil(s));
  const h = answer.headers['retry-after'];
  return Array.isArray(h) ? h[0] : h;
}

/** The answer as a result. A 200 that says `ok: false` (never documented) is a failure with its error_code. */
function resultOf(answer: ChannelAnswer, nowMs: number, hide: (t: string) => string): DeliveryResult {
  const a = parseAnswer(answer.text);
  const code = typeof a.error_code === 'number' ? a.error_code : 0;
  const status = answer.status < 300 && a.ok === false ? code || 400 : answer.status;
  const detail = describe(a);
  return classifyHttpAnswer(status, {
    retryAfter: retryAfterOf(a, answer),
    detail: detail === undefined ? undefined : hide(detail),
    nowMs,
  });
}

/** The Telegram transport, or null while the bot token or the chat is not set. */
export function telegramChannel(settings: TelegramSettings | null, opts: ChannelOptions): Transport | null {
  if (!settings || !settings.botToken.reveal() || !settings.chatId.trim()) return null;
  const s = settings;
  const token = s.botToken.reveal();
  const now = opts.nowMs ?? Date.now;
  // The whole token and its secret half: an echo of either is hidden.
  const hide = (text: string) => redact(text, [token, token.slice(token.indexOf(':') + 1)]);
  const refused = (code: string, detail: string): DeliveryResult => ({ ok: false, code, retryable: false, detail });
  return {
    channel: 'telegram',
    attemptTimeoutMs: TELEGRAM_ATTEMPT_TIMEOUT_MS,
    firstDelivery: (report, nowMs) => (takesReport(s, report) ? firstDelivery([s.chatId.trim()], nowMs) : null),
    takes: (planId, reason) => takesRun(s, planId, reason),
    async send(report, target, signal): Promise<DeliveryResult> {
      if (report.kind === 'digest') return refused('CHANNEL_EMAIL_ONLY', 'a digest is sent by email only');
      if (!TOKEN_SHAPE.test(token))
        return refused('CHANNEL_CREDENTIALS', 'the bot token is not a Telegram bot token (digits, a colon, letters)');
      let url: URL;
      try {
        // `./`: without it `bot123:…` reads as a URL of scheme `bot123`.
        url = new URL(`./bot${token}/sendMessage`, `${(s.apiUrl || TELEGRAM_API_URL).replace(/\/+$/, '')}/`);
      } catch {
        return refused('CHANNEL_ADDRESS', 'the Bot API address is not a URL');
      }
      const text = telegramText(channelMessage(report, opts));
      const body = {
        chat_id: target[0] ?? s.chatId.trim(),
        text,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      };
      try {
        const answer = await postToChannel(url, {
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(body)),
          signal,
        });
        return resultOf(answer, now(), hide);
      } catch (err) {
        // No answer (refused, reset, name unknown, aborted): worth another try.
        return {
          ok: false,
          code: 'CHANNEL_NETWORK',
          retryable: true,
          detail: hide(`no answer from Telegram: ${(err as Error).message}`),
        };
      }
    },
  };
}
