// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: what the monitor knows (NS8 plans and statuses, its own per-plan state, watchdog memory,
// outbox, links) -> Prometheus metric families. No I/O, no clock: everything comes in `MetricsInput`.
// Cardinality: per plan a fixed number of series; per (plan, application) five series, capped at
// `maxApplicationPairs` pairs (the rest is counted in backup_monitor_metrics_application_pairs_dropped);
// plan names are cut to LABEL_MAX characters. Together they bound the exposition (docs/METRICS.md).
import type { PlanSnapshot } from '../domain/backup.js';
import type { PlanState, UnownedRepositories } from '../domain/records.js';
import { OUTCOMES, type Outcome } from '../domain/outcome.js';
import { correlate } from '../correlate/correlate.js';
import type { Link } from '../domain/link.js';
import { stripInvisible } from '../domain/names.js';
import type { WatchRecord } from '../domain/records.js';
import { checkPlan, type WatchOptions } from '../schedule/watch.js';
import { CONFIRMATION_VERDICTS } from '../domain/destination.js';
import type { RunSummary } from '../trends/anomaly.js';
import { snoozeOver, type Silence, type SilenceKind } from '../notify/silence.js';

export type { Link } from '../domain/link.js';

export interface MetricsInput {
  nowS: number;
  /** null when the cluster state could not be read (Redis down): no plan series at all. */
  snapshots: PlanSnapshot[] | null;
  planStates: Map<number, PlanState>;
  watch: Map<number, WatchRecord>;
  /** Reports waiting for a (re)try; null when unknown. */
  outboxDepth: number | null;
  /** Link name -> last known state (checkedAt in unix ms). */
  links: Record<string, Link>;
  options: { maxRunSeconds: number; watch: WatchOptions; maxApplicationPairs: number };
  /** Issue #23: each plan's last decided run as kept in `module/<id>/runs` (its newest entry). */
  lastRuns?: Map<number, RunSummary>;
  /** Issue #24: `module/<id>/silences` by plan id (notify/silence.ts). */
  silences?: Map<number, Silence>;
  /** Issue #23 item 4: the last read of repositories nobody owns (`module/<id>/unowned-repositories`); absent = never read. */
  unowned?: UnownedRepositories | null;
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  name: string;
  help: string;
  labelNames: readonly string[];
  samples: Sample[];
}

export const APP_RESULTS = ['success', 'failed', 'not_run'] as const;
/** Label values from outside (plan names) are cut to this many characters. */
export const LABEL_MAX = 64;

const P = ['plan_id', 'plan'] as const;
/** The reasons of backup_monitor_unowned_repositories, each always present once a read was made. */
const UNOWNED_REASONS = ['removed', 'other_cluster'] as const;
const A = ['plan_id', 'plan', 'module'] as const;

/** Every family the model can produce, in exposition order. Names are the public contract (docs/METRICS.md). */
export const FAMILIES = {
  planEnabled: {
    name: 'backup_monitor_plan_enabled',
    help: '1 when the backup plan is enabled in NS8, else 0.',
    labelNames: P,
  },
  planApplications: {
    name: 'backup_monitor_plan_applications',
    help: 'Applications in the plan that still exist in the cluster.',
    labelNames: P,
  },
  lastRunApplications: {
    name: 'backup_monitor_plan_last_run_applications',
    help: 'Applications of the plan by their result in its latest run (success, failed, not_run).',
    labelNames: [...P, 'result'],
  },
  lastRunEnd: {
    name: 'backup_monitor_plan_last_run_end_timestamp_seconds',
    help: 'End of the latest run of the plan (latest application end in NS8 statuses), unix seconds.',
    labelNames: P,
  },
  lastRunDuration: {
    name: 'backup_monitor_plan_last_run_duration_seconds',
    help: 'From the first application start to the last application end of the latest run.',
    labelNames: P,
  },
  lastOutcome: {
    name: 'backup_monitor_plan_last_outcome',
    help: 'Outcome of the last run the monitor reported (1 for the current outcome, 0 for the others).',
    labelNames: [...P, 'outcome'],
  },
  lastSuccess: {
    name: 'backup_monitor_plan_last_success_timestamp_seconds',
    help: 'Start of the last run in which every application of the plan succeeded, unix seconds (absent when none is known).',
    labelNames: P,
  },
  failingSince: {
    name: 'backup_monitor_plan_failing_since_timestamp_seconds',
    help: 'Start of the first failed run of the current failure streak, unix seconds; 0 when the plan is not failing.',
    labelNames: P,
  },
  missedRun: {
    name: 'backup_monitor_plan_missed_run',
    help: '1 when nothing of the plan ran for its latest expected run (past the grace period), else 0.',
    labelNames: P,
  },
  lastExpected: {
    name: 'backup_monitor_plan_last_expected_run_timestamp_seconds',
    help: 'Latest calendar time at which the plan was due, at least the grace period ago, unix seconds.',
    labelNames: P,
  },
  lastMissed: {
    name: 'backup_monitor_plan_last_missed_run_timestamp_seconds',
    help: 'Expected time of the last run reported as missed, unix seconds; each new value is one more missed run.',
    labelNames: P,
  },
  watchedSince: {
    name: 'backup_monitor_plan_watched_since_timestamp_seconds',
    help: 'When the monitor started watching the plan with its current schedule, unix seconds.',
    labelNames: P,
  },
  appSize: {
    name: 'backup_monitor_application_last_size_bytes',
    help: 'Total size of the application data in its last backup of the plan.',
    labelNames: A,
  },
  appFiles: {
    name: 'backup_monitor_application_last_files',
    help: 'Files of the application in its last backup of the plan.',
    labelNames: A,
  },
  appDuration: {
    name: 'backup_monitor_application_last_duration_seconds',
    help: 'Duration of the last backup of the application in the plan.',
    labelNames: A,
  },
  appSuccess: {
    name: 'backup_monitor_application_last_success',
    help: '1 when the last backup of the application in the plan succeeded, 0 when it failed.',
    labelNames: A,
  },
  appEnd: {
    name: 'backup_monitor_application_last_end_timestamp_seconds',
    help: 'End of the last backup of the application in the plan, unix seconds.',
    labelNames: A,
  },
  appConfirmation: {
    name: 'backup_monitor_application_destination_confirmation',
    help: "What the destination showed after the plan's last run, per application (1 for the current state): confirmed, unconfirmed (reported saved, no new snapshot), cleanup_failed (saved, forget --prune failed), not_saved, not_checked. Absent when not checked.",
    labelNames: [...A, 'state'],
  },
  appRetentionStuck: {
    name: 'backup_monitor_application_retention_stuck_since_seconds',
    help: "Issue #23: since when (unix seconds) the cleanup (restic forget --prune) of the application's repository has failed on every run of the plan, from the third run in a row on (the mail's 'retention stuck since'); absent when it is not stuck.",
    labelNames: A,
  },
  appSnapshots: {
    name: 'backup_monitor_application_snapshots',
    help: "Snapshots of the application's repository at the destination, read after the plan's last run.",
    labelNames: A,
  },
  unowned: {
    name: 'backup_monitor_unowned_repositories',
    help: "Issue #23: repositories at the destinations that nobody here owns, by reason (removed: its application is no longer in the cluster; other_cluster: another cluster writes it), as the last digest's read-backup-repositories found them; absent before the first read.",
    labelNames: ['reason'],
  },
  outboxDepth: {
    name: 'backup_monitor_outbox_depth',
    help: 'Reports stored and waiting to be sent or retried.',
    labelNames: [],
  },
  linkUp: {
    name: 'backup_monitor_link_up',
    help: 'State of a link at its last check: 1 working, 0 failing (redis, smtp, alertmanager, api_server).',
    labelNames: ['link'],
  },
  linkChecked: {
    name: 'backup_monitor_link_last_check_timestamp_seconds',
    help: 'When the link was last used or checked, unix seconds.',
    labelNames: ['link'],
  },
  planSilenced: {
    name: 'backup_monitor_plan_silenced',
    help: 'Issue #24: 1 while the plan is acknowledged (its failure is known) or snoozed (no mail until its end), else 0; by = the cluster-admin user who did it (empty: from the admin page).',
    labelNames: [...P, 'kind', 'by'],
  },
  pairsDropped: {
    name: 'backup_monitor_metrics_application_pairs_dropped',
    help: 'Plan/application pairs left out of the per-application series because of the cardinality cap.',
    labelNames: [],
  },
} as const satisfies Record<string, Omit<Family, 'samples'>>;

export type FamilyKey = keyof typeof FAMILIES;

/** A label value from outside: no invisible or bidi-control characters (issue #25), at most LABEL_MAX. */
const cut = (raw: string) => {
  const s = stripInvisible(raw);
  return s.length > LABEL_MAX ? `${s.slice(0, LABEL_MAX - 1)}…` : s;
};

/** The outcome to show: what the monitor reported; before its first report, what the statuses say. */
function outcomeOf(state: PlanState | undefined, latest: ReturnType<typeof correlate> | null): Outcome | null {
  if (state) return state.lastOutcome;
  return latest && latest.modules.some((m) => m.result !== 'not_run') ? latest.outcome : null;
}

export function metricFamilies(input: MetricsInput): Family[] {
  const out = {} as Record<FamilyKey, Family>;
  for (const k of Object.keys(FAMILIES) as FamilyKey[]) out[k] = { ...FAMILIES[k], samples: [] };
  const put = (k: FamilyKey, labels: Record<string, string>, value: number) => {
    out[k].samples.push({ labels, value });
  };
  let pairs = 0;
  let dropped = 0;

  const snapshots = [...(input.snapshots ?? [])].sort((a, b) => a.plan.id - b.plan.id);
  for (const snap of snapshots) {
    const p = { plan_id: String(snap.plan.id), plan: cut(snap.plan.name) };
    const state = input.planStates.get(snap.plan.id);
    const live = snap.modules.filter((m) => m.node !== null);
    const latest = live.length ? correlate(snap, { since: null, maxRunSeconds: input.options.maxRunSeconds }) : null;

    put('planEnabled', p, snap.plan.enabled ? 1 : 0);
    put('planApplications', p, live.length);
    for (const result of APP_RESULTS)
      put(
        'lastRunApplications',
        { ...p, result },
        latest ? latest.modules.filter((m) => m.result === result).length : 0,
      );
    if (latest && latest.modules.some((m) => m.end !== null)) {
      put('lastRunEnd', p, latest.end);
      put('lastRunDuration', p, Math.max(0, latest.end - latest.start));
    }
    const outcome = outcomeOf(state, latest);
    if (outcome) {
      for (const o of OUTCOMES) put('lastOutcome', { ...p, outcome: o }, o === outcome ? 1 : 0);
      put('failingSince', p, state ? (state.failingSince ?? 0) : outcome === 'SUCCESS' ? 0 : latest!.start);
    }
    const lastSuccess = state ? state.lastSuccessAt : outcome === 'SUCCESS' ? latest!.start : null;
    if (lastSuccess !== null && lastSuccess !== undefined) put('lastSuccess', p, lastSuccess);

    const rec = input.watch.get(snap.plan.id);
    if (rec) {
      const verdict = checkPlan(snap, rec, input.nowS, input.options.watch);
      put('missedRun', p, verdict.kind === 'missing' || verdict.kind === 'already-reported' ? 1 : 0);
      if ('expectedAt' in verdict) put('lastExpected', p, verdict.expectedAt);
      if (rec.reported !== null) put('lastMissed', p, rec.reported);
      put('watchedSince', p, rec.firstSeen);
    }

    for (const [kind, by] of silencedBy(input.silences?.get(snap.plan.id), state, input.nowS))
      put('planSilenced', { ...p, kind, by: by === null ? '' : cut(by) }, by === null ? 0 : 1);

    for (const m of live) {
      const s = snap.statuses.get(m.id);
      if (!s) continue;
      if (pairs >= input.options.maxApplicationPairs) {
        dropped++;
        continue;
      }
      pairs++;
      const a = { ...p, module: m.id };
      put('appSize', a, s.totalSize);
      put('appFiles', a, s.totalFileCount);
      put('appDuration', a, Math.max(0, s.end - s.start));
      put('appSuccess', a, s.errors === 0 ? 1 : 0);
      put('appEnd', a, s.end);
      const kept = input.lastRuns?.get(snap.plan.id)?.modules.find((x) => x.id === m.id);
      if (kept?.confirmation) {
        for (const v of CONFIRMATION_VERDICTS)
          put('appConfirmation', { ...a, state: v }, v === kept.confirmation ? 1 : 0);
        if (typeof kept.snapshots === 'number') put('appSnapshots', a, kept.snapshots);
      }
      if (typeof kept?.stuckSince === 'number') put('appRetentionStuck', a, kept.stuckSince);
    }
  }

  if (input.unowned)
    for (const reason of UNOWNED_REASONS)
      put('unowned', { reason }, input.unowned.repositories.filter((r) => r.kind === reason).length);
  if (input.outboxDepth !== null) put('outboxDepth', {}, input.outboxDepth);
  for (const [link, l] of Object.entries(input.links).sort(([a], [b]) => a.localeCompare(b))) {
    put('linkUp', { link }, l.ok ? 1 : 0);
    if (l.checkedAt > 0) put('linkChecked', { link }, Math.floor(l.checkedAt / 1000));
  }
  put('pairsDropped', {}, dropped);
  return Object.values(out);
}

/**
 * Who holds each kind of silence now (null: not in force). An acknowledgement holds while the
 * plan's last reported outcome is the one acknowledged; a snooze until its time has come. The
 * service removes ended ones at the next run; the gauge says 0 from the moment they end.
 */
function silencedBy(
  s: Silence | undefined,
  state: PlanState | undefined,
  nowS: number,
): [SilenceKind, string | null][] {
  const ack = s?.acknowledged && state?.lastOutcome === s.acknowledged.outcome ? s.acknowledged.by : null;
  const snoozed = s?.snoozed && !snoozeOver(s.snoozed, nowS) ? s.snoozed.by : null;
  return [
    ['acknowledged', ack],
    ['snoozed', snoozed],
  ];
}
