// SPDX-License-Identifier: GPL-3.0-or-later
// The one outcome table (issue #20): what each outcome of a run means to every part of the
// product. The report, the digest, /metrics, the pipeline and the admin page read it here, so a
// new outcome is one row, not a hunt through five lists (WARNING once went missing from /metrics
// that way). Pure data; the admin page imports this file too (ui/src/lib/format.js).

/** Seed-compatible outcome names, used in subjects, history and /metrics labels. */
export type Outcome = 'SUCCESS' | 'WARNING' | 'PARTIAL' | 'REPO_FAILURE' | 'MISSING';

/** The digest's count a run falls in. */
export type DigestBucket = 'saved' | 'warnings' | 'failed' | 'missed';

/** The admin page's severity class of a plan whose last run had this outcome. */
export type PageClass = 'ok' | 'warning' | 'failing' | 'missed';

export interface OutcomeRow {
  /** Every application's data was saved (restorable data is fresh), even with a warning. */
  saved: boolean;
  /** A problem for notification policies (`problems` mails it; reminders follow it). */
  problem: boolean;
  /** The colour of the mail's banner and notices (src/report/layout.ts Tone). */
  tone: 'success' | 'warning' | 'failure';
  digest: DigestBucket;
  page: PageClass;
  /** Carbon tag colour on the admin page. */
  tag: 'green' | 'magenta' | 'red';
  /** The destination is checked after a run with this outcome (the applications failed). */
  destinationCheck: boolean;
  /**
   * The applications' snapshots are looked for at the destination after a run with this outcome
   * (issue #23, DESTINATION_VERIFY): every outcome where something ran.
   */
  destinationConfirm: boolean;
  /** Worst first: 0 is the worst outcome (sorting in the digest and on the page). */
  rank: number;
}

export const OUTCOME_TABLE: Readonly<Record<Outcome, Readonly<OutcomeRow>>> = Object.freeze({
  REPO_FAILURE: {
    saved: false,
    problem: true,
    tone: 'failure',
    digest: 'failed',
    page: 'failing',
    tag: 'red',
    destinationCheck: true,
    destinationConfirm: true,
    rank: 0,
  },
  PARTIAL: {
    saved: false,
    problem: true,
    tone: 'failure',
    digest: 'failed',
    page: 'failing',
    tag: 'magenta',
    destinationCheck: true,
    destinationConfirm: true,
    rank: 1,
  },
  MISSING: {
    saved: false,
    problem: true,
    tone: 'failure',
    digest: 'missed',
    page: 'missed',
    tag: 'red',
    destinationCheck: false,
    destinationConfirm: false,
    rank: 2,
  },
  WARNING: {
    saved: true,
    problem: true,
    tone: 'warning',
    digest: 'warnings',
    page: 'warning',
    tag: 'magenta',
    destinationCheck: false,
    destinationConfirm: true,
    rank: 3,
  },
  SUCCESS: {
    saved: true,
    problem: false,
    tone: 'success',
    digest: 'saved',
    page: 'ok',
    tag: 'green',
    destinationCheck: false,
    destinationConfirm: true,
    rank: 4,
  },
});

/** Every outcome, in the order of the seed tool (and of /metrics series). */
export const OUTCOMES: readonly Outcome[] = ['SUCCESS', 'WARNING', 'PARTIAL', 'REPO_FAILURE', 'MISSING'];

export const isOutcome = (x: unknown): x is Outcome => typeof x === 'string' && Object.hasOwn(OUTCOME_TABLE, x);

/**
 * The row of a stored outcome name. A name this version does not know (written by a newer
 * service, read after a downgrade) is treated as a warning: shown, never taken for a success.
 */
export const outcomeRow = (x: string): Readonly<OutcomeRow> =>
  isOutcome(x) ? OUTCOME_TABLE[x] : OUTCOME_TABLE.WARNING;

/** Every application was saved (restorable data is fresh), even if with a warning. */
export const savedEverything = (o: string): boolean => outcomeRow(o).saved;

/** Anything but SUCCESS is a problem to tell, WARNING included. */
export const isProblem = (o: string): boolean => outcomeRow(o).problem;
