// SPDX-License-Identifier: GPL-3.0-or-later
// The delivery seam (issue #22), in the spirit of Alertmanager's Notifier (notify/notify.go:
// `Notify(ctx, alerts) (retry bool, err)`, one folder per integration): a channel is a Transport
// that sends one stored report to one target and says whether and when to try again. The outbox
// sender (notify/outbox-sender.ts) owns the queue, the backoff, the give-up rule and the stored
// state; a transport owns only its wire protocol and the meaning of its answers.
import type { DeliveryState, NotifyReason, StoredMail, StoredReport } from '../domain/records.js';

/** What one attempt on one channel came to. */
export interface DeliveryResult {
  ok: boolean;
  /** Stable code of the catalogue (src/errors.ts): SMTP_AUTH, CHANNEL_BUSY (http-answer.ts CHANNEL_CODES)… */
  code: string;
  /** Try again later (the server is down, busy or slow); false = permanent, shown on the page. */
  retryable: boolean;
  /** The channel asked for this wait before the next attempt (HTTP Retry-After, Telegram retry_after). */
  retryAfterMs?: number;
  /** For the log and, on failure, the page: the channel's own words, never a secret. */
  detail?: string;
}

export interface Transport {
  /** The channel's folder name in src/channels/, its key in `deliveries` and in the outbox. */
  readonly channel: string;
  /** Longest one attempt may take; then it is aborted and counts as a retryable TIMEOUT (a hung server). */
  readonly attemptTimeoutMs: number;
  /**
   * Sends `report` to `target` (the delivery's recipients: addresses, a chat id…). Resolves with
   * the result, also on failure; `signal` aborts a slow attempt (the timeout, or the service stops).
   */
  send(report: StoredMail, target: readonly string[], signal: AbortSignal): Promise<DeliveryResult>;
  /**
   * The delivery a new run report starts with on this channel, or null when the channel does not
   * take it (not configured, or not for this plan or outcome). Email's is decided by the pipeline
   * (the report's `delivery`), so it has none.
   */
  firstDelivery?(report: StoredReport, nowMs: number): DeliveryState | null;
  /**
   * Whether the channel takes a run report of `reason` about the plan, before there is a report:
   * the watchdog lets a reminder through when email or a channel takes it (issue #22). Email's
   * policy is asked directly, so email has none.
   */
  takes?(planId: number, reason: NotifyReason): boolean;
}
