// SPDX-License-Identifier: GPL-3.0-or-later
// The Microsoft Teams channel (issue #22 §2): one Adaptive Card per run report, POSTed to a Teams
// Workflows (Power Automate) webhook. The old Office 365 connectors ("Incoming Webhook",
// MessageCard) are retired; this speaks only to a workflow's HTTP trigger. The trigger answers
// 202 Accepted, or an Azure error document `{"error": {"code", "message"}}` with 400 (bad body),
// 401/403 (the key `sig` is wrong or the flow refuses), 404 (no such workflow), 429 with
// Retry-After (throttled) or 5xx: classified by http-answer.ts, with the trigger's own words,
// from which the address and its key are removed (a server may echo the request).
import { firstDelivery, type StoredMail } from '../../domain/records.js';
import { channelMessage } from '../../report/channel-message.js';
import { redact } from '../../secret.js';
import { classifyHttpAnswer } from '../http-answer.js';
import { postToChannel } from '../http-post.js';
import type { ChannelOptions } from '../options.js';
import type { DeliveryResult, Transport } from '../transport.js';
import { requestBytes, teamsRequest } from './format.js';
import { type TeamsSettings, webhookHost } from './settings.js';
import { takesReport, takesRun } from '../audience.js';

/** A workflow trigger answers at once (the flow runs after the 202); past this it is hung. */
export const TEAMS_ATTEMPT_TIMEOUT_MS = 30_000;
/** The trigger's error text shown on the page at most. */
const DETAIL_MAX_CHARS = 300;

/** The Azure error document's words (`code: message`), or the answer's first line. */
function ownWords(text: string): string | undefined {
  if (!text.trim()) return undefined;
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    const words = [e?.code, e?.message].filter((x) => typeof x === 'string' && x).join(': ');
    if (words) return words;
  } catch {
    // Not JSON (a proxy's page): its first line below.
  }
  return text.trim().split('\n')[0];
}

function parsed(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

export function teamsChannel(settings: TeamsSettings | null, opts: ChannelOptions): Transport | null {
  if (!settings) return null;
  const now = opts.nowMs ?? Date.now;
  const url = settings.webhookUrl;
  const address = parsed(url.reveal());
  // The key alone too: a server may echo it decoded or on its own.
  const secrets = [url, address?.searchParams.get('sig')];
  const safe = (s: string) => redact(s, secrets).slice(0, DETAIL_MAX_CHARS);
  return {
    channel: 'teams',
    attemptTimeoutMs: TEAMS_ATTEMPT_TIMEOUT_MS,
    firstDelivery: (report, nowMs) =>
      takesReport(settings, report) ? firstDelivery([webhookHost(settings)], nowMs) : null,
    takes: (planId, reason) => takesRun(settings, planId, reason),
    async send(report: StoredMail, target, signal): Promise<DeliveryResult> {
      if (report.kind === 'digest')
        return { ok: false, code: 'CHANNEL_EMAIL_ONLY', retryable: false, detail: 'a digest stays an email' };
      if (!address)
        return { ok: false, code: 'CHANNEL_ADDRESS', retryable: false, detail: 'the workflow address is not a URL' };
      const message = channelMessage(report, opts);
      try {
        const answer = await postToChannel(address, {
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: requestBytes(teamsRequest(message)),
          signal,
          maxAnswerBytes: 16 * 1024,
        });
        const own = ownWords(answer.text);
        const result = classifyHttpAnswer(answer.status, {
          retryAfter: answer.headers['retry-after'],
          detail: own === undefined ? undefined : safe(own),
          nowMs: now(),
        });
        return result.ok ? { ...result, detail: `to ${target.join(',')} (${answer.status})` } : result;
      } catch (err) {
        if (signal.aborted)
          return { ok: false, code: 'CHANNEL_ABORTED', retryable: true, detail: 'the attempt was stopped' };
        return {
          ok: false,
          code: 'CHANNEL_NETWORK',
          retryable: true,
          detail: safe(`no answer from Teams: ${(err as Error).message}`),
        };
      }
    },
  };
}
