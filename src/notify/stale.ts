// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: is a plan stale, i.e. has it gone without a successful run for longer than the stale age?
// "Stale since" is the last moment the plan was known good (its last successful run), or, when no
// success was ever seen, the start of the failure streak. A successful run is never stale.
import type { PlanState } from '../domain/records.js';
import { savedEverything, type RunReport } from '../domain/run.js';

export type Staleness = { kind: 'fresh' } | { kind: 'stale'; since: number };

export function staleness(
  run: Pick<RunReport, 'outcome' | 'start'>,
  prev: Pick<PlanState, 'lastSuccessAt' | 'failingSince'> | undefined,
  nowS: number,
  staleAge: number,
): Staleness {
  if (savedEverything(run.outcome)) return { kind: 'fresh' };
  const since = prev?.lastSuccessAt ?? prev?.failingSince ?? run.start;
  return nowS - since > staleAge ? { kind: 'stale', since } : { kind: 'fresh' };
}

/** The value for RunReport.staleSince. */
export const staleSince = (...a: Parameters<typeof staleness>): number | null => {
  const s = staleness(...a);
  return s.kind === 'stale' ? s.since : null;
};
