// SPDX-License-Identifier: GPL-3.0-or-later
// The ntfy channel (issue #22 §2): one POST of the run report's channel message to the topic URL
// (https://docs.ntfy.sh/publish/), with the access token as `Authorization: Bearer`
// (https://docs.ntfy.sh/publish/#access-tokens). ntfy answers a refusal as JSON
// `{"code":40301,"http":403,"error":"forbidden","link":…}` (server/errors.go): its code and
// words go to the page after the status's own (http-answer.ts); 429 and 5xx are retried,
// honouring a Retry-After a proxy in front of ntfy may add. The topic URL is the secret on
// ntfy.sh: it never reaches a detail, a log or the stored delivery (whose target is the host).
import { firstDelivery, type DeliveryState, type StoredReport } from '../../domain/records.js';
import { channelMessage } from '../../report/channel-message.js';
import { redact } from '../../secret.js';
import { classifyHttpAnswer } from '../http-answer.js';
import { postToChannel } from '../http-post.js';
import type { ChannelOptions } from '../options.js';
import type { DeliveryResult, Transport } from '../transport.js';
import { ntfyRequest } from './format.js';
import { serverOf, topicUrlProblem, type NtfySettings } from './settings.js';
import { takesReport, takesRun } from '../audience.js';

export type { NtfySettings } from './settings.js';

/** A publish is one small POST; a server silent this long is down (the outbox retries it). */
const NTFY_ATTEMPT_TIMEOUT_MS = 30_000;
/** ntfy's error text is one short JSON line. */
const ANSWER_MAX_BYTES = 8 * 1024;
/** The longest piece of a server's own words the page shows. */
const DETAIL_MAX_CHARS = 300;

/** ntfy's own words from an error answer, `40301 forbidden`, or the start of a proxy's text. */
export function ntfyErrorOf(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    const e = JSON.parse(trimmed) as { code?: unknown; error?: unknown };
    if (typeof e.error === 'string') return typeof e.code === 'number' ? `${e.code} ${e.error}` : e.error;
  } catch {
    // Not ntfy's JSON: a proxy's page (HTML or text) in front of the server.
  }
  return (
    trimmed
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim() || undefined
  );
}

const clip = (text: string) => (text.length > DETAIL_MAX_CHARS ? `${text.slice(0, DETAIL_MAX_CHARS)}…` : text);

export function ntfyChannel(settings: NtfySettings | null, opts: ChannelOptions): Transport | null {
  if (!settings) return null;
  const nowMs = opts.nowMs ?? Date.now;
  const topicUrl = settings.topicUrl.reveal();
  const token = settings.token;
  const topic = topicUrl.split('/').pop();
  const secrets = [settings.topicUrl, token, topic];
  const hide = (text: string) => redact(text, secrets);

  async function send(report: StoredReport, signal: AbortSignal): Promise<DeliveryResult> {
    const problem = topicUrlProblem(topicUrl);
    if (problem) return { ok: false, code: 'CHANNEL_ADDRESS', retryable: false, detail: problem };
    const { headers, body } = ntfyRequest(channelMessage(report, opts));
    if (token) headers.authorization = `Bearer ${token.reveal()}`;
    let answer: Awaited<ReturnType<typeof postToChannel>>;
    try {
      answer = await postToChannel(topicUrl, { headers, body, signal, maxAnswerBytes: ANSWER_MAX_BYTES });
    } catch (err) {
      if (signal.aborted) throw err;
      // Not reached (DNS, refused, reset): the server may be back later.
      return { ok: false, code: 'CHANNEL_NETWORK', retryable: true, detail: clip(hide((err as Error).message)) };
    }
    if (answer.status >= 200 && answer.status < 300)
      return { ok: true, code: 'OK', retryable: false, detail: sentDetail(answer.text) };
    const own = ntfyErrorOf(answer.text);
    const retryAfter = [answer.headers['retry-after']].flat()[0];
    return classifyHttpAnswer(answer.status, {
      retryAfter,
      detail: own === undefined ? undefined : clip(hide(own)),
      nowMs: nowMs(),
    });
  }

  return {
    channel: 'ntfy',
    attemptTimeoutMs: NTFY_ATTEMPT_TIMEOUT_MS,
    send(report, _target, signal) {
      // A digest stays an email: it never gets an ntfy delivery, and is not sent if one is found.
      if (report.kind === 'digest')
        return Promise.resolve({
          ok: false,
          code: 'CHANNEL_EMAIL_ONLY',
          retryable: false,
          detail: 'a digest is sent by email only',
        });
      return send(report, signal);
    },
    firstDelivery(report, atMs): DeliveryState | null {
      return takesReport(settings, report) ? firstDelivery([serverOf(topicUrl)], atMs) : null;
    },
    takes: (planId, reason) => takesRun(settings, planId, reason),
  };
}

/** ntfy answers a publish with the message as JSON: its id identifies it in the log. */
function sentDetail(text: string): string | undefined {
  try {
    const m = JSON.parse(text) as { id?: unknown };
    return typeof m.id === 'string' && /^[A-Za-z0-9]{1,32}$/.test(m.id) ? `ntfy message ${m.id}` : undefined;
  } catch {
    return undefined;
  }
}
