// SPDX-License-Identifier: GPL-3.0-or-later
// Sends what the outbox (the queue in the record store) holds, on every channel (issue #22): one
// lane per channel (src/channels/ transport), each going through its due reports oldest first, one
// at a time, beside the others: a channel that is slow, hung or refusing never delays email or
// another channel. An attempt longer than the transport's limit is aborted and retried.
// Transient failures (SMTP or a channel down, busy, 429) back off and retry for at least three
// days, never sooner than the channel asked (Retry-After); permanent ones (bad credentials,
// rejected recipients, 4xx) stop at once with the channel's words for the page; email's wait for a
// smarthost change, which retries them. A report that cannot be read is set aside, one that is
// gone leaves the queue: one bad record never holds up the others (issue #25 item 4).
// Waits are measured on the monotonic clock; the stored next attempt (wall clock, unix ms) only
// serves a restart and the status page. A report is given up only when both its attempts and the
// time (on the wall clock or, when that went back, the monotonic one) say three days passed: a
// clock jump alone never drops a failure report (issue #25 item 10).
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Smarthost } from '../ns8/smarthost.js';
import { deliveriesOf, EMAIL_CHANNEL, outboxField, type DeliveryState, type StoredMail } from '../domain/records.js';
import type { DeliveryResult, Transport } from '../channels/transport.js';
import { emailTransport } from '../channels/email/transport.js';
import type { Mailer } from './mailer.js';
import type { LoadedMail, QueuedMail, RecordStore } from './record-store.js';
import { attemptsWithin, backoffDelay, monotonicMs, type Backoff } from '../retry.js';

/** Next try of a refused mail: 15 s, 30 s, 1 min … at most 30 min apart. */
const DELIVERY_BACKOFF: Backoff = { firstMs: 15_000, maxMs: 30 * 60_000 };
/** A channel's Retry-After is honoured up to this wait (a longer one is a broken server's). */
export const RETRY_AFTER_MAX_MS = 60 * 60_000;
/** A stored next attempt further ahead than any wait we set: the wall clock went back since. */
const LONGEST_WAIT_MS = Math.max(DELIVERY_BACKOFF.maxMs, RETRY_AFTER_MAX_MS);

export interface OutboxSenderDeps {
  records: RecordStore;
  /** The configured channels (channels/index.ts transportsFor). Default: email through `mailer`. */
  transports?: Transport[];
  /** Email's edges, used only when `transports` is not given. */
  mailer?: Mailer;
  smarthost?(): Promise<Smarthost>;
  sender?(sh: Smarthost): string;
  clock: Clock;
  log: Logger;
  /** Called after every email attempt, for the health record (the `smtp` link). */
  onResult?(ok: boolean, error: { code: string; message: string } | null): void;
  tickMs?: number;
  /** The clock waits are measured with (default: performance.now()); tests move it by hand. */
  monotonicMs?: () => number;
  /**
   * Whether this instance may send now (the single-writer lease, notify/writer-lease.ts); asked
   * before every attempt. Default: always.
   */
  mayWrite?: () => Promise<boolean>;
}

/** A failing report is kept trying for at least this long (3 days, in ms). */
export const GIVE_UP_AFTER_MS = 3 * 24 * 3600 * 1000;
/** 15 s, 30 s, 1 min, … capped at 30 min. */
export const backoffMs = (attempts: number) => backoffDelay(attempts, DELIVERY_BACKOFF);
/** Attempts the backoff makes in GIVE_UP_AFTER_MS: fewer means the clock, not the outage, says 3 days. */
export const GIVE_UP_ATTEMPTS = attemptsWithin(GIVE_UP_AFTER_MS, DELIVERY_BACKOFF);

/** The wait before the next attempt: the backoff, or longer when the channel asked for longer. */
export const nextWaitMs = (attempts: number, retryAfterMs = 0): number =>
  Math.max(backoffMs(attempts), Math.min(retryAfterMs, RETRY_AFTER_MAX_MS));

function legacyTransports(deps: OutboxSenderDeps): Transport[] {
  const { mailer, smarthost, sender } = deps;
  if (!mailer || !smarthost || !sender) throw new Error('OutboxSender needs transports or a mailer');
  return [emailTransport({ mailer, smarthost, sender })];
}

export class OutboxSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private started = false;
  private stopped = false;
  private readonly stopping = new AbortController();
  private readonly transports: Transport[];
  /** Channel -> its lane in progress. */
  private readonly lanes = new Map<string, Promise<void>>();
  /** Outbox field (report + channel) -> monotonic ms of its next attempt, for the ones this process tried. */
  private readonly waits = new Map<string, number>();
  /** Outbox field -> monotonic ms of this process's first failed attempt. */
  private readonly failingSince = new Map<string, number>();
  private readonly mono: () => number;

  constructor(private readonly deps: OutboxSenderDeps) {
    this.mono = deps.monotonicMs ?? monotonicMs;
    this.transports = deps.transports ?? legacyTransports(deps);
  }

  start(): void {
    this.started = true;
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
    this.stopping.abort(); // a hung attempt ends now, recorded as retryable
    await this.running;
    await Promise.all(this.lanes.values());
  }

  /**
   * The admin changed the smarthost: what waits for email is tried now, and reports whose email
   * failed for good since `sinceMs` (e.g. refused credentials) are queued again.
   */
  async smarthostChanged(sinceMs: number): Promise<{ due: number; requeued: number }> {
    const due = await this.deps.records.allDueNow(this.deps.clock.now());
    for (const key of [...this.waits.keys()]) if (!key.includes('#')) this.waits.delete(key);
    const failed = await this.deps.records.recentFailed(sinceMs);
    for (const r of failed) {
      const pending: DeliveryState = { ...r.delivery, status: 'pending', nextAttemptAt: this.deps.clock.now() };
      await this.deps.records.setDelivery(r.id, EMAIL_CHANNEL, pending);
    }
    this.kick();
    return { due, requeued: failed.length };
  }

  private loop(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.running = this.startLanes()
      .then(() => undefined)
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

  /** One pass over the outbox: every due delivery, on every channel; resolves when those lanes end. */
  async sendDue(): Promise<void> {
    await Promise.all(await this.startLanes());
  }

  /** Starts a lane for each channel that has due deliveries and none in progress; returns them. */
  private async startLanes(): Promise<Promise<void>[]> {
    const queued = await this.deps.records.queued();
    const nowMs = this.deps.clock.now();
    const known = new Set(queued.map((q) => outboxField(q.id, q.channel)));
    for (const key of this.waits.keys()) if (!known.has(key)) this.forget(key);
    const started: Promise<void>[] = [];
    for (const t of this.transports) {
      if (this.lanes.has(t.channel)) continue; // busy: its next pass comes when it is done
      const due = queued.filter((q) => q.channel === t.channel && this.isDue(q, nowMs)).map((q) => q.id);
      if (due.length === 0) continue;
      const lane = this.runLane(t, due)
        .catch((err: Error) => {
          this.deps.log.warning('outbox not reachable', { channel: t.channel, error: err.message });
          return false;
        })
        .then((worked) => {
          this.lanes.delete(t.channel);
          // What was queued meanwhile on this channel is looked at now, not a tick later.
          if (worked && this.started && !this.stopped) this.kick();
        });
      this.lanes.set(t.channel, lane);
      started.push(lane);
    }
    return started;
  }

  /** The due reports of one channel, one at a time; true when it tried one. */
  private async runLane(t: Transport, ids: string[]): Promise<boolean> {
    let worked = false;
    for (const id of ids) {
      if (this.stopped || !(await (this.deps.mayWrite?.() ?? true))) return worked;
      const got = await this.deps.records.load(id);
      if (got.state === 'ok') await this.attempt(t, got.mail);
      else await this.putAway(t.channel, id, got);
      worked = true;
    }
    return worked;
  }

  /**
   * Due by the monotonic clock when this process set the wait; otherwise by the stored time,
   * unless that lies further ahead than any wait: the wall clock has gone back since.
   */
  private isDue(q: QueuedMail, nowMs: number): boolean {
    const at = this.waits.get(outboxField(q.id, q.channel));
    if (at !== undefined) return this.mono() >= at;
    return q.nextAttemptAt <= nowMs || q.nextAttemptAt - nowMs > LONGEST_WAIT_MS;
  }

  private forget(key: string): void {
    this.waits.delete(key);
    this.failingSince.delete(key);
  }

  /** A queued id without a sendable report leaves the queue, with one log line. */
  private async putAway(channel: string, id: string, got: Exclude<LoadedMail, { state: 'ok' }>): Promise<void> {
    this.forget(outboxField(id, channel));
    if (got.state === 'gone') {
      await this.deps.records.unqueue(id, channel);
      this.deps.log.warning('queued report is gone: it leaves the outbox', { report: id, channel });
      return;
    }
    await this.deps.records.setAside(id, got.problem, this.deps.clock.now(), channel);
    this.deps.log.error('queued report cannot be read: set aside, not mailed', {
      report: id,
      channel,
      problem: got.problem,
    });
  }

  /** Three days of attempts, and three days on the wall clock or (if it went back) on the monotonic one. */
  private givesUp(key: string, report: StoredMail, attempts: number): boolean {
    if (attempts < GIVE_UP_ATTEMPTS) return false;
    const since = this.failingSince.get(key);
    const monoElapsed = since === undefined ? 0 : this.mono() - since;
    return this.deps.clock.now() - report.createdAt >= GIVE_UP_AFTER_MS || monoElapsed >= GIVE_UP_AFTER_MS;
  }

  /**
   * The transport's answer, or a retryable TIMEOUT / STOPPED when it takes longer than its limit
   * or the service stops; a transport that throws did not attempt (its edge, e.g. Redis, is down).
   */
  private async tryOnce(t: Transport, report: StoredMail, target: readonly string[]): Promise<DeliveryResult> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onStop = () => {};
    const cut = new Promise<DeliveryResult>((resolve) => {
      const end = (code: string, detail: string) => {
        resolve({ ok: false, code, retryable: true, detail }); // first: it wins the race
        abort.abort();
      };
      timer = setTimeout(
        () => end('CHANNEL_TIMEOUT', `no answer within ${t.attemptTimeoutMs / 1000} s`),
        t.attemptTimeoutMs,
      );
      onStop = () => end('CHANNEL_ABORTED', 'the service stopped during the attempt');
      if (this.stopping.signal.aborted) onStop();
      else this.stopping.signal.addEventListener('abort', onStop, { once: true });
    });
    try {
      return await Promise.race([t.send(report, target, abort.signal), cut]);
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', onStop);
    }
  }

  private async attempt(t: Transport, report: StoredMail): Promise<void> {
    const channel = t.channel;
    const key = outboxField(report.id, channel);
    const before = deliveriesOf(report)[channel];
    if (!before || before.status === 'sent') {
      // Nothing to send on this channel (never sent twice): the entry leaves the queue.
      this.forget(key);
      await this.deps.records.unqueue(report.id, channel);
      return;
    }
    const started = this.deps.clock.now();
    const attempts = before.attempts + 1;
    const about =
      report.kind === 'digest' ? { digest: `${report.period.from}-${report.period.to}` } : { plan: report.run.planId };
    const log = this.deps.log.child({ report: report.id, channel, ...about, attempt: attempts });
    let result: DeliveryResult;
    try {
      result = await this.tryOnce(t, report, before.recipients);
    } catch (err) {
      // Not an attempt: tried again after the first backoff, the attempts untouched.
      this.waits.set(key, this.mono() + backoffMs(1));
      log.warning('report not sent, the channel could not start', { error: (err as Error).message });
      return;
    }
    const nowMs = this.deps.clock.now();
    const next = this.stateAfter(key, report, { ...before, attempts }, result, nowMs);
    await this.deps.records.setDelivery(report.id, channel, next);
    if (next.status === 'pending') this.waits.set(key, this.mono() + (next.nextAttemptAt - nowMs));
    else this.forget(key);
    if (result.ok)
      log.info('report sent', { to: before.recipients.join(','), detail: result.detail ?? '', ms: nowMs - started });
    else
      log[next.status === 'pending' ? 'warning' : 'error'](
        next.status === 'pending' ? 'report not sent, will retry' : 'report not sent, giving up',
        { code: result.code, error: next.lastError ?? '' },
      );
    if (channel === EMAIL_CHANNEL)
      this.deps.onResult?.(result.ok, result.ok ? null : { code: result.code, message: next.lastError ?? '' });
  }

  /** The delivery after one attempt: sent, pending until the next one, or failed for good. */
  private stateAfter(
    key: string,
    report: StoredMail,
    tried: DeliveryState,
    result: DeliveryResult,
    nowMs: number,
  ): DeliveryState {
    if (result.ok)
      return { ...tried, status: 'sent', sentAt: nowMs, lastError: null, lastErrorCode: null, nextAttemptAt: 0 };
    if (!this.failingSince.has(key)) this.failingSince.set(key, this.mono());
    const retry = result.retryable && !this.givesUp(key, report, tried.attempts);
    return {
      ...tried,
      status: retry ? 'pending' : 'failed',
      lastError: result.detail ?? result.code,
      lastErrorCode: result.code,
      nextAttemptAt: retry ? nowMs + nextWaitMs(tried.attempts, result.retryAfterMs) : 0,
    };
  }
}
