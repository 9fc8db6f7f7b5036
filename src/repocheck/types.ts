// SPDX-License-Identifier: GPL-3.0-or-later
// Repository health, as the report shows it (issue #5).
import type { RunReport } from '../domain/run.js';

/** Named reason, not a boolean: what is wrong with a repository. */
export type RepoVerdict =
  | 'healthy' | 'unreachable' | 'auth' | 'missing' | 'wrong_password' | 'locked'
  | 'corrupt' | 'timeout' | 'forbidden' | 'error' | 'skipped';

export interface RepoCheck {
  moduleId: string;
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
}

export interface DestinationHealth {
  destinationId: string;
  destinationName: string;
  /** The overall verdict for the destination. */
  verdict: RepoVerdict;
  checks: RepoCheck[];
  /** Unix ms. */
  checkedAt: number;
}

export interface RepoChecker {
  /** Never throws and never outlives its budget; null when checks are off or nothing to check. */
  check(run: RunReport, signal?: AbortSignal): Promise<DestinationHealth | null>;
}
