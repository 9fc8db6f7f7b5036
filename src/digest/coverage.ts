// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: what the cluster does not back up (issue #14, the digest's "coverage gaps").
//
// Applications in no enabled plan follow NS8's own rule, cluster action `list-backups`
// (ns8-core core/imageroot/var/lib/nethserver/cluster/actions/list-backups/50list, read at
// 4f41b35): every module of `cluster/module_node` is a candidate, modules whose
// `module/<id>/flags` SET holds `no_data_backup` are ignored (metrics1, loki, this monitor...), and
// a module listed in a plan's `instances` is covered. Core counts a module as configured even when
// its only plan is disabled; a disabled plan saves nothing, so here such a module is a gap too,
// tagged with the disabled plans that hold it (`inDisabledPlans`), while `inDisabledPlans: []`
// is exactly core's `unconfigured_instances`.
import type { CoverageGaps } from '../domain/digest.js';

export interface ClusterApp {
  id: string;
  /** `module/<id>/ui_name`, '' when unset. */
  uiName: string;
  flags: readonly string[];
}

export interface PlanCoverage {
  id: number;
  name: string;
  enabled: boolean;
  instances: readonly string[];
  /** True when any module of the plan has a status (NS8 keeps only the last one per module). */
  hasRun: boolean;
}

export const NO_DATA_BACKUP = 'no_data_backup';

export function coverageGaps(apps: readonly ClusterApp[], plans: readonly PlanCoverage[]): CoverageGaps {
  const enabled = plans.filter((p) => p.enabled);
  const covered = new Set(enabled.flatMap((p) => p.instances));
  const byId = (a: { id: string | number }, b: { id: string | number }) =>
    String(a.id).localeCompare(String(b.id), 'en', { numeric: true });
  const unprotected = apps
    .filter((a) => !a.flags.includes(NO_DATA_BACKUP) && !covered.has(a.id))
    .map((a) => ({
      id: a.id,
      uiName: a.uiName,
      inDisabledPlans: plans
        .filter((p) => !p.enabled && p.instances.includes(a.id))
        .map((p) => p.id)
        .sort((x, y) => x - y),
    }))
    .sort(byId);
  return {
    unprotected,
    disabledPlans: plans
      .filter((p) => !p.enabled)
      .map(({ id, name }) => ({ id, name }))
      .sort(byId),
    neverRan: enabled
      .filter((p) => !p.hasRun)
      .map(({ id, name }) => ({ id, name }))
      .sort(byId),
  };
}
