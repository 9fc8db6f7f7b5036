// SPDX-License-Identifier: GPL-3.0-or-later
// What the service keeps in its own Redis namespace `module/<id>/…` (module credentials, leader).
// The imageroot actions (get-monitor-status, list-reports, get-report, get-trends, through
// imageroot/pypkg/backup_monitor/status.py and records.py) and the admin page read these shapes.
// Field names are stored, so they stay as they are (a rename needs a migration and its test), even
// where they lack a unit: each time field says in its comment whether it is unix s or unix ms.
import type { Outcome, RunReport } from './run.js';
import type { UnownedRepoRow } from './digest.js';
import { isNumber, isNumberOrNull, isObject, type RecordShape } from './stored-record.js';

/** Why a mail is (or is not) sent for a run. */
export type NotifyReason =
  | 'first'
  | 'repeat'
  | 'changed'
  | 'update'
  | 'reminder'
  | 'recovered'
  | 'success'
  | 'duplicate'
  | 'muted'
  /** Issue #24: a run still open long after its usual duration ("still running since …"); the plan state is unchanged. */
  | 'stuck';

/** Delivery state of one report (stored as its `delivery`). */
export interface DeliveryState {
  /** `skipped`: this channel was not meant to carry the report (email's policy, issue #22); never queued. */
  status: 'pending' | 'sent' | 'failed' | 'skipped';
  attempts: number;
  /** Unix ms of the next attempt while pending. */
  nextAttemptAt: number;
  lastError: string | null;
  /** Stable error code from src/errors.ts, e.g. SMTP_AUTH. */
  lastErrorCode: string | null;
  /** Unix ms when the smarthost accepted the mail, or null. */
  sentAt: number | null;
  recipients: string[];
}

/**
 * The delivery a new report or digest is stored with: due now for its recipients, or failed at
 * once (NO_RECIPIENTS) when there is none, so the status page says why nothing was mailed.
 */
export function firstDelivery(recipients: string[], nowMs: number): DeliveryState {
  return recipients.length
    ? {
        status: 'pending',
        attempts: 0,
        nextAttemptAt: nowMs,
        lastError: null,
        lastErrorCode: null,
        sentAt: null,
        recipients,
      }
    : {
        status: 'failed',
        attempts: 0,
        nextAttemptAt: 0,
        lastError: 'no recipient is configured',
        lastErrorCode: 'NO_RECIPIENTS',
        sentAt: null,
        recipients,
      };
}

/**
 * Email's delivery of a report that only other channels take (issue #22): the plan's email policy
 * does not mail it. Not a failure and not sent: nothing was tried, no one was meant to get it.
 */
export const skippedDelivery = (): DeliveryState => ({
  status: 'skipped',
  attempts: 0,
  nextAttemptAt: 0,
  lastError: null,
  lastErrorCode: null,
  sentAt: null,
  recipients: [],
});

/** Whether a stored mail waits in the outbox (`module/<id>/outbox`). */
export const isQueued = (mail: { delivery: DeliveryState }): boolean => mail.delivery.status === 'pending';

/** `module/<id>/report/<reportId>` (STRING, JSON): one report as mailed. */
export interface StoredReport {
  id: string;
  /** Absent on run reports; see StoredDigest. */
  kind?: 'run';
  /** Unix ms when the report was made. */
  createdAt: number;
  reason: NotifyReason;
  run: RunReport;
  language: 'en' | 'it';
  subject: string;
  text: string;
  html: string;
  delivery: DeliveryState;
  /** Per channel (src/channels/): see Deliveries. Absent in reports of older versions. */
  deliveries?: Deliveries;
  /**
   * Issue #24: the words of its own the mail leads with (report/render.ts MailNotice): a snooze
   * that ended while the plan still fails, or the mail that escalates. Absent for a plain report
   * and in reports of older versions. The channels lead with the same words (report/channel-message.ts).
   */
  notice?: ReportNotice;
  /** Issue #24 item 5, on a still-running notice (reason 'stuck'): why the run counts as stuck. Absent in older versions. */
  stuck?: StuckReason;
  /**
   * Unix s of the first failing run of the streak the mail counted from (PlanState.failingSince
   * before this run), so a channel's reminder or recovery says "failing for 3 days" as the mail's
   * subject does (issue #22). Absent in older versions and when none.
   */
  failingSince?: number;
}

/** What a report's mail leads with besides its run (report/render.ts MailNotice). */
export type ReportNotice = 'snoozeEnded' | 'escalated';

/** Why an open run counts as stuck (notify/stuck.ts StuckLimit), as its notice says it. */
export interface StuckReason {
  /** The plan's usual run duration in seconds, from its history, or null when unknown. */
  usualSeconds: number | null;
  /** The maximum run duration in seconds set by the admin that made it stuck; absent: the usual duration did. */
  maximumSeconds?: number;
}

/**
 * `module/<id>/report/<id>` for a digest (issue #14): queued and delivered like a run report, but
 * not in the history (that is the list of run reports the status page shows).
 */
export interface StoredDigest {
  id: string;
  kind: 'digest';
  createdAt: number;
  language: 'en' | 'it';
  /** Unix s: the period covered and the slot it was due at. */
  period: { from: number; to: number; slot: number; catchUp: boolean };
  subject: string;
  text: string;
  html: string;
  delivery: DeliveryState;
  /** Per channel; a digest stays an email (issue #22): only `email`. */
  deliveries?: Deliveries;
}

/** What the outbox (`module/<id>/outbox`) can queue. */
export type StoredMail = StoredReport | StoredDigest;

/** `module/<id>/plans` (HASH, field = plan id, value = JSON): what was last reported per plan. */
export interface PlanState {
  planId: number;
  planName: string;
  lastRunKey: string;
  lastOutcome: Outcome;
  /**
   * Fingerprint of the per-module results last reported (notify/decide.ts runFingerprint), to tell
   * an update from a duplicate. Not the digest mail: the stored name predates it.
   */
  lastDigest: string;
  lastReportId: string;
  /** Unix ms of the last mail queued for this plan. */
  lastNotifiedAt: number;
  /** Unix s of the start of the first failing run of the current failure streak, or null. */
  failingSince: number | null;
  /** Unix s of the start of the last successful run seen, or null. */
  lastSuccessAt: number | null;
  /** Outcome of the last MAILED report: what the admin was last told (flap damping, notify/decide.ts). */
  mailedOutcome?: Outcome | null;
  /** Unix s (run start) of recent failure<->success flips, inside the flap window. */
  flips?: number[];
  /** Unix s of the start of the last real (not MISSING) run seen: a MISSING verdict never hides newer real runs. */
  lastRealRunStart?: number | null;
  /** Consecutive failed runs up to the last one, 0 after a success (issue #24, failure tolerance). */
  failedRuns?: number;
  /** Unix s when this failure streak was escalated (mailed to the escalation recipients too), or null. */
  escalatedAt?: number | null;
}

/** The channel every report has: its state is also stored as the report's `delivery`. */
export const EMAIL_CHANNEL = 'email';

/**
 * Delivery state per channel (issue #22), keyed by the channel's folder name in src/channels/
 * (`email`, …). `deliveries.email` and `delivery` are the same state, both written: `delivery` is
 * what older versions, the actions' Python readers, the history index and the page read. Where
 * they differ, `delivery` wins: an older version (after a downgrade) rewrites only that one.
 */
export type Deliveries = Record<string, DeliveryState>;

/** Every channel's delivery of a stored mail; one of an older version (no `deliveries`) has email only. */
export function deliveriesOf(mail: { delivery: DeliveryState; deliveries?: Deliveries }): Deliveries {
  return { ...mail.deliveries, [EMAIL_CHANNEL]: mail.delivery };
}

/** `mail` with `state` as the delivery of `channel` (and as `delivery` when it is email). */
export function withDelivery<T extends StoredMail>(mail: T, channel: string, state: DeliveryState): T {
  const deliveries = { ...deliveriesOf(mail), [channel]: state };
  return { ...mail, delivery: deliveries[EMAIL_CHANNEL]!, deliveries };
}

/**
 * The field of one report's delivery on one channel in `module/<id>/outbox`. Email keeps the bare
 * report id, the field older versions wrote and the actions (status.py), /metrics and state dumps
 * read; another channel's is `<report id>#<channel>` (a report id never holds `#`).
 */
export const outboxField = (reportId: string, channel: string): string =>
  channel === EMAIL_CHANNEL ? reportId : `${reportId}#${channel}`;

/** The report and channel of an outbox field (outboxField's inverse). */
export function outboxEntryOf(field: string): { id: string; channel: string } {
  const at = field.lastIndexOf('#');
  return at < 0 ? { id: field, channel: EMAIL_CHANNEL } : { id: field.slice(0, at), channel: field.slice(at + 1) };
}

const isDeliveryState = (d: unknown): boolean =>
  isObject(d) &&
  isNumber(d.attempts) &&
  isNumber(d.nextAttemptAt) &&
  Array.isArray(d.recipients) &&
  d.recipients.every((x) => typeof x === 'string');

/**
 * Guard of a stored mail (`module/<id>/report/<id>`): what keeps it from being sent or listed as it
 * is. A report also comes back from a state dump (restore-module) or an older version: a truncated
 * or partial one must not stop the outbox (issue #25 item 4).
 */
export const STORED_MAIL: RecordShape<StoredMail> = {
  name: 'report',
  problem(v) {
    const d = v.delivery;
    if (!isObject(d)) return 'no delivery';
    if (!isNumber(d.attempts) || !isNumber(d.nextAttemptAt)) return 'delivery without attempts';
    if (!Array.isArray(d.recipients) || !d.recipients.every((x) => typeof x === 'string'))
      return 'delivery without recipients';
    if (v.deliveries !== undefined && !(isObject(v.deliveries) && Object.values(v.deliveries).every(isDeliveryState)))
      return 'a channel delivery without attempts or recipients';
    if (typeof v.id !== 'string' || !isNumber(v.createdAt)) return 'no id or creation time';
    if (![v.subject, v.text, v.html].every((x) => typeof x === 'string')) return 'no subject, text or HTML';
    if (v.kind === 'digest') return isObject(v.period) && isNumber(v.period.from) ? null : 'digest without period';
    return isObject(v.run) && isNumber(v.run.planId) && typeof v.run.outcome === 'string' ? null : 'no run';
  },
};

/** Guard of a plan state (`module/<id>/plans`): the fields the notifier, watchdog, digest and metrics read. */
export const PLAN_STATE: RecordShape<PlanState> = {
  name: 'plan state',
  problem(v) {
    if (!Number.isInteger(v.planId)) return 'no plan id';
    const texts = [v.planName, v.lastRunKey, v.lastOutcome, v.lastDigest, v.lastReportId];
    if (!texts.every((x) => typeof x === 'string')) return 'no plan name, last run, outcome or report';
    if (!isNumber(v.lastNotifiedAt)) return 'no time of the last mail';
    // Nullable times: absent reads as null (JSON.stringify drops an undefined one).
    if (!isNumberOrNull(v.failingSince ?? null) || !isNumberOrNull(v.lastSuccessAt ?? null))
      return 'failure or success time not a number';
    if (v.mailedOutcome != null && typeof v.mailedOutcome !== 'string') return 'mailed outcome not a text';
    if (v.flips !== undefined && !(Array.isArray(v.flips) && v.flips.every(isNumber)))
      return 'flips not a list of times';
    if (v.lastRealRunStart != null && !isNumber(v.lastRealRunStart)) return 'last real run not a time';
    return null;
  },
};

/** What the missed-run watchdog remembers per plan (JSON in the `module/<id>/watchdog` HASH, field = plan id). */
export interface WatchRecord {
  schedule: string;
  enabled: boolean;
  /** Unix s when this plan was first seen with this schedule, enabled. */
  firstSeen: number;
  /** Expected run time (unix s) last reported MISSING, or null. */
  reported: number | null;
  /** Next trigger time (unix s) of an enabled plan, for the admin page (get-monitor-status); null when none. */
  nextRunAt?: number | null;
}

/** Guard of a watchdog record read back (triggers/missed-runs.ts rebuilds one it cannot use). */
export const WATCH_RECORD: RecordShape<WatchRecord> = {
  name: 'watchdog record',
  problem(v) {
    if (typeof v.schedule !== 'string' || typeof v.enabled !== 'boolean') return 'no schedule or enabled flag';
    if (!isNumber(v.firstSeen) || !isNumberOrNull(v.reported)) return 'first seen or reported time not a number';
    return isNumberOrNull(v.nextRunAt ?? null) ? null : 'next run not a time';
  },
};

/** What the last confirmation saw in one repository (issue #23): losses are measured against it. */
export interface SnapshotCount {
  /** Snapshots listed. */
  count: number;
  /** Unix s of the check. */
  at: number;
}

/** Guard of a stored snapshot count (`module/<id>/snapshot-counts`). */
export const SNAPSHOT_COUNT: RecordShape<SnapshotCount> = {
  name: 'snapshot count',
  problem(v) {
    if (!Number.isInteger(v.count) || (v.count as number) < 0) return 'count not a whole number';
    return isNumber(v.at) ? null : 'no time of the check';
  },
};

/**
 * Issue #23 item 4: the repositories nobody owns as the last read of NS8's
 * `read-backup-repositories` found them (repocheck/unowned.ts, once per digest), for the page and
 * /metrics between two digests.
 */
export interface UnownedRepositories {
  /** Unix s of the read. */
  at: number;
  repositories: UnownedRepoRow[];
}

const UNOWNED_KINDS: readonly string[] = ['removed', 'other_cluster'];

/** Guard of `module/<id>/unowned-repositories`: a row of another shape leaves the whole record out (never half a list). */
export const UNOWNED_REPOSITORIES: RecordShape<UnownedRepositories> = {
  name: 'unowned repositories',
  problem(v) {
    if (!isNumber(v.at)) return 'no time of the read';
    if (!Array.isArray(v.repositories)) return 'no list of repositories';
    const bad = v.repositories.some(
      (r: unknown) =>
        !isObject(r) ||
        !UNOWNED_KINDS.includes(r.kind as string) ||
        typeof r.path !== 'string' ||
        typeof r.moduleId !== 'string' ||
        typeof r.uiName !== 'string' ||
        typeof r.destinationName !== 'string' ||
        !isNumber(r.lastBackupAt),
    );
    return bad ? 'a repository of another shape' : null;
  },
};

/** Keys of the module namespace. */
export const moduleKeys = (moduleId: string) => ({
  plans: `module/${moduleId}/plans`,
  outbox: `module/${moduleId}/outbox`,
  history: `module/${moduleId}/history`,
  /** HASH plan id -> JSON array of the plan's recent runs, newest first (src/trends/history.ts). */
  runs: `module/${moduleId}/runs`,
  report: (reportId: string) => `module/${moduleId}/report/${reportId}`,
  /** HASH of the service's own health, refreshed periodically (links: redis, smtp, alertmanager). */
  health: `module/${moduleId}/health`,
  /** HASH plan id -> what the missed-run watchdog saw and reported (triggers/missed-runs.ts). */
  watchdog: `module/${moduleId}/watchdog`,
  /** LIST of every decided run, newest first, capped (digest/run-log.ts). */
  runLog: `module/${moduleId}/runlog`,
  /** STRING, JSON: the last digest sent and the schedule it was armed with (digest/schedule.ts). */
  digest: `module/${moduleId}/digest`,
  /** HASH report id -> ReportIndexEntry JSON (domain/report-index.ts): what history and trends read. */
  index: `module/${moduleId}/index`,
  /** HASH, derived from the index: counts per plan and outcome, for list-reports' filters (domain/report-index.ts). */
  facets: `module/${moduleId}/facets`,
  /** STRING, expiring: the token of the one instance that writes and sends (notify/writer-lease.ts). */
  writer: `module/${moduleId}/writer`,
  /** HASH plan id -> Silence JSON: acknowledged and snoozed plans (notify/silence.ts, issue #24). */
  silences: `module/${moduleId}/silences`,
  /** HASH window id -> MaintenanceWindow JSON: recurring maintenance windows (notify/maintenance.ts, issue #24). */
  maintenance: `module/${moduleId}/maintenance`,
  /** HASH run key -> Loki reads of its error lines started and not finished (ns8/loki.ts). */
  lokiReads: `module/${moduleId}/loki-reads`,
  /**
   * HASH `<destination id>/<repository path>` -> SnapshotCount JSON: the snapshots the last
   * confirmation saw, so a deletion at the destination across a restart is still seen (repocheck/counts.ts).
   */
  snapshotCounts: `module/${moduleId}/snapshot-counts`,
  /** HASH plan id -> TrendLines JSON: what the page's trends draw of the plan, kept with the runs (trends/lines.ts). */
  trends: `module/${moduleId}/trends`,
  /** STRING, UnownedRepositories JSON: the last read of repositories nobody owns (repocheck/unowned.ts, issue #23). */
  unownedRepositories: `module/${moduleId}/unowned-repositories`,
});

/** History length kept in `module/<id>/history` (LIST of report ids, newest first). */
export const HISTORY_MAX = 500;
/**
 * Bytes the history may hold: its stored reports plus their index entries (issue #25: 500 reports
 * of a 300-application plan, ~180 KB each, were 113 MiB replicated to every node). The oldest
 * reports leave first; the newest is always kept.
 */
export const HISTORY_MAX_BYTES = 16 * 1024 * 1024;
/** Reports expire after this many seconds. */
export const REPORT_TTL_SECONDS = 180 * 24 * 3600;
