// SPDX-License-Identifier: GPL-3.0-or-later
// The repository check stage's interface (issue #5); what it finds is domain/destination.ts.
import type { Confirmation, DestinationHealth } from '../domain/destination.js';
import type { UnownedRepoRow } from '../domain/digest.js';
import type { RunReport } from '../domain/run.js';
import type { RefreshResult } from './unowned-refresh.js';

export interface RepoChecker {
  /** Never throws and never outlives its budget; null when checks are off or nothing to check. */
  check(run: RunReport, signal?: AbortSignal): Promise<DestinationHealth | null>;
  /**
   * Issue #23: each application's snapshots read after the run, against what NS8 reported
   * (DESTINATION_VERIFY). Never throws, never outlives REPO_CHECK_BUDGET_SECONDS; module id ->
   * confirmation, empty when nothing is to be confirmed.
   */
  confirm?(run: RunReport, retention: number, signal?: AbortSignal): Promise<Map<string, Confirmation>>;
  /** Issue #23 item 4: repositories at the destinations that nobody owns; null when NS8 did not answer in time. */
  unowned?(signal?: AbortSignal): Promise<UnownedRepoRow[] | null>;
  /** Issue #23 item 4: reads that list again when it is a day old (unowned-refresh.ts); never throws. */
  refreshUnowned?(signal?: AbortSignal): Promise<RefreshResult>;
}
