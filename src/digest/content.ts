// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: what one digest says, from plain data (issue #14). Rendering is src/report/digest.ts.
// - A run belongs to the period in which it was first decided (its first run-log entry), so a run
//   is counted in exactly one digest even when a late update of it arrives after the digest; its
//   result is the newest entry's. A period is [from, to) in whole seconds: a run decided in the
//   second its digest is made (before or after the digest read the log) belongs to the next one.
// - Outcomes: SUCCESS = saved, MISSING = missed, WARNING (anomalies, issue #13) = warning, every
//   other outcome = failed.
// - Size: the plan's current total (sum of the modules' last statuses) against the last total
//   known at the start of the period (or the first one inside it).
//   Only a plan whose last run saved everything has a size: after a failed run NS8's statuses
//   say 0 B, which would read as "everything was deleted" (issue #21).
// - Order: worst first, as the admin page sorts its tiles (ui/src/lib/plan-status.js).
// - `off` plans are left out entirely (they are told on the status page only).
import { isOutcome, isProblem, OUTCOME_TABLE, savedEverything } from '../domain/outcome.js';
import type { PlanSnapshot } from '../domain/backup.js';
import type { PlanState } from '../domain/records.js';
import type { NotifySettings } from '../domain/policy.js';
import { inDigest, policyOf } from '../notify/policy.js';
import { coverageGaps, type ClusterApp } from './coverage.js';
import type { RunLogEntry } from './run-log.js';
import type { Outcome } from '../domain/run.js';
import type { Silence, SnoozedPlan } from '../notify/silence.js';
import type { MaintenanceWindow } from '../notify/maintenance.js';
import { type DigestContent, type DigestPlanRow, PLAN_STATES, planStateOf, type RunCounts } from '../domain/digest.js';
import type { SharedRetentionRow } from '../domain/digest.js';
import type { UnownedRepoRow } from '../domain/digest.js';
import { retentionConflicts } from '../domain/retention.js';
import { lastFullSuccessAt } from '../domain/full-success.js';

export interface DigestInput {
  from: number;
  to: number;
  catchUp: boolean;
  snapshots: readonly PlanSnapshot[];
  states: ReadonlyMap<number, PlanState>;
  /** Any order. */
  runLog: readonly RunLogEntry[];
  apps: readonly ClusterApp[];
  notify: NotifySettings;
  /** Plans snoozed at the digest's time (issue #24, notify/silence.ts snoozedPlans). */
  snoozed?: readonly SnoozedPlan[];
  /** Plans acknowledged (issue #24, acknowledgedPlans): listed while the plan still fails as acknowledged. */
  acknowledged?: readonly AcknowledgedPlan[];
  /** Maintenance windows (issue #24 item 3, silence-store.ts windows()): listed in every digest. */
  maintenance?: readonly MaintenanceWindow[];
  /** Issue #23 item 4: repositories nobody owns (repocheck/unowned.ts), when read for this digest. */
  unowned?: readonly UnownedRepoRow[];
}

/** An acknowledgement as the digest needs it (notify/silence.ts Acknowledgement). */
export interface AcknowledgedPlan {
  planId: number;
  by: string;
  at: number;
  comment: string;
  outcome: Outcome;
}

/** The acknowledgements stored in `module/<id>/silences`, by plan id. */
export function acknowledgedPlans(silences: ReadonlyMap<number, Silence>): AcknowledgedPlan[] {
  return [...silences]
    .filter(([, s]) => !!s.acknowledged)
    .sort((a, b) => a[0] - b[0])
    .map(([planId, s]) => {
      const a = s.acknowledged!;
      return { planId, by: a.by, at: a.at, comment: a.comment, outcome: a.outcome };
    });
}

/** An outcome this version does not know counts as a failure here: never as saved. */
export function bucketOf(outcome: string): keyof RunCounts {
  return isOutcome(outcome) ? OUTCOME_TABLE[outcome].digest : 'failed';
}

/** The plan's last result from NS8's statuses alone (a plan that ran before the monitor existed). */
function outcomeOfStatuses(snap: PlanSnapshot): string | null {
  const st = [...snap.statuses.values()];
  if (st.length === 0) return null;
  const ok = st.filter((s) => s.errors === 0).length;
  return ok === snap.plan.instances.length ? 'SUCCESS' : ok > 0 ? 'PARTIAL' : 'REPO_FAILURE';
}

const zero = (): RunCounts => ({ saved: 0, warnings: 0, failed: 0, missed: 0 });

/** Inside a state the worse outcome first (the outcome table's rank; unknown ones last). */
const outcomeRank = (o: string | null) => (o !== null && isOutcome(o) ? OUTCOME_TABLE[o].rank : 9);

/** Worst first; inside a state the longest failing first, then by name (as the admin page). */
export function worstFirst(a: DigestPlanRow, b: DigestPlanRow): number {
  return (
    PLAN_STATES.indexOf(a.state) - PLAN_STATES.indexOf(b.state) ||
    outcomeRank(a.lastOutcome) - outcomeRank(b.lastOutcome) ||
    (a.failingSince ?? Infinity) - (b.failingSince ?? Infinity) ||
    a.name.localeCompare(b.name) ||
    a.id - b.id
  );
}

/**
 * The page's "last full success" (domain/full-success.ts, status.py): the newest SUCCESS run, each
 * run by its newest entry. A plan with no run logged (a version before the run log) falls back on
 * its state's last success, as the page does.
 */
function lastFullSuccessOf(entries: readonly RunLogEntry[], state: PlanState | undefined): number | null {
  if (entries.length === 0) return state?.lastSuccessAt ?? null;
  const runs = new Map(entries.map((e) => [e.k, { start: e.t, outcome: e.o }])); // oldest first: the newest wins
  return lastFullSuccessAt(runs.values());
}

export function digestContent(i: DigestInput): DigestContent {
  // Runs decided in the same second (a catch-up) keep the order of their starts: the newest run
  // is the plan's last, whatever order the log was read in.
  const log = [...i.runLog].sort((a, b) => a.at - b.at || a.t - b.t);
  const byPlan = new Map<number, RunLogEntry[]>();
  for (const e of log) byPlan.set(e.p, [...(byPlan.get(e.p) ?? []), e]);
  const totals = zero();
  const rows: DigestPlanRow[] = [];
  for (const snap of [...i.snapshots].sort((a, b) => a.plan.id - b.plan.id)) {
    const policy = policyOf(i.notify, snap.plan.id);
    if (!inDigest(policy)) continue;
    const entries = byPlan.get(snap.plan.id) ?? [];
    const runs = zero();
    const firstSeen = new Map<string, number>();
    const latest = new Map<string, RunLogEntry>();
    for (const e of entries) {
      if (!firstSeen.has(e.k)) firstSeen.set(e.k, e.at);
      latest.set(e.k, e);
    }
    for (const [k, at] of firstSeen) {
      if (at < i.from || at >= i.to) continue;
      const b = bucketOf(latest.get(k)!.o);
      runs[b]++;
      totals[b]++;
    }
    const state = i.states.get(snap.plan.id);
    const upTo = entries.filter((e) => e.at < i.to);
    const sizes = (xs: RunLogEntry[]) => xs.filter((e) => e.z !== null);
    const statusSizes = [...snap.statuses.values()].map((s) => s.totalSize);
    const totalSize = statusSizes.length ? statusSizes.reduce((a, b) => a + b, 0) : (sizes(upTo).at(-1)?.z ?? null);
    const base = sizes(upTo.filter((e) => e.at < i.from)).at(-1) ?? sizes(upTo.filter((e) => e.at >= i.from))[0];
    const checked = upTo.filter((e) => e.h !== null).at(-1);
    const lastOutcome = upTo.at(-1)?.o ?? state?.lastOutcome ?? outcomeOfStatuses(snap);
    const sized = lastOutcome !== null && savedEverything(lastOutcome);
    rows.push({
      id: snap.plan.id,
      name: snap.plan.name,
      enabled: snap.plan.enabled,
      state: planStateOf(snap.plan.enabled, lastOutcome),
      policy,
      destinationName: snap.destination?.name || snap.plan.repository || '–',
      runs,
      lastOutcome,
      lastSuccessAt: lastFullSuccessOf(upTo, state),
      failingSince: state?.failingSince ?? null,
      totalSize: sized ? totalSize : null,
      sizeChange: sized && totalSize !== null && base?.z != null ? totalSize - base.z : null,
      health: checked ? { verdict: checked.h!, at: checked.at } : null,
    });
  }
  const gaps = coverageGaps(
    i.apps,
    i.snapshots.map((s) => ({
      id: s.plan.id,
      name: s.plan.name,
      enabled: s.plan.enabled,
      instances: s.plan.instances,
      hasRun: s.statuses.size > 0,
    })),
  );
  // An enabled plan that never ran needs attention too: nothing of it can be restored.
  const attention = rows.filter(
    (r) => r.enabled && (r.failingSince !== null || r.lastOutcome === null || isProblem(r.lastOutcome)),
  ).length;
  const names = new Map(i.snapshots.map((s) => [s.plan.id, s.plan.name]));
  const snoozed = (i.snoozed ?? [])
    .filter((s) => names.has(s.planId))
    .map((s) => ({ id: s.planId, name: names.get(s.planId)!, until: s.until, untilSuccess: s.untilSuccess }));
  // The service removes an acknowledgement at the run that ends it; until then the plan's last
  // reported outcome tells whether it still holds (a recovered plan is not listed).
  const acknowledged = (i.acknowledged ?? [])
    .filter((a) => names.has(a.planId) && i.states.get(a.planId)?.lastOutcome === a.outcome)
    .map((a) => ({ id: a.planId, name: names.get(a.planId)!, by: a.by, at: a.at, comment: a.comment }));
  // A window of a removed plan holds nothing any more (forget-plans.ts removes it within the hour).
  const maintenance = (i.maintenance ?? [])
    .filter((w) => w.planId === null || names.has(w.planId))
    .map((w) => ({
      calendar: w.calendar,
      durationSeconds: w.durationSeconds,
      planId: w.planId,
      planName: w.planId === null ? '' : names.get(w.planId)!,
    }));
  return {
    from: i.from,
    to: i.to,
    catchUp: i.catchUp,
    plans: rows.sort(worstFirst),
    totals,
    gaps,
    attention,
    snoozed,
    acknowledged,
    ...(maintenance.length ? { maintenance } : {}),
    sharedRetention: sharedRetention(i.snapshots),
    ...(i.unowned?.length ? { unowned: [...i.unowned] } : {}),
  };
}

/** Issue #23: every repository that enabled plans with different retentions prune (domain/retention.ts). */
export function sharedRetention(snapshots: readonly PlanSnapshot[]): SharedRetentionRow[] {
  const destinations = new Map(snapshots.map((s) => [s.plan.repository, s.destination?.name || s.plan.repository]));
  const uiNames = new Map(snapshots.flatMap((s) => s.modules.map((m) => [m.id, m.uiName] as const)));
  return retentionConflicts(snapshots.map((s) => s.plan)).map((c) => ({
    application: c.application,
    uiName: uiNames.get(c.application) ?? '',
    destinationName: destinations.get(c.destination) ?? c.destination,
    plans: c.plans,
    effectiveRetention: c.effectiveRetention,
  }));
}
