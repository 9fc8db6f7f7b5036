// SPDX-License-Identifier: GPL-3.0-or-later
// What NS8 stores about plans, destinations and per-module results (NS8.md §1.2-§1.5).

/** A backup plan, `cluster/backup/<id>`. */
export interface BackupPlan {
  id: number;
  name: string;
  /** Destination uuid. */
  repository: string;
  /** systemd OnCalendar expression, node-local time. */
  schedule: string;
  retention: number;
  /** Module ids in plan order. */
  instances: string[];
  enabled: boolean;
}

/** A backup destination, `cluster/backup_repository/<uuid>` (public fields only). */
export interface Destination {
  id: string;
  name: string;
  url: string;
  provider: string;
}

/**
 * Why a status is not taken at face value (issue #25): `unreadable` = its start or errors is not a
 * number (e.g. `NaN`); `clock_ahead` = it is dated in the future (the node's clock is ahead, or
 * milliseconds were written as seconds).
 */
export type StatusProblem = 'unreadable' | 'clock_ahead';

/** One module's last result in one plan, `node/<n>/backup_status/<plan>` field value. */
export interface ModuleStatus {
  /** Unix s; 0 when the status has no time that can be trusted (see `problem`). */
  start: number;
  /** Unix s; 0 when the status has no time that can be trusted. */
  end: number;
  /** At least 1 when `problem` is set: such a module is never counted as saved. */
  errors: number;
  totalSize: number;
  totalFileCount: number;
  snapshotsCount: number;
  /** Set when the status is not taken at face value. */
  problem?: StatusProblem;
}

/** One backup-status-changed event (NS8.md §4.2). */
export interface BackupEvent {
  nodeId: number;
  planId: number;
  moduleId: string;
}

/** A module of the cluster as the report needs it. */
export interface ClusterModule {
  id: string;
  /** The label people know (`module/<id>/ui_name`), or '' when unset. */
  uiName: string;
  /** Node id, or null when the module no longer exists in `cluster/module_node`. */
  node: number | null;
  uuid: string;
  /** Image name (last path element of IMAGE_URL, no tag): the first part of the restic repo path. */
  image: string;
}

/** Everything correlate needs about one plan, read in a fixed number of round trips. */
export interface PlanSnapshot {
  plan: BackupPlan;
  destination: Destination | null;
  modules: ClusterModule[];
  /** module id -> its status from the node that hosts it; absent when never run. */
  statuses: Map<string, ModuleStatus>;
  /** node id -> label (`node/<n>/ui_name`, '' when unset). */
  nodeNames: Map<number, string>;
}

/**
 * How far ahead of the service's clock a node's clock may be (NTP keeps nodes within seconds;
 * Samba AD already breaks beyond 5 minutes). A status dated later than this is not believed.
 */
export const CLOCK_TOLERANCE_SECONDS = 300;

const finiteNumber = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A status that cannot be taken at face value: never saved, and only the times that are sane. */
function problemStatus(problem: StatusProblem, o: Record<string, unknown>, start: number, end: number): ModuleStatus {
  const errors = finiteNumber(o.errors);
  return {
    start,
    end,
    errors: errors !== null && errors >= 1 ? Math.floor(errors) : 1,
    totalSize: finiteNumber(o.total_size) ?? 0,
    totalFileCount: finiteNumber(o.total_file_count) ?? 0,
    snapshotsCount: finiteNumber(o.snapshots_count) ?? 0,
    problem,
  };
}

/**
 * Parses the JSON run-backup writes; null only when there is no status (the module never ran).
 * Everything in it comes from a node, so it is bounded against the service's clock `nowS` (unix s,
 * issue #25): a status dated more than CLOCK_TOLERANCE_SECONDS ahead is `clock_ahead` with no
 * trusted time (start = end = 0), never the plan's latest success; a status whose start or errors
 * is not a number (JSON with `NaN`, a string) is `unreadable`, so the run is still reported.
 */
export function parseModuleStatus(raw: string | undefined | null, nowS: number): ModuleStatus | null {
  if (!raw) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return problemStatus('unreadable', {}, 0, 0);
  }
  const o = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  const start = finiteNumber(o.start);
  const end = finiteNumber(o.end) || start;
  const limit = nowS + CLOCK_TOLERANCE_SECONDS;
  if ((start !== null && start > limit) || (end !== null && end > limit)) return problemStatus('clock_ahead', o, 0, 0);
  if (start === null || start <= 0) return problemStatus('unreadable', o, 0, 0);
  const saneEnd = end !== null && end >= start ? end : start;
  // errors decides saved or failed: anything but a whole number >= 0 is not known to be saved (issue #10).
  if (typeof o.errors !== 'number' || !Number.isInteger(o.errors) || o.errors < 0)
    return problemStatus('unreadable', o, start, saneEnd);
  return {
    start,
    end: saneEnd,
    errors: o.errors,
    totalSize: finiteNumber(o.total_size) ?? 0,
    totalFileCount: finiteNumber(o.total_file_count) ?? 0,
    snapshotsCount: finiteNumber(o.snapshots_count) ?? 0,
  };
}

/** `ghcr.io/nethserver/samba:3.3.1` -> `samba` (NS8.md §1.8). */
export function imageName(imageUrl: string): string {
  const noDigest = imageUrl.split('@')[0] ?? '';
  const last = noDigest.split('/').pop() ?? '';
  return last.split(':')[0] ?? '';
}
