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

/** One module's last result in one plan, `node/<n>/backup_status/<plan>` field value. */
export interface ModuleStatus {
  start: number;
  end: number;
  errors: number;
  totalSize: number;
  totalFileCount: number;
  snapshotsCount: number;
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

/** Parses the JSON run-backup writes; null when it is not an object with numeric start/end. */
export function parseModuleStatus(raw: string | undefined | null): ModuleStatus | null {
  if (!raw) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const num = (k: string) => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : 0);
  if (typeof o.start !== 'number') return null;
  // errors decides saved or failed: anything but a whole number >= 0 is not known to be saved (issue #10).
  const errors = typeof o.errors === 'number' && Number.isInteger(o.errors) && o.errors >= 0 ? o.errors : 1;
  return {
    start: num('start'),
    end: num('end') || num('start'),
    errors,
    totalSize: num('total_size'),
    totalFileCount: num('total_file_count'),
    snapshotsCount: num('snapshots_count'),
  };
}

/** `ghcr.io/nethserver/samba:3.3.1` -> `samba` (NS8.md §1.8). */
export function imageName(imageUrl: string): string {
  const noDigest = imageUrl.split('@')[0] ?? '';
  const last = noDigest.split('/').pop() ?? '';
  return last.split(':')[0] ?? '';
}
