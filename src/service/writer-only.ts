// SPDX-License-Identifier: GPL-3.0-or-later
// One writer per module namespace (issue #25, notify/writer-lease.ts): a standby instance hears
// the same events and alerts, but only the lease holder decides runs and sends; a standby's runs
// are the writer's to report.

/**
 * `work`, done only while this instance holds the writer lease; a standby drops it. A lease that
 * cannot be read (Redis away) rejects: the caller retries as for any Redis error.
 */
export function whileWriter<T>(holds: () => Promise<boolean>, work: (input: T) => Promise<void>) {
  return async (input: T): Promise<void> => {
    if (await holds()) await work(input);
  };
}
