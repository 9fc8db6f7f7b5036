// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the shared-repository retention guard (issue #23 item 2). A module's restic repository is
// `<image>/<module uuid>` at the destination, with no plan id in it (ns8-contract §1.8, §1.5): two
// enabled plans that save the same application to the same destination write ONE repository, and
// each plan's `restic forget --keep-last <retention>` prunes the other's snapshots too. What is
// kept is the smallest retention of them: "plan A promises 30, plan B keeps 3: you have 3".
// Plans with the same retention share snapshots but keep the count each promises: not a conflict.
// The actions compute the same rule in backup_monitor/retention.py; both run the cases of
// test/fixtures/retention-conflicts.json.
import type { BackupPlan } from './backup.js';

/** One application saved to one destination by enabled plans whose retentions differ. */
export interface RetentionConflict {
  /** Destination uuid (`cluster/backup/<id>` `repository`). */
  destination: string;
  /** Module id. */
  application: string;
  /** The plans sharing the repository, by id. */
  plans: { id: number; name: string; retention: number }[];
  /** What the repository really keeps: the smallest retention of those plans. */
  effectiveRetention: number;
}

/** What a plan's tile says (get-monitor-status `retention_conflicts`): one entry per other plan. */
export interface PlanRetentionConflict {
  application: string;
  otherPlanId: number;
  otherPlanName: string;
  effectiveRetention: number;
}

type PlanFields = Pick<BackupPlan, 'id' | 'name' | 'repository' | 'retention' | 'instances' | 'enabled'>;

/** Every conflict, by destination then application; disabled plans prune nothing and are left out. */
export function retentionConflicts(plans: readonly PlanFields[]): RetentionConflict[] {
  const groups = new Map<string, { destination: string; application: string; plans: PlanFields[] }>();
  for (const p of [...plans].sort((a, b) => a.id - b.id)) {
    if (!p.enabled || p.repository === '') continue;
    for (const application of new Set(p.instances)) {
      const key = JSON.stringify([p.repository, application]);
      const g = groups.get(key) ?? { destination: p.repository, application, plans: [] };
      g.plans.push(p);
      groups.set(key, g);
    }
  }
  const out: RetentionConflict[] = [];
  for (const g of groups.values()) {
    const retentions = new Set(g.plans.map((p) => p.retention));
    if (retentions.size < 2) continue;
    out.push({
      destination: g.destination,
      application: g.application,
      plans: g.plans.map((p) => ({ id: p.id, name: p.name, retention: p.retention })),
      effectiveRetention: Math.min(...retentions),
    });
  }
  return out.sort(
    (a, b) =>
      (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0) ||
      (a.application < b.application ? -1 : a.application > b.application ? 1 : 0),
  );
}

/** One plan's side of the conflicts: per application, each other plan it shares the repository with. */
export function conflictsOfPlan(conflicts: readonly RetentionConflict[], planId: number): PlanRetentionConflict[] {
  return conflicts
    .filter((c) => c.plans.some((p) => p.id === planId))
    .flatMap((c) =>
      c.plans
        .filter((p) => p.id !== planId)
        .map((p) => ({
          application: c.application,
          otherPlanId: p.id,
          otherPlanName: p.name,
          effectiveRetention: c.effectiveRetention,
        })),
    );
}

/**
 * What the repository of `applications` really keeps for a plan promising `retention`: the lowest
 * effective retention of the conflicts naming one of them (the plan's own when none is shared).
 */
export function effectiveRetentionOf(
  retention: number,
  conflicts: readonly Pick<PlanRetentionConflict, 'application' | 'effectiveRetention'>[] | undefined,
  applications: readonly string[],
): number {
  const names = new Set(applications);
  const shared = (conflicts ?? []).filter((c) => names.has(c.application)).map((c) => c.effectiveRetention);
  return Math.min(retention, ...shared);
}
