// SPDX-License-Identifier: GPL-3.0-or-later
// What every trigger hands to the run tracker. Webhook, poller, backup events and the missed-run
// watchdog all speak this small vocabulary, so the tracker can merge them into one story per run.

/** One backup-status-changed event (NS8.md §4.2). */
export interface BackupEvent {
  nodeId: number;
  planId: number;
  moduleId: string;
}

/** An Alertmanager alert about a backup, from the webhook or the poller. */
export interface BackupAlert {
  /** Alert name as received (BackupFailed, backup_failed, NsBackupFailed, NsBackupMissing, backup_missing). */
  name: string;
  kind: 'failed' | 'missing';
  /** From the `id` or `backup_id` label; null when the alert names no plan. */
  planId: number | null;
  /** From the `node` label, when present. */
  node: number | null;
  status: 'firing' | 'resolved';
  /** Unix ms. */
  startsAt: number;
  fingerprint: string;
  source: 'webhook' | 'poll';
}

/** The tracker's inputs; each call returns at once, work happens asynchronously. */
export interface RunSink {
  backupEvent(e: BackupEvent): void;
  alert(a: BackupAlert): void;
  /** The watchdog found no run for an expected trigger time (unix s) past the grace period. */
  missing(planId: number, expectedAt: number, modules: string[]): void;
}
