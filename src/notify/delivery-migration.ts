// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #22, once at start: the stored reports of an older version (history and outbox, also from
// a restored state dump) get their per-channel `deliveries`, email = their `delivery`. Their
// outbox entries need nothing: email's field is the bare report id older versions wrote. Only the
// writer rewrites reports (notify/writer-lease.ts), so a standby never races the sender; reports
// not yet rewritten are read the same way (domain/records.ts deliveriesOf).
import type { Logger } from '../log.js';
import type { RecordStore } from './record-store.js';

export async function migrateDeliveries(
  records: Pick<RecordStore, 'addDeliveries'>,
  mayWrite: () => Promise<boolean>,
  log: Logger,
): Promise<number> {
  try {
    if (!(await mayWrite())) return 0;
    const added = await records.addDeliveries();
    if (added) log.info('stored reports now carry their delivery per channel', { reports: added });
    return added;
  } catch (err) {
    log.warning('stored reports not migrated to per-channel deliveries, read as they are', {
      error: (err as Error).message,
    });
    return 0;
  }
}
