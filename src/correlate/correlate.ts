// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: one plan's snapshot + the run's window -> the RunReport every mail is made from.
import type { ModuleStatus, PlanSnapshot } from '../domain/backup.js';
import {
  outcomeOf,
  inferRunStart,
  inRunWindow,
  type ModuleRow,
  type RunReport,
  type RunWindow,
} from '../domain/run.js';

export function correlate(snap: PlanSnapshot, window: RunWindow, triggers: string[] = []): RunReport {
  const live = snap.modules.filter((m) => m.node !== null);
  // Only statuses with trusted times place the run (issue #25: one dated a year ahead made it a
  // run of next year, and every later run a duplicate).
  const since =
    window.since ??
    inferRunStart(
      live.map((m) => snap.statuses.get(m.id)).filter((s): s is ModuleStatus => !!s && !s.problem),
      window.maxRunSeconds,
    );
  // A status not taken at face value is the module's current state whatever the run: it has no
  // time to place it unless its start was readable.
  const inRun = (s: ModuleStatus | undefined): s is ModuleStatus =>
    s !== undefined &&
    ((s.problem !== undefined && s.start <= 0) ||
      (since !== null && inRunWindow(s.start, since, window.maxRunSeconds)));

  const rows: ModuleRow[] = live.map((m) => {
    const s = snap.statuses.get(m.id);
    const ran = inRun(s);
    const timed = ran && s.start > 0;
    return {
      moduleId: m.id,
      uiName: m.uiName,
      node: m.node,
      nodeName: snap.nodeNames.get(m.node!) ?? '',
      result: !ran ? 'not_run' : s.errors === 0 && !s.problem ? 'success' : 'failed',
      start: timed ? s.start : null,
      end: timed ? s.end : null,
      totalSize: ran ? s.totalSize : null,
      totalFileCount: ran ? s.totalFileCount : null,
      snapshotsCount: ran ? s.snapshotsCount : null,
      errors: ran ? s.errors : null,
      repoPath: `${m.image}/${m.uuid}`,
      ...(ran && s.problem ? { statusProblem: s.problem } : {}),
    };
  });
  const ran = rows.filter((r) => r.start !== null);
  const start = ran.length ? Math.min(...ran.map((r) => r.start!)) : (since ?? 0);
  const end = ran.length ? Math.max(...ran.map((r) => r.end!)) : start;
  const nodeIds = [...new Set(live.map((m) => m.node!))].sort((a, b) => a - b);
  return {
    runKey: `${snap.plan.id}:${start}`,
    planId: snap.plan.id,
    planName: snap.plan.name,
    destinationId: snap.plan.repository,
    destinationName: snap.destination?.name ?? snap.plan.repository,
    outcome: outcomeOf(rows),
    start,
    end,
    nodes: nodeIds.map((id) => ({ id, name: snap.nodeNames.get(id) ?? '' })),
    modules: rows,
    triggers,
    schedule: snap.plan.schedule,
    retention: snap.plan.retention,
  };
}

/** A MISSING report: the plan was due at `expectedAt` and nothing ran. */
export function missingRun(
  snap: PlanSnapshot,
  expectedAt: number,
  missingModules: string[],
  triggers: string[] = [],
): RunReport {
  const base = correlate(snap, { since: expectedAt, maxRunSeconds: 86400 }, triggers);
  const missing = new Set(missingModules.length ? missingModules : snap.plan.instances);
  const modules = base.modules.map(({ statusProblem, ...r }) =>
    missing.has(r.moduleId)
      ? {
          ...r,
          result: 'not_run' as const,
          start: null,
          end: null,
          totalSize: null,
          totalFileCount: null,
          snapshotsCount: null,
          errors: null,
        }
      : { ...r, ...(statusProblem ? { statusProblem } : {}) },
  );
  return {
    ...base,
    runKey: `${snap.plan.id}:${expectedAt}`,
    outcome: 'MISSING',
    start: expectedAt,
    end: expectedAt,
    modules,
  };
}
