// SPDX-License-Identifier: GPL-3.0-or-later
// What the service does on each cluster event it subscribes to (triggers/backup-events.ts):
// backup events go to the tracker; a smarthost change retries the outbox at once; a resync
// reconciles; a removed module is only logged (its plans' next reports leave it out).
import type { Clock } from '../clock.js';
import type { BackupEvent } from '../domain/backup.js';
import type { Logger } from '../log.js';

/** A smarthost change queues again the reports refused for good in this last stretch. */
export const REQUEUE_REFUSED_WITHIN_MS = 24 * 3600_000;

export interface EventDeps {
  tracker: { backupEvent(e: BackupEvent): void };
  /** notify/outbox-sender.ts: queued mail due now, and failed ones newer than `sinceMs` queued again. */
  delivery: { smarthostChanged(sinceMs: number): Promise<{ due: number; requeued: number }> };
  /** Never rejects (service/reconcile.ts). */
  reconcile(): Promise<void>;
  clock: Clock;
  log: Logger;
}

/** The handlers subscribeBackupEvents is given. Each returns at once and never throws. */
export function eventHandlers(d: EventDeps) {
  return {
    backupEvent: (e: BackupEvent) => d.tracker.backupEvent(e),
    // The admin fixed the smarthost: the backoff and the refusals of the old one no longer apply.
    smarthostChanged: () => {
      void d.delivery.smarthostChanged(d.clock.now() - REQUEUE_REFUSED_WITHIN_MS).then(
        (n) =>
          d.log.info('smarthost changed: queued reports are tried now', { queued: n.due, failed_requeued: n.requeued }),
        (err: Error) => d.log.warning('smarthost changed, but the outbox is not reachable', { error: err.message }),
      );
    },
    moduleRemoved: (m: string) => d.log.info('module removed: it leaves the reports of its plans', { module: m }),
    resynced: () => {
      d.log.info('event subscription restored: reconciling');
      void d.reconcile();
    },
  };
}
