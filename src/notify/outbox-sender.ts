// SPDX-License-Identifier: GPL-3.0-or-later
// Sends what the outbox (the queue in the record store) holds, oldest first, one at a time.
// Transient failures (SMTP or Redis down) back off and retry for at least three days; permanent
// ones (bad credentials, rejected recipients) stop at once and wait for a smarthost change, which
// retries them. A report that cannot be read is set aside, one that is gone leaves the queue: one
// bad record never holds up the others (issue #25 item 4).
// Waits are measured on the monotonic clock; the stored next attempt (wall clock, unix ms) only
// serves a restart and the status page. A report is given up only when both its attempts and the
// time (on the wall clock or, when that went back, the monotonic one) say three days passed: a
// clock jump alone never drops a failure report (issue #25 item 10).
import { type MonitorError, classifySmtpError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Smarthost } from '../ns8/smarthost.js';
import type { StoredMail } from '../domain/records.js';
import { stableMessageId, type Mailer } from './mailer.js';
import type { LoadedMail, RecordStore } from './record-store.js';
import { attemptsWithin, backoffDelay, monotonicMs, type Backoff } from '../retry.js';

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
  /** The clock waits are measured with (default: performance.now()); tests move it by hand. */
  monotonicMs?: () => number;
  /**
   * Whether this instance may send now (the single-writer lease, notify/writer-lease.ts); asked
   * before every mail. Default: always.
   */
  mayWrite?: () => Promise<boolean>;
}

/** A failing report is kept trying for at least this long (3 days, in ms). */
export const GIVE_UP_AFTER_MS = 3 * 24 * 3600 * 1000;
/** 15 s, 30 s, 1 min, … capped at 30 min. */
export const backoffMs = (attempts: number) => backoffDelay(attempts, DELIVERY_BACKOFF);
/** Attempts the backoff makes in GIVE_UP_AFTER_MS: fewer means the clock, not the outage, says 3 days. */
export const GIVE_UP_ATTEMPTS = attemptsWithin(GIVE_UP_AFTER_MS, DELIVERY_BACKOFF);

export class OutboxSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Report id -> monotonic ms of its next attempt, for the reports this process has tried. */
  private readonly waits = new Map<string, number>();
  /** Report id -> monotonic ms of this process's first failed attempt. */
  private readonly failingSince = new Map<string, number>();
  private readonly mono: () => number;

  constructor(private readonly deps: OutboxSenderDeps) {
    this.mono = deps.monotonicMs ?? monotonicMs;
  }

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
    this.waits.clear();
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
    this.running = this.sendDue()
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

  /** One pass over the outbox: every due report, oldest first (the loop calls it every tick). */
  async sendDue(): Promise<void> {
    const queued = await this.deps.records.queued();
    const nowMs = this.deps.clock.now();
    const ids = queued.filter((q) => this.isDue(q.id, q.nextAttemptAt, nowMs)).map((q) => q.id);
    const known = new Set(queued.map((q) => q.id));
    for (const id of this.waits.keys()) if (!known.has(id)) this.forget(id);
    if (ids.length === 0) return;
    const sh = await this.deps.smarthost();
    for (const id of ids) {
      if (this.stopped || !(await (this.deps.mayWrite?.() ?? true))) return;
      const got = await this.deps.records.load(id);
      if (got.state === 'ok') await this.attempt(got.mail, sh);
      else await this.putAway(id, got);
    }
  }

  /**
   * Due by the monotonic clock when this process set the wait; otherwise by the stored time,
   * unless that lies further ahead than any backoff: the wall clock has gone back since.
   */
  private isDue(id: string, nextAttemptAt: number, nowMs: number): boolean {
    const at = this.waits.get(id);
    if (at !== undefined) return this.mono() >= at;
    return nextAttemptAt <= nowMs || nextAttemptAt - nowMs > DELIVERY_BACKOFF.maxMs;
  }

  private forget(id: string): void {
    this.waits.delete(id);
    this.failingSince.delete(id);
  }

  /** A queued id without a sendable report leaves the queue, with one log line. */
  private async putAway(id: string, got: Exclude<LoadedMail, { state: 'ok' }>): Promise<void> {
    this.forget(id);
    if (got.state === 'gone') {
      await this.deps.records.unqueue(id);
      this.deps.log.warning('queued report is gone: it leaves the outbox', { report: id });
      return;
    }
    await this.deps.records.setAside(id, got.problem, this.deps.clock.now());
    this.deps.log.error('queued report cannot be read: set aside, not mailed', { report: id, problem: got.problem });
  }

  /** Three days of attempts, and three days on the wall clock or (if it went back) on the monotonic one. */
  private givesUp(report: StoredMail, attempts: number): boolean {
    if (attempts < GIVE_UP_ATTEMPTS) return false;
    const since = this.failingSince.get(report.id);
    const monoElapsed = since === undefined ? 0 : this.mono() - since;
    return this.deps.clock.now() - report.createdAt >= GIVE_UP_AFTER_MS || monoElapsed >= GIVE_UP_AFTER_MS;
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
      this.forget(report.id);
      log.info('report sent', {
        to: delivery.recipients.join(','),
        message_id: messageId,
        ms: this.deps.clock.now() - started,
      });
      this.deps.onResult?.(true, null);
    } catch (err) {
      const e = classifySmtpError(err);
      if (!this.failingSince.has(report.id)) this.failingSince.set(report.id, this.mono());
      const retry = e.retryable && !this.givesUp(report, delivery.attempts);
      report.delivery = {
        ...delivery,
        status: retry ? 'pending' : 'failed',
        lastError: e.message,
        lastErrorCode: e.code,
        nextAttemptAt: retry ? this.deps.clock.now() + backoffMs(delivery.attempts) : 0,
      };
      await this.deps.records.update(report, retry);
      if (retry) this.waits.set(report.id, this.mono() + backoffMs(delivery.attempts));
      else this.forget(report.id);
      log[retry ? 'warning' : 'error'](retry ? 'report not sent, will retry' : 'report not sent, giving up', {
        code: e.code,
        error: e.message,
      });
      this.deps.onResult?.(false, e);
    }
  }
}
