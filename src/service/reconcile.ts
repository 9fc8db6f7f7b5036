// SPDX-License-Identifier: GPL-3.0-or-later
// At start and after the event subscription comes back: read every plan once so that runs
// that ended while nobody listened are reported. Redis may still be starting: retry a while.
import type { Logger } from '../log.js';
import { retry, type Backoff } from '../retry.js';

/** Tries before giving up until the next resync; with the delays below, about 4.5 minutes. */
export const RECONCILE_ATTEMPTS = 30;
const RECONCILE_BACKOFF: Backoff = { firstMs: 1000, maxMs: 10_000 };

/** Never throws: giving up (or the service stopping) is logged, the next resync tries again. */
export function reconciler(reconcile: () => Promise<void>, log: Logger, signal?: AbortSignal): () => Promise<void> {
  return () =>
    retry(reconcile, {
      backoff: RECONCILE_BACKOFF,
      attempts: RECONCILE_ATTEMPTS,
      signal,
      onRetry: (err, attempt) => log.warning('reconcile failed, retrying', { attempt, error: (err as Error).message }),
    }).catch((err: Error) => {
      if (!signal?.aborted) log.error('reconcile gave up until the next resync', { error: err.message });
    });
}
