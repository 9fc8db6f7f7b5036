// SPDX-License-Identifier: GPL-3.0-or-later
// The one retry helper: exponential backoff with a cap, a bounded or unbounded number of
// attempts, and cancellation by AbortSignal so that stop() never waits for an outage to end.
// (A small module rather than p-retry: the service needs a delay formula shared with places
// that only schedule, e.g. the outbox and the Redis reconnect strategy, and no dependency.)

/** Delays of attempt 1, 2, 3…: firstMs, firstMs·factor, … never more than maxMs. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
  factor?: number;
}

/** The wait after failed attempt `attempt` (1-based). */
export function backoffDelay(attempt: number, b: Backoff): number {
  const exp = Math.max(0, attempt - 1);
  return Math.min(b.firstMs * (b.factor ?? 2) ** Math.min(exp, 60), b.maxMs);
}

/**
 * Milliseconds on a clock that only moves forward (since the process started): what waits are
 * measured with, because the wall clock of a node can jump a day either way and back (issue #25
 * item 10). Never stored: it means nothing to another process.
 */
export const monotonicMs = (): number => performance.now();

/** How many attempts the backoff makes before `spanMs` has passed (the first one at 0). */
export function attemptsWithin(spanMs: number, b: Backoff): number {
  let elapsed = 0;
  let attempts = 0;
  while (elapsed < spanMs) elapsed += backoffDelay(++attempts, b);
  return attempts;
}

/** Why an aborted wait ended: the signal's reason, or a plain AbortError. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new DOMException('the operation was cancelled', 'AbortError');
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(t);
      reject(abortReason(signal!));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  backoff: Backoff;
  /** Give up after this many attempts (the last error is thrown); default: never. */
  attempts?: number;
  /** Stops the waiting (and further attempts): the signal's reason is thrown. */
  signal?: AbortSignal;
  /** An error for which retrying is pointless is thrown at once. */
  retryIf?: (err: unknown) => boolean;
  /** Called before each wait, e.g. to log. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `fn` until it resolves, waiting with backoff between failed attempts. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (o.signal?.aborted) throw abortReason(o.signal);
    try {
      return await fn(attempt);
    } catch (err) {
      if (o.signal?.aborted) throw abortReason(o.signal);
      if (attempt >= (o.attempts ?? Infinity) || (o.retryIf && !o.retryIf(err))) throw err;
      const delay = backoffDelay(attempt, o.backoff);
      o.onRetry?.(err, attempt, delay);
      await sleep(delay, o.signal);
    }
  }
}
