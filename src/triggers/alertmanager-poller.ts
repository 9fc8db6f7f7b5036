// SPDX-License-Identifier: GPL-3.0-or-later
// Follows metrics1's Alertmanager without any change to it (DESIGN §2: no receiver can be added):
// polls GET /api/v2/alerts, as NS8 core's list-alerts does, and turns what changed into
// BackupAlerts for the run tracker. New alert -> firing; alert gone -> resolved.
// Never throws: an unreachable Alertmanager is reported in link health and retried with backoff.
//
// Choices worth knowing:
// - Silenced/inhibited alerts are fetched too. A known alert that gets silenced is NOT resolved
//   (a silence is not a recovery); a new alert that is already silenced is not fired until the
//   silence ends (the admin asked for quiet).
// - An alert counts as gone only after it has been absent for `resolveAfterMs` of successful polls
//   (default 3 poll intervals). Alertmanager keeps alerts only in memory: after it restarts, firing
//   alerts come back at Prometheus' next resend (1 min in metrics1), and must not look resolved.
//   The absence clock also restarts after every outage of the link.
// - The first poll after start fires every active backup alert: the tracker and decide() turn a
//   run already reported into 'duplicate', so a restart does not re-mail.
import type { ErrorCode } from '../errors.js';
import { BACKUP_ALERT_NAMES, backupAlertKind, planIdOf, type BackupAlert } from '../domain/alert.js';
import type { Link } from '../domain/link.js';
import { redact } from '../secret.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { Periodic } from '../periodic.js';
import type { RunSink } from './types.js';
import { backoffDelay } from '../retry.js';
import { AnswerTooLargeError, requestJson } from '../ns8/http-json.js';

/** Stable codes of the poller's outbound failures (candidates for src/errors.ts). */
/** The poller's codes, from the catalogue in src/errors.ts. */
export type PollErrorCode = Extract<ErrorCode, `ALERTMANAGER_${string}`>;

/** Link health as stored in `module/<id>/health` field `alertmanager` (stored names). */
export interface LinkHealth extends Link {
  code: PollErrorCode | null;
}

export interface PolledAlert extends BackupAlert {
  suppressed: boolean;
}

/** Backup alerts are a few per plan; a larger answer is not one we can use. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** PURE: v2 API items -> backup alerts (same label rules as the webhook); other alerts are dropped. */
export function alertsFromApi(body: unknown): PolledAlert[] | null {
  if (!Array.isArray(body)) return null;
  const out: PolledAlert[] = [];
  for (const item of body) {
    if (!isObj(item) || !isObj(item.labels)) continue;
    const name = item.labels.alertname;
    const kind = backupAlertKind(name);
    if (!kind || typeof name !== 'string') continue;
    const state = isObj(item.status) ? item.status.state : undefined;
    const startsAt = typeof item.startsAt === 'string' ? Date.parse(item.startsAt) : NaN;
    const node =
      typeof item.labels.node === 'string' && /^\d+$/.test(item.labels.node) ? Number(item.labels.node) : null;
    out.push({
      name,
      kind,
      planId: planIdOf(item.labels),
      node,
      status: 'firing',
      startsAtMs: Number.isFinite(startsAt) ? startsAt : 0,
      fingerprint:
        typeof item.fingerprint === 'string'
          ? item.fingerprint.slice(0, 64)
          : `${name}/${node}/${planIdOf(item.labels)}`,
      source: 'poll',
      suppressed: state === 'suppressed',
    });
  }
  return out;
}

interface Known {
  alert: BackupAlert;
  /** Unix ms of the first poll that no longer listed the alert, or null while listed. */
  absentSinceMs: number | null;
}
export type PollState = ReadonlyMap<string, Known>;

/** PURE: what changed between the known alerts and one successful poll. */
export function diffPoll(
  known: PollState,
  current: PolledAlert[],
  nowMs: number,
  resolveAfterMs: number,
): { emit: BackupAlert[]; next: Map<string, Known> } {
  const next = new Map<string, Known>();
  const emit: BackupAlert[] = [];
  const seen = new Set<string>();
  for (const { suppressed, ...alert } of current) {
    seen.add(alert.fingerprint);
    const k = known.get(alert.fingerprint);
    if (k) next.set(alert.fingerprint, { alert: k.alert, absentSinceMs: null });
    else if (!suppressed) {
      next.set(alert.fingerprint, { alert, absentSinceMs: null });
      emit.push(alert);
    }
  }
  for (const [fp, k] of known) {
    if (seen.has(fp)) continue;
    const absentSinceMs = k.absentSinceMs ?? nowMs;
    if (nowMs - absentSinceMs >= resolveAfterMs) emit.push({ ...k.alert, status: 'resolved' });
    else next.set(fp, { alert: k.alert, absentSinceMs });
  }
  return { emit, next };
}

/** PURE: how long to wait after `failures` consecutive failed polls (doubling, at most 8x, 5 min cap). */
export function pollDelayMs(intervalMs: number, failures: number): number {
  if (failures === 0) return intervalMs;
  return backoffDelay(failures + 1, {
    firstMs: intervalMs,
    maxMs: Math.min(8 * intervalMs, Math.max(intervalMs, 300_000)),
  });
}

export function classifyPollError(err: unknown): { code: PollErrorCode; detail: string } {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return { code: 'ALERTMANAGER_TIMEOUT', detail: 'no answer in time' };
  if (e instanceof PollHttpError) return { code: e.code, detail: e.message };
  if (e instanceof AnswerTooLargeError) return { code: 'ALERTMANAGER_BAD_RESPONSE', detail: e.message };
  return { code: 'ALERTMANAGER_UNREACHABLE', detail: e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err) };
}

class PollHttpError extends Error {
  constructor(
    readonly code: PollErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Only backup alerts: Alertmanager filters server-side (matchers, as in amtool). Credentials in
 * the URL (a reverse proxy with basic auth) move to a header, so the URL can be logged redacted.
 */
export function alertsRequest(base: string): { url: string; headers: Record<string, string> } {
  const u = new URL('api/v2/alerts', base.endsWith('/') ? base : `${base}/`);
  u.searchParams.set('filter', `alertname=~"${BACKUP_ALERT_NAMES.join('|')}"`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  return { url: u.toString(), headers };
}

export interface PollerDeps {
  url: string;
  intervalMs: number;
  sink: Pick<RunSink, 'alert'>;
  clock: Clock;
  log: Logger;
  /** Writes the `alertmanager` field of `module/<id>/health`; failures are logged, not fatal. */
  reportHealth?: (h: LinkHealth) => Promise<void> | void;
  resolveAfterMs?: number;
  timeoutMs?: number;
}

export class AlertmanagerPoller {
  private known = new Map<string, Known>();
  private failures = 0;
  private readonly periodic = new Periodic(
    () => this.pollOnce(),
    () => pollDelayMs(this.deps.intervalMs, this.failures),
  );
  private last: LinkHealth | null = null;
  private readonly request: { url: string; headers: Record<string, string> };

  constructor(private readonly deps: PollerDeps) {
    this.request = alertsRequest(deps.url);
  }

  start(): void {
    if (!this.periodic.start()) return;
    this.deps.log.info('following Alertmanager', { url: redact(this.deps.url), every_s: this.deps.intervalMs / 1000 });
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  health(): LinkHealth | null {
    return this.last;
  }

  /** One poll: fetch, diff, hand changes to the sink, report health. Never throws. */
  async pollOnce(): Promise<LinkHealth> {
    const nowMs = this.deps.clock.now();
    let health: LinkHealth;
    try {
      const current = await this.fetchAlerts();
      // After an outage the absence clock restarts: Alertmanager may have restarted empty.
      if (this.failures > 0) for (const k of this.known.values()) k.absentSinceMs = null;
      const { emit, next } = diffPoll(this.known, current, nowMs, this.deps.resolveAfterMs ?? 3 * this.deps.intervalMs);
      this.known = next;
      for (const a of emit) {
        this.deps.log.info(a.status === 'firing' ? 'alert firing' : 'alert resolved', {
          alert: a.name,
          plan: a.planId,
          node: a.node,
          source: 'poll',
        });
        this.deps.sink.alert(a);
      }
      if (this.failures > 0) this.deps.log.info('Alertmanager reachable again', { after_failures: this.failures });
      this.failures = 0;
      health = { ok: true, checkedAt: nowMs, error: null, code: null };
    } catch (err) {
      const { code, detail } = classifyPollError(err);
      this.failures++;
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.deps.log.warning('Alertmanager unreachable, will retry', {
          code,
          error: redact(detail),
          failures: this.failures,
        });
      }
      health = { ok: false, checkedAt: nowMs, error: redact(`${code}: ${detail}`), code };
    }
    this.last = health;
    await this.report(health);
    return health;
  }

  private async fetchAlerts(): Promise<PolledAlert[]> {
    const res = await requestJson(this.request.url, {
      headers: this.request.headers,
      signal: AbortSignal.timeout(this.deps.timeoutMs ?? 10_000),
      maxBytes: MAX_ANSWER_BYTES,
    });
    if (res.status < 200 || res.status > 299) throw new PollHttpError('ALERTMANAGER_HTTP', `HTTP ${res.status}`);
    const alerts = alertsFromApi(res.body ?? null);
    if (!alerts) throw new PollHttpError('ALERTMANAGER_BAD_RESPONSE', 'not a list of alerts');
    return alerts;
  }

  private async report(h: LinkHealth): Promise<void> {
    if (!this.deps.reportHealth) return;
    try {
      await this.deps.reportHealth(h);
    } catch (err) {
      this.deps.log.debug('cannot store Alertmanager link health', { error: (err as Error).message });
    }
  }
}
