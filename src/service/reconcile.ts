// SPDX-License-Identifier: GPL-3.0-or-later
// At start and after the event subscription comes back: read every plan once so that runs
// that ended while nobody listened are reported. Redis may still be starting: retry a while.
import type { Logger } from '../log.js';

/** Tries before giving up until the next resync; with the delays below, about 4.5 minutes. */
export const RECONCILE_ATTEMPTS = 30;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 10_000;

export function reconciler(reconcile: () => Promise<void>, log: Logger): () => Promise<void> {
  return async () => {
    for (let attempt = 1; attempt <= RECONCILE_ATTEMPTS; attempt++) {
      try { await reconcile(); return; } catch (err) {
        log.warning('reconcile failed, retrying', { attempt, error: (err as Error).message });
        await new Promise((r) => setTimeout(r, Math.min(FIRST_DELAY_MS * 2 ** (attempt - 1), MAX_DELAY_MS)));
      }
    }
  };
}
