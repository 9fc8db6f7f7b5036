// SPDX-License-Identifier: GPL-3.0-or-later
// What every trigger hands to the run tracker. Webhook, poller, backup events and the missed-run
// watchdog all speak this small vocabulary (domain/backup.ts BackupEvent, domain/alert.ts
// BackupAlert), so the tracker can merge them into one story per run.
import type { BackupAlert } from '../domain/alert.js';
import type { BackupEvent } from '../domain/backup.js';

/** The tracker's inputs; each call returns at once, work happens asynchronously. */
export interface RunSink {
  backupEvent(e: BackupEvent): void;
  alert(a: BackupAlert): void;
  /** The watchdog found no run for an expected trigger time (unix s) past the grace period. */
  missing(planId: number, expectedAt: number, modules: string[]): void;
}
