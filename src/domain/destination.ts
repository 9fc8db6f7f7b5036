// SPDX-License-Identifier: GPL-3.0-or-later
// Repository health, as the report shows it (issue #5): what repocheck/ finds, what report/
// words and what a stored report keeps (`run.destinationHealth`: stored names, see records.ts).

/** Named reason, not a boolean: what is wrong with a repository. */
export type RepoVerdict =
  | 'healthy'
  | 'unreachable'
  | 'auth'
  | 'missing'
  | 'wrong_password'
  | 'locked'
  | 'corrupt'
  | 'timeout'
  | 'forbidden'
  | 'error'
  | 'skipped';

export interface RepoCheck {
  moduleId: string;
  /** The label people know (`module/<id>/ui_name`), when set. */
  uiName?: string;
  repoPath: string;
  /** Whether this module failed in the run (false = checked as a healthy comparison). */
  failedInRun: boolean;
  verdict: RepoVerdict;
  /** Unix s of the latest snapshot, when the repository could be read. */
  latestSnapshot: number | null;
  snapshotCount: number | null;
  totalBytes: number | null;
  /** Age of the lock in seconds, for `locked`. */
  lockAgeSeconds: number | null;
  /** True when the latest snapshot is older than the plan's last expected run. */
  snapshotOutdated: boolean;
  /** restic's own message, secrets masked. */
  rawError: string | null;
  durationMs: number;
  /** Stable code of the outcome (REPO_LOCKED, API_UNREACHABLE, ...), for logs and wording. */
  code?: string;
}

export interface DestinationHealth {
  destinationId: string;
  destinationName: string;
  /** The overall verdict for the destination. */
  verdict: RepoVerdict;
  checks: RepoCheck[];
  /** Unix s of the plan's last expected run: snapshots older than this are flagged outdated. */
  expectedRun?: number | null;
  /** Unix ms. */
  checkedAt: number;
}

/** A verdict that names what is wrong and how to fix it (issue #21): its fix is the first step of the mail. */
export type ConclusiveVerdict = Exclude<RepoVerdict, 'healthy' | 'error' | 'skipped'>;

const CONCLUSIVE: ReadonlySet<RepoVerdict> = new Set<ConclusiveVerdict>([
  'unreachable',
  'auth',
  'missing',
  'wrong_password',
  'locked',
  'corrupt',
  'timeout',
  'forbidden',
]);

/**
 * Verdicts that prove the repository itself is the problem, so a failed run's headline drops
 * "possible". A timeout only says the check got no answer; forbidden is the monitor's own role.
 */
const CONFIRMED: ReadonlySet<RepoVerdict> = new Set<ConclusiveVerdict>([
  'unreachable',
  'auth',
  'missing',
  'wrong_password',
  'locked',
  'corrupt',
]);

/** The destination's verdict when it says what to do, else null (healthy, error, skipped, not checked). */
export function conclusiveVerdict(h: DestinationHealth | null | undefined): ConclusiveVerdict | null {
  return h && CONCLUSIVE.has(h.verdict) ? (h.verdict as ConclusiveVerdict) : null;
}

export const confirmsRepositoryProblem = (h: DestinationHealth | null | undefined): boolean =>
  !!h && CONFIRMED.has(h.verdict);

// Confirmed at the destination (issue #23): what a run's applications left in their repositories,
// read after the run through read-backup-snapshots, against what NS8 reported.

/**
 * What the destination says about one application of a finished run:
 * - confirmed: reported saved, and a snapshot newer than its start is there;
 * - unconfirmed: reported saved, but no snapshot newer than its start (a false success);
 * - cleanup_failed: reported failed, but this run's snapshot is there and only the step after it
 *   failed (errors = 1 with the stats read: `forget --prune`, NS8 run-backup): data saved, the
 *   repository grows;
 * - not_saved: reported failed, and the destination agrees (no new snapshot);
 * - not_checked: the destination could not be read (code says why): nothing is concluded.
 */
export type ConfirmationVerdict = 'confirmed' | 'unconfirmed' | 'cleanup_failed' | 'not_saved' | 'not_checked';

export const CONFIRMATION_VERDICTS: readonly ConfirmationVerdict[] = [
  'confirmed',
  'unconfirmed',
  'cleanup_failed',
  'not_saved',
  'not_checked',
];

/** Snapshots that disappeared between two checks beyond what the plan's retention removes. */
export interface SnapshotLoss {
  /** Snapshots at the previous check. */
  before: number;
  /** Snapshots now. */
  after: number;
  /** The plan's retention (`--keep-last`). */
  retention: number;
}

export interface Confirmation {
  verdict: ConfirmationVerdict;
  /** Unix s a snapshot had to be newer than: the application's start in this run. */
  since: number;
  /** Unix s of the newest snapshot seen, null when none or not read. */
  latestSnapshot: number | null;
  snapshotCount: number | null;
  /** The plan's retention when the check was made. */
  retention: number;
  /** Set when snapshots went missing outside the plan's retention since the previous check. */
  loss?: SnapshotLoss | null;
  /** For not_checked: why (CHECK_SKIPPED_BUDGET, CHECK_SKIPPED_HOURLY_CAP, REPO_*, API_*). */
  code?: string;
  /**
   * For cleanup_failed: set when the cleanup has failed on every run of this application for
   * several runs in a row (the run history): since = unix s of the first of them, runs = how many.
   */
  cleanupStuck?: { since: number; runs: number } | null;
}
