// SPDX-License-Identifier: GPL-3.0-or-later
// A run of plan 2 "Weekly SMB" as the notifier's pure rules see it: the one the decide, silence
// and escalation tests feed through decide() and planStateAfter().
import type { ModuleResult, Outcome, RunReport } from '../../src/domain/run.js';

export const H = 3600;
/** Sunday 2026-08-09 03:00 CEST. */
export const T0 = 1_786_237_200;

/** One application per entry of `results`, each run for a minute from `start`. */
export function planRun(start: number, outcome: Outcome, results: Record<string, ModuleResult> = {}): RunReport {
  const modules = Object.entries(results).map(([moduleId, result]) => ({
    moduleId,
    uiName: '',
    node: 1,
    nodeName: '',
    result,
    start,
    end: start + 60,
    totalSize: null,
    totalFileCount: null,
    snapshotsCount: null,
    errors: null,
    repoPath: '',
  }));
  return {
    runKey: `2:${start}`,
    planId: 2,
    planName: 'Weekly SMB',
    destinationId: 'd',
    destinationName: 'NAS',
    outcome,
    start,
    end: start + 60,
    nodes: [],
    modules,
    triggers: [],
  };
}
