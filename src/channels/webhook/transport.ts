// SPDX-License-Identifier: GPL-3.0-or-later
// The signed webhook (issue #22 §2): one run report as one versioned JSON document (./format.ts,
// docs/WEBHOOK.md) POSTed to the receiver's URL, signed like Stripe's and GitHub's webhooks
// (https://docs.stripe.com/webhooks#verify-manually, https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries):
// HMAC-SHA256 over `<timestamp>.<body>` with the shared secret. The delivery id is the same on
// every attempt; the timestamp and its signature are new on each. Answers are classified like
// every HTTP channel's; a receiver's own error text is the detail, with the URL (its key) and the
// secret taken out of it. Redirects are not followed (a signed body goes where it was told).
import { firstDelivery } from '../../domain/records.js';
import { clean } from '../../report/format.js';
import { redact } from '../../secret.js';
import { classifyHttpAnswer, codeOfStatus } from '../http-answer.js';
import { postToChannel, type ChannelAnswer } from '../http-post.js';
import type { ChannelOptions } from '../options.js';
import type { DeliveryResult, Transport } from '../transport.js';
import { boundedBody, deliveryIdOf, signedHeaders } from './format.js';
import type { WebhookSettings } from './settings.js';
import { takesReport, takesRun } from '../audience.js';

/** A receiver should answer at once and work afterwards (docs/WEBHOOK.md); this bounds one that hangs. */
export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 30_000;
/** The receiver's own words kept for the page, in characters. */
const DETAIL_MAX = 200;

/** A path segment as the receiver may echo it; itself when it is not valid percent-encoding. */
function decoded(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/** Every part of the URL that may be its key: the whole, path and query, each query value, long path segments. */
function urlSecrets(url: string): string[] {
  const out = [url];
  try {
    const u = new URL(url);
    out.push(`${u.pathname}${u.search}`, u.search.slice(1), u.username, u.password);
    for (const v of u.searchParams.values()) out.push(v);
    for (const seg of u.pathname.split('/')) if (seg.length >= 12) out.push(seg, decoded(seg));
  } catch {
    // Not a URL: only the whole text is known.
  }
  // Longest first, so a part inside a longer one never leaves the rest behind.
  return out.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

/** The receiver's words: a JSON answer's `error` or `message`, else its text, on one line. */
function ownWords(text: string): string | undefined {
  let words = text;
  try {
    const v = JSON.parse(text) as { error?: unknown; message?: unknown };
    const said = typeof v?.error === 'string' ? v.error : typeof v?.message === 'string' ? v.message : undefined;
    if (said !== undefined) words = said;
  } catch {
    // Plain text or HTML: taken as it is.
  }
  const line = clean(words, DETAIL_MAX);
  return line === '' ? undefined : line;
}

function resultOf(answer: ChannelAnswer, nowMs: number, hide: (t: string) => string): DeliveryResult {
  const h = answer.headers['retry-after'];
  const own = ownWords(answer.text);
  if (answer.status >= 300 && answer.status < 400)
    return {
      ok: false,
      code: codeOfStatus(answer.status),
      retryable: false,
      detail: `the receiver redirects (${answer.status}) and redirects are not followed: set its final address`,
    };
  return classifyHttpAnswer(answer.status, {
    retryAfter: Array.isArray(h) ? h[0] : h,
    detail: own === undefined ? undefined : hide(own),
    nowMs,
  });
}

/** What the page shows as the delivery's recipient: the receiver's host, never its path or query (the key). */
function receiverOf(url: string): string {
  try {
    return new URL(url).host || 'webhook';
  } catch {
    return 'webhook';
  }
}

/** The webhook transport, or null while its URL or secret is not set. */
export function webhookChannel(settings: WebhookSettings | null, opts: ChannelOptions): Transport | null {
  if (!settings || !settings.url.reveal().trim() || !settings.secret.reveal()) return null;
  const s = settings;
  const now = opts.nowMs ?? Date.now;
  const refused = (code: string, detail: string): DeliveryResult => ({ ok: false, code, retryable: false, detail });
  return {
    channel: 'webhook',
    attemptTimeoutMs: WEBHOOK_ATTEMPT_TIMEOUT_MS,
    firstDelivery: (report, nowMs) =>
      takesReport(s, report) ? firstDelivery([receiverOf(s.url.reveal().trim())], nowMs) : null,
    takes: (planId, reason) => takesRun(s, planId, reason),
    async send(report, _target, signal): Promise<DeliveryResult> {
      if (report.kind === 'digest') return refused('CHANNEL_EMAIL_ONLY', 'a digest is sent by email only');
      // Read at each attempt: a corrected URL or secret applies to the next one.
      const address = s.url.reveal().trim();
      const secret = s.secret.reveal();
      const hide = (text: string) => redact(text, [...urlSecrets(address), secret]);
      let url: URL;
      try {
        url = new URL(address);
      } catch {
        return refused('CHANNEL_ADDRESS', 'the webhook address is not a URL');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        return refused('CHANNEL_ADDRESS', 'the webhook address is not an http or https URL');
      const atMs = now();
      const timestampS = Math.floor(atMs / 1000);
      const body = boundedBody(report, { ...opts, nowMs: atMs });
      const headers = signedHeaders(secret, timestampS, body, deliveryIdOf(report.id));
      try {
        const answer = await postToChannel(url, { headers, body, signal });
        return resultOf(answer, now(), hide);
      } catch (err) {
        // No answer (refused, reset, name unknown, aborted): worth another try.
        const why = hide(`no answer from the webhook receiver: ${(err as Error).message}`);
        return { ok: false, code: 'CHANNEL_NETWORK', retryable: true, detail: why };
      }
    },
  };
}
