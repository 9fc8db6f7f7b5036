// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: should this run produce a mail, and why? Returns a named reason, never a boolean.
import type { PlanState, NotifyReason } from '../domain/records.js';
import type { RunReport } from '../domain/run.js';

export interface DecideOptions { notifyOnSuccess: boolean }

/** Reasons that put a mail in the outbox; the others only update state. */
export const MAILED: ReadonlySet<NotifyReason> = new Set<NotifyReason>(['first', 'repeat', 'changed', 'update', 'reminder', 'recovered', 'success']);

/** A fingerprint of what the admin would see change: outcome and per-module results. */
export function runDigest(run: RunReport): string {
  return [run.outcome, ...run.modules.map((m) => `${m.moduleId}=${m.result}`).sort()].join(',');
}

export const runStartOf = (runKey: string): number => Number(runKey.split(':')[1] ?? 0);

export function decide(prev: PlanState | undefined, run: RunReport, opts: DecideOptions): NotifyReason {
  if (prev) {
    if (runStartOf(run.runKey) < runStartOf(prev.lastRunKey)) return 'duplicate';
    if (prev.lastRunKey === run.runKey) return prev.lastDigest === runDigest(run) ? 'duplicate' : 'update';
  }
  const wasFailing = prev !== undefined && prev.lastOutcome !== 'SUCCESS';
  if (run.outcome === 'SUCCESS') {
    if (wasFailing) return 'recovered';
    return opts.notifyOnSuccess ? 'success' : 'muted';
  }
  if (!wasFailing) return 'first';
  return prev.lastOutcome === run.outcome ? 'repeat' : 'changed';
}
