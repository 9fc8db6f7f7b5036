// SPDX-License-Identifier: GPL-3.0-or-later
// The repository check stage's interface (issue #5); what it finds is domain/destination.ts.
import type { DestinationHealth } from '../domain/destination.js';
import type { RunReport } from '../domain/run.js';

export interface RepoChecker {
  /** Never throws and never outlives its budget; null when checks are off or nothing to check. */
  check(run: RunReport, signal?: AbortSignal): Promise<DestinationHealth | null>;
}
