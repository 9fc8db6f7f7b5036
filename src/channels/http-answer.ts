// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: an HTTP channel's answer -> DeliveryResult, the same way for every channel that speaks
// HTTP (Telegram, Teams, ntfy, webhook). 2xx is sent; 408, 425, 429 and 5xx are worth another try
// (with the server's Retry-After when it gives one); any other 4xx is permanent: the token, the
// address or the message is wrong, and trying again changes nothing (issue #22).
import type { DeliveryResult } from './transport.js';

/** What the page says for a permanent refusal, by status; the channel's own text follows it. */
const REFUSED: Record<number, string> = {
  400: 'the channel refused the message (400 Bad Request)',
  401: 'the channel refused the credentials (401 Unauthorized): check the token',
  403: 'the channel refused access (403 Forbidden): check the token and its permissions',
  404: 'the channel does not know this address (404 Not Found): check the URL, topic or chat',
  413: 'the message is too large for the channel (413)',
};

/**
 * Retry-After as a wait in ms: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when
 * absent or unreadable.
 */
export function retryAfterMs(header: string | undefined | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Every code a channel can return besides OK: catalogue codes (imageroot/pypkg/backup_monitor/
 * errors.json, area `channel`), with their kind and en/it words for the page and the actions
 * (test/channels/codes.test.ts: all in the catalogue, the kind the transports say).
 */
export const CHANNEL_CODES = [
  'CHANNEL_NETWORK',
  'CHANNEL_ABORTED',
  'CHANNEL_TIMEOUT',
  'CHANNEL_BUSY',
  'CHANNEL_UNAVAILABLE',
  'CHANNEL_ADDRESS',
  'CHANNEL_REDIRECT',
  'CHANNEL_CREDENTIALS',
  'CHANNEL_NOT_FOUND',
  'CHANNEL_TOO_LARGE',
  'CHANNEL_REFUSED',
  'CHANNEL_EMAIL_ONLY',
] as const;
export type ChannelCode = (typeof CHANNEL_CODES)[number];

/** An HTTP status that is not a success -> its catalogue code. */
export function codeOfStatus(status: number): ChannelCode {
  if (status === 401 || status === 403) return 'CHANNEL_CREDENTIALS';
  if (status === 404 || status === 410) return 'CHANNEL_NOT_FOUND';
  if (status === 413) return 'CHANNEL_TOO_LARGE';
  if (status === 408) return 'CHANNEL_TIMEOUT';
  if (status === 425 || status === 429) return 'CHANNEL_BUSY';
  if (status >= 500) return 'CHANNEL_UNAVAILABLE';
  if (status >= 300 && status < 400) return 'CHANNEL_REDIRECT';
  return 'CHANNEL_REFUSED';
}

/** `detail`: the channel's own error text, already free of secrets (e.g. Telegram's description). */
export function classifyHttpAnswer(
  status: number,
  answer: { retryAfter?: string | null; detail?: string; nowMs: number },
): DeliveryResult {
  const code = codeOfStatus(status);
  const own = answer.detail ? `: ${answer.detail}` : '';
  if (status >= 200 && status < 300) return { ok: true, code: 'OK', retryable: false, detail: answer.detail };
  const retryable = status === 408 || status === 425 || status === 429 || status >= 500;
  const wait = retryable ? retryAfterMs(answer.retryAfter, answer.nowMs) : undefined;
  const words = retryable
    ? `the channel is unavailable or busy (${status}), will retry`
    : (REFUSED[status] ?? `the channel refused the message (${status})`);
  return { ok: false, code, retryable, ...(wait !== undefined && { retryAfterMs: wait }), detail: `${words}${own}` };
}
