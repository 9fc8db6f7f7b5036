// SPDX-License-Identifier: GPL-3.0-or-later
// How the service stops (issue #11): within a bounded time even while Redis is away. Waits
// between retries end at once; work still waiting for Redis after the grace is given up (nothing
// is half-stored: a report is one MULTI, and the next start's reconcile reports what was not).

/** How long stop() lets work in progress finish before it drops the Redis connections. */
export const STOP_GRACE_MS = 3000;

/** True when `p` settled within `ms` (its outcome is not needed). */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<false>((r) => {
      timer = setTimeout(() => r(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return done;
}

export interface StopDeps {
  /** Aborted first: waits between retries end now. */
  shutdown: AbortController;
  /** Stops taking requests (the HTTP receiver). */
  closeListener(): Promise<void>;
  /** Every loop's stop, then the writer lease given up: what needs Redis to finish. */
  finishWork(): Promise<unknown>;
  redis: { close(): Promise<unknown>; destroy(): void };
  log: { warning(m: string, f?: Record<string, number>): void };
  graceMs?: number;
}

export async function stopService(d: StopDeps): Promise<void> {
  const grace = d.graceMs ?? STOP_GRACE_MS;
  d.shutdown.abort(new DOMException('the service is stopping', 'AbortError'));
  await d.closeListener();
  const work = d.finishWork();
  if (!(await settlesWithin(work, grace))) {
    d.log.warning('stopping while Redis is unreachable: pending work is given up', { grace_ms: grace });
    d.redis.destroy();
    await settlesWithin(work, grace);
  }
  if (!(await settlesWithin(d.redis.close(), grace))) d.redis.destroy();
}
