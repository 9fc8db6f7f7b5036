// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23 item 4: the list of repositories nobody owns (unowned.ts) kept fresh for the page and
// /metrics even when digests are off or weekly. One `read-backup-repositories` runs restic/rclone on
// the leader for every destination, so: at most one attempt a day (the list changes when an
// application is removed, not by the hour), one read in flight shared by the digest and the
// refresh, and a digest within an hour of the last read uses it. A read NS8 does not answer keeps
// the previous list (and its time) and is said once, until a read succeeds again.
import type { Clock } from '../clock.js';
import type { UnownedRepoRow } from '../domain/digest.js';
import type { Logger } from '../log.js';
import { Periodic } from '../periodic.js';
import type { UnownedStore } from './unowned.js';

/** A list older than this is read again. */
export const UNOWNED_MAX_AGE_MS = 86_400_000;
/** A digest that cannot read NS8 shows the kept list up to this age. */
export const UNOWNED_DIGEST_MAX_AGE_MS = 2 * UNOWNED_MAX_AGE_MS;
/** A digest this soon after the last read uses it instead of asking NS8 again. */
export const UNOWNED_REUSE_MS = 3_600_000;
/** How often the refresh looks at the list's age (one Redis GET; NS8 is asked at most daily). */
export const UNOWNED_TICK_MS = 3_600_000;

/** One bounded read: the rows, or null with why NS8 gave none; 'skipped' = no slot or the hour's cap spent. */
export type UnownedAttempt = { rows: UnownedRepoRow[] | null; error?: string } | 'skipped';
/** read = NS8 answered; fresh = the list is younger than a day; failed = NS8 gave no answer; off = DESTINATION_VERIFY=off. */
export type RefreshResult = 'read' | 'fresh' | 'failed' | 'skipped' | 'off';

export interface UnownedReadsDeps {
  read(signal?: AbortSignal): Promise<UnownedAttempt>;
  store?: UnownedStore;
  clock: Clock;
  logger: Logger;
  /** False when DESTINATION_VERIFY=off: no refresh of its own (a digest still reads). */
  refreshing: boolean;
}

export interface UnownedReads {
  /** The digest's read: the last one when younger than UNOWNED_REUSE_MS; else a new one, or the kept list under two days old; null otherwise. */
  forDigest(signal?: AbortSignal): Promise<UnownedRepoRow[] | null>;
  /** The daily refresh: reads only when the kept list (Redis, or this process's last attempt) is a day old. */
  refresh(signal?: AbortSignal): Promise<RefreshResult>;
}

export function createUnownedReads(deps: UnownedReadsDeps): UnownedReads {
  const { clock, logger } = deps;
  let inflight: Promise<UnownedRepoRow[] | null | 'skipped'> | null = null;
  /** Unix ms of this process's last attempt NS8 answered or refused (a skipped one does not count). */
  let lastAttemptMs = Number.NEGATIVE_INFINITY;
  let last: { atMs: number; rows: UnownedRepoRow[] } | null = null;
  let failing = false;

  async function attempt(signal?: AbortSignal) {
    const startedMs = clock.now();
    const r = await deps.read(signal);
    if (r === 'skipped') return r;
    lastAttemptMs = startedMs;
    if (!r.rows) {
      if (!failing)
        logger.warning('cannot read the repositories nobody owns: the previous list stays', { error: r.error });
      failing = true;
      return null;
    }
    if (failing) logger.info('repositories nobody owns read again');
    failing = false;
    const atMs = clock.now();
    last = { atMs, rows: r.rows };
    await deps.store
      ?.save(r.rows, Math.floor(atMs / 1000))
      .catch((err: Error) => logger.warning('cannot keep the repositories nobody owns', { error: err.message }));
    return r.rows;
  }

  /** Never two reads at once: a second caller waits for the one in flight. */
  function readOnce(signal?: AbortSignal) {
    inflight ??= attempt(signal).finally(() => {
      inflight = null;
    });
    return inflight;
  }

  /** Unix ms of the newest list known: Redis (kept across restarts), this process's attempts. */
  async function newestMs(): Promise<number> {
    const stored = deps.store ? await deps.store.load().catch(() => null) : null;
    // A time ahead of the clock (a clock set back) is not trusted, or the list would never be read again.
    const storedMs = stored && stored.at * 1000 <= clock.now() ? stored.at * 1000 : Number.NEGATIVE_INFINITY;
    return Math.max(storedMs, lastAttemptMs, last?.atMs ?? Number.NEGATIVE_INFINITY);
  }

  /**
   * No read now (no slot, the hour's cap spent, NS8 silent): the kept list while it is recent
   * enough to be told as today's (the daily refresh keeps it under a day old when NS8 answers).
   */
  async function keptForDigest(): Promise<UnownedRepoRow[] | null> {
    const stored = deps.store ? await deps.store.load().catch(() => null) : null;
    const ageMs = stored ? clock.now() - stored.at * 1000 : Number.POSITIVE_INFINITY;
    return stored && ageMs >= 0 && ageMs < UNOWNED_DIGEST_MAX_AGE_MS ? stored.repositories : null;
  }

  return {
    async forDigest(signal) {
      if (!inflight && last && clock.now() - last.atMs < UNOWNED_REUSE_MS) return last.rows;
      const r = await readOnce(signal);
      return r !== 'skipped' && r !== null ? r : await keptForDigest();
    },
    async refresh(signal) {
      if (!deps.refreshing) return 'off';
      if (!inflight && clock.now() - (await newestMs()) < UNOWNED_MAX_AGE_MS) return 'fresh';
      const r = await readOnce(signal);
      return r === 'skipped' ? 'skipped' : r ? 'read' : 'failed';
    },
  };
}

/**
 * The refresh on the project's timer loop (periodic.ts): at start, then every `tickMs`; only the
 * writer (issue #25) asks NS8. stop() ends a read in progress through its signal.
 */
export function unownedRefresher(
  refresh: (signal?: AbortSignal) => Promise<RefreshResult>,
  o: { log: Logger; tickMs?: number; mayWrite?: () => Promise<boolean> },
): { start(): void; stop(): Promise<void> } {
  const stopping = new AbortController();
  const periodic = new Periodic(
    async () => {
      try {
        if (o.mayWrite && !(await o.mayWrite())) return;
        await refresh(stopping.signal);
      } catch (err) {
        o.log.warning('repositories nobody owns: refresh failed, will retry', { error: (err as Error).message });
      }
    },
    () => o.tickMs ?? UNOWNED_TICK_MS,
  );
  return {
    start: () => void periodic.start(),
    async stop() {
      stopping.abort();
      await periodic.stop();
    },
  };
}
