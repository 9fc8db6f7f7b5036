// SPDX-License-Identifier: GPL-3.0-or-later
// Sends what the outbox (the queue in the record store) holds, oldest first, one at a time.
// Transient failures (SMTP or Redis down) back off and retry for up to three days; permanent ones
// (bad credentials, rejected recipients) stop at once and wait for a smarthost change, which
// retries them.
import { type MonitorError, classifySmtpError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Smarthost } from '../ns8/smarthost.js';
import type { StoredMail } from '../domain/records.js';
import { stableMessageId, type Mailer } from './mailer.js';
import type { RecordStore } from './record-store.js';
import { backoffDelay, type Backoff } from '../retry.js';

/** Next try of a refused mail: 15 s, 30 s, 1 min … at most 30 min apart. */
const DELIVERY_BACKOFF: Backoff = { firstMs: 15_000, maxMs: 30 * 60_000 };

export interface OutboxSenderDeps {
  records: RecordStore;
  mailer: Mailer;
  smarthost(): Promise<Smarthost>;
  sender(sh: Smarthost): string;
  clock: Clock;
  log: Logger;
  /** Called after every attempt, for the health record. */
  onResult?(ok: boolean, error: MonitorError | null): void;
  tickMs?: number;
}

const GIVE_UP_AFTER_MS = 3 * 24 * 3600 * 1000;
/** 15 s, 30 s, 1 min, … capped at 30 min. */
export const backoffMs = (attempts: number) => backoffDelay(attempts, DELIVERY_BACKOFF);

export class OutboxSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: OutboxSenderDeps) {}

  start(): void {
    this.loop();
  }

  /** Something new is queued, or the smarthost changed: look now. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * The admin changed the smarthost: what waits in the queue is tried now, and reports that
   * failed for good since `sinceMs` (e.g. refused credentials) are queued again.
   */
  async smarthostChanged(sinceMs: number): Promise<{ due: number; requeued: number }> {
    const due = await this.deps.records.allDueNow(this.deps.clock.now());
    const failed = await this.deps.records.recentFailed(sinceMs);
    for (const r of failed) {
      r.delivery = { ...r.delivery, status: 'pending', nextAttemptAt: this.deps.clock.now() };
      await this.deps.records.update(r, true);
    }
    this.kick();
    return { due, requeued: failed.length };
  }

  private loop(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.running = this.drain()
      .catch((err: Error) => this.deps.log.warning('outbox not reachable', { error: err.message }))
      .finally(() => {
        this.running = null;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.loop();
          return;
        }
        this.timer = setTimeout(() => this.loop(), this.deps.tickMs ?? 5000);
        this.timer.unref?.();
      });
  }

  private async drain(): Promise<void> {
    const ids = await this.deps.records.due(this.deps.clock.now());
    if (ids.length === 0) return;
    const sh = await this.deps.smarthost();
    for (const id of ids) {
      if (this.stopped) return;
      const report = await this.deps.records.load(id);
      if (!report) {
        this.deps.log.warning('queued report is gone', { report: id });
        continue;
      }
      await this.attempt(report, sh);
    }
  }

  private async attempt(report: StoredMail, sh: Smarthost): Promise<void> {
    const started = this.deps.clock.now();
    const delivery = { ...report.delivery, attempts: report.delivery.attempts + 1 };
    const about =
      report.kind === 'digest' ? { digest: `${report.period.from}-${report.period.to}` } : { plan: report.run.planId };
    const log = this.deps.log.child({ report: report.id, ...about, attempt: delivery.attempts });
    try {
      const from = this.deps.sender(sh);
      const { messageId } = await this.deps.mailer.send(
        {
          from,
          to: delivery.recipients,
          subject: report.subject,
          text: report.text,
          html: report.html,
          messageId: stableMessageId(report.id, from),
          headers:
            report.kind === 'digest'
              ? { 'X-NS8-Backup-Digest': `${report.period.from}-${report.period.to}` }
              : { 'X-NS8-Backup-Plan': String(report.run.planId), 'X-NS8-Backup-Outcome': report.run.outcome },
        },
        sh,
      );
      report.delivery = {
        ...delivery,
        status: 'sent',
        sentAt: this.deps.clock.now(),
        lastError: null,
        lastErrorCode: null,
        nextAttemptAt: 0,
      };
      await this.deps.records.update(report, false);
      log.info('report sent', {
        to: delivery.recipients.join(','),
        message_id: messageId,
        ms: this.deps.clock.now() - started,
      });
      this.deps.onResult?.(true, null);
    } catch (err) {
      const e = classifySmtpError(err);
      const expired = this.deps.clock.now() - report.createdAt > GIVE_UP_AFTER_MS;
      const retry = e.retryable && !expired;
      report.delivery = {
        ...delivery,
        status: retry ? 'pending' : 'failed',
        lastError: e.message,
        lastErrorCode: e.code,
        nextAttemptAt: retry ? this.deps.clock.now() + backoffMs(delivery.attempts) : 0,
      };
      await this.deps.records.update(report, retry);
      log[retry ? 'warning' : 'error'](retry ? 'report not sent, will retry' : 'report not sent, giving up', {
        code: e.code,
        error: e.message,
      });
      this.deps.onResult?.(false, e);
    }
  }
}
