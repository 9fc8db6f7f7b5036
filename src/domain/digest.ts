// SPDX-License-Identifier: GPL-3.0-or-later
// The digest's settings and content, shared by the configuration, the digest loop (digest/) and
// its mail (report/digest.ts), which must not import a stage.
import type { Policy } from './policy.js';
import { outcomeRow } from './outcome.js';
export const FREQUENCIES = ['off', 'daily', 'weekly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface DigestSettings {
  frequency: Frequency;
  /** Day of a weekly digest. */
  weekday: Weekday;
  /** `HH:MM`, 24 h, in the module's time zone. */
  time: string;
}

export const DEFAULT_DIGEST: DigestSettings = { frequency: 'weekly', weekday: 'mon', time: '08:00' };

export interface RunCounts {
  saved: number;
  warnings: number;
  failed: number;
  missed: number;
}

/**
 * A plan's state, worst first, in the digest and on the admin page (ui/src/lib/plan-status.js
 * imports it as CLASSES). Failing, missed, warning and OK are the outcome table's
 * `page` column.
 */
export const PLAN_STATES = ['failing', 'missed', 'warning', 'never', 'ok', 'disabled'] as const;
export type PlanStateClass = (typeof PLAN_STATES)[number];

export function planStateOf(enabled: boolean, lastOutcome: string | null): PlanStateClass {
  if (!enabled) return 'disabled';
  if (lastOutcome === null) return 'never';
  return outcomeRow(lastOutcome).page;
}

export interface DigestPlanRow {
  id: number;
  name: string;
  enabled: boolean;
  state: PlanStateClass;
  policy: Policy;
  destinationName: string;
  runs: RunCounts;
  /** Newest outcome known (period or before), or null when the plan never ran. */
  lastOutcome: string | null;
  /** Start (unix s) of the newest full success (SUCCESS run, domain/full-success.ts): the page's date. */
  lastSuccessAt: number | null;
  failingSince: number | null;
  /** Bytes now; change since the start of the period (null when unknown or the last run failed). */
  totalSize: number | null;
  sizeChange: number | null;
  /** Last destination check verdict and when it was made (unix s). */
  health: { verdict: string; at: number } | null;
}

export interface DigestContent {
  /** Unix s. */
  from: number;
  to: number;
  catchUp: boolean;
  plans: DigestPlanRow[];
  totals: RunCounts;
  gaps: CoverageGaps;
  /** Plans needing attention (failing, or their last result not a success). */
  attention: number;
  /** Plans snoozed now (issue #24): every digest lists them, so a silence is never forgotten. */
  snoozed?: SnoozedPlanRow[];
  /** Plans acknowledged now (issue #24): who, when and why, in every digest. */
  acknowledged?: AcknowledgedPlanRow[];
  /** Maintenance windows now (issue #24 item 3): listed beside the silences in every digest. */
  maintenance?: MaintenanceWindowRow[];
  /**
   * Issue #23: applications that enabled plans with different retentions save to one destination:
   * one repository, so the smallest retention is what is kept (domain/retention.ts).
   */
  sharedRetention?: SharedRetentionRow[];
  /** Issue #23 item 4: repositories at the destinations that no application of this cluster owns. */
  unowned?: UnownedRepoRow[];
}

/**
 * A repository nobody here owns (read-backup-repositories): `removed` = made by this cluster for
 * an application no longer installed; `other_cluster` = its manifest names another cluster.
 */
export interface UnownedRepoRow {
  kind: 'removed' | 'other_cluster';
  /** The application's id and name as its manifest says. */
  moduleId: string;
  uiName: string;
  /** `<image>/<uuid>` at the destination. */
  path: string;
  destinationName: string;
  /** Unix s of the last backup written there. */
  lastBackupAt: number;
}

/** One application whose repository several plans prune (issue #23 item 2). */
export interface SharedRetentionRow {
  application: string;
  uiName: string;
  destinationName: string;
  plans: { id: number; name: string; retention: number }[];
  effectiveRetention: number;
}

/** An acknowledged plan in a digest: who (empty: from the admin page), when (unix s), why. */
export interface AcknowledgedPlanRow {
  id: number;
  name: string;
  by: string;
  at: number;
  comment: string;
}

/** A maintenance window in a digest: its OnCalendar opening, length, and plan (null: every plan). */
export interface MaintenanceWindowRow {
  calendar: string;
  durationSeconds: number;
  planId: number | null;
  /** The plan's name; "" for a cluster-wide window. */
  planName: string;
}

/** A snoozed plan in a digest: until a time (unix s) and/or its next full success. */
export interface SnoozedPlanRow {
  id: number;
  name: string;
  until: number | null;
  untilSuccess: boolean;
}

export interface UnprotectedApp {
  id: string;
  uiName: string;
  inDisabledPlans: number[];
}

export interface CoverageGaps {
  unprotected: UnprotectedApp[];
  disabledPlans: { id: number; name: string }[];
  neverRan: { id: number; name: string }[];
}
