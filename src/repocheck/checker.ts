// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the checks a report needs through NS8's `read-backup-snapshots` (DESIGN §2), with bounded
// concurrency, a per-check timeout, an overall budget and a short cache per destination, so a
// burst of alerts never starts a storm of restic processes and never holds a report.
import { setMaxListeners } from 'node:events';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Secret } from '../secret.js';
import type { RunReport } from '../domain/run.js';
import { ApiError, type TaskRunner } from '../ns8/api-client.js';
import { classifyRepoCheck, type RawOutcome } from './classify.js';
import {
  DESTINATION_WIDE,
  overallVerdict,
  selectTargets,
  skippedCheck,
  toRepoCheck,
  toTarget,
  type Target,
} from './select.js';
import { confirmationOf, rowsToConfirm, SNAPSHOT_SLACK_S, withCleanupStreaks } from './confirm.js';
import { OUTCOME_TABLE } from '../domain/outcome.js';
import type { ModuleRow } from '../domain/run.js';
import type { Confirmation, RepoCheck } from '../domain/destination.js';
import type { RepoChecker } from './types.js';
import { deadline } from './deadline.js';
import { countField, type SnapshotCounts } from './counts.js';
import type { RunSummary } from '../trends/anomaly.js';

export const ACTION = 'read-backup-snapshots';

export interface CheckerDeps {
  api: TaskRunner;
  settings: Config['repoCheck'];
  clock: Clock;
  logger: Logger;
  /** Values to mask in restic's and the API's messages, beyond credentials in URLs. */
  secrets?: (Secret | string)[];
  /** Unix s of the plan's last expected run; default: the run's start (its trigger time). */
  expectedRun?: (run: RunReport) => number | null;
  /** Where the last snapshot counts are kept across restarts (Redis); none = in memory only. */
  counts?: SnapshotCounts;
  /** The plan's past runs, for how long a cleanup has been failing; none = no "stuck since". */
  history?: { load(planId: number): Promise<RunSummary[]> };
}

type Outcome = RawOutcome & { message?: string; cancelled?: boolean; capped?: boolean; startedAt?: number };
interface CacheEntry {
  at: number;
  repos: Map<string, Promise<Outcome>>;
}

/** Another NS8 task on the checks' budget: `fn`'s result, or 'skipped' when no slot freed in time or the hour's cap is spent. */
export type Budgeted = <T>(signal: AbortSignal, fn: () => Promise<T>) => Promise<T | 'skipped'>;

export function createChecker(deps: CheckerDeps): RepoChecker & { clearCache(): void; budgeted: Budgeted } {
  const { api, settings, clock } = deps;
  const cache = new Map<string, CacheEntry>();
  /** Checks running now, shared by every report that needs them, whatever the cache time. */
  const inflight = new Map<string, Promise<Outcome>>();
  /** One queue for every report: never more restic processes on the leader than the setting (issue #23). */
  const slots = semaphore(settings.concurrency);
  /** Unix ms of the checks started in the last hour, against REPO_CHECK_MAX_PER_HOUR. */
  const startedTimes: number[] = [];
  /**
   * Snapshots seen at the last confirmation, per repository (countField): losses are measured
   * against it. With `deps.counts` it is read from Redis at each confirmation (a restart or a new
   * writer keeps it); this copy only answers when Redis cannot.
   */
  const lastCounts = new Map<string, number>();

  /** The previous counts of these rows: Redis first, this process's memory when Redis fails. */
  async function previousCounts(run: RunReport, rows: ModuleRow[], log: Logger): Promise<Map<string, number>> {
    if (!deps.counts) return lastCounts;
    const refs = rows.map((m) => ({ dest: run.destinationId, path: m.repoPath }));
    try {
      return await deps.counts.load(refs);
    } catch (e) {
      log.warning('cannot read the last snapshot counts: measured against this process only', { error: String(e) });
      return lastCounts;
    }
  }

  async function rememberCounts(seen: Map<string, number>, log: Logger): Promise<void> {
    for (const [f, n] of seen) lastCounts.set(f, n);
    if (!deps.counts) return;
    await deps.counts.save(seen, Math.floor(clock.now() / 1000)).catch((e: unknown) => {
      log.warning('cannot store the snapshot counts: a deletion across a restart may be missed', {
        error: String(e),
      });
    });
  }

  /** Takes one of the hour's checks, or says the hour's cap is reached. */
  function takeHourly(): boolean {
    const now = clock.now();
    while (startedTimes.length && now - startedTimes[0]! >= 3_600_000) startedTimes.shift();
    if (startedTimes.length >= settings.maxPerHour) return false;
    startedTimes.push(now);
    return true;
  }

  /** One destination's cache entry; a new one once the cache time has passed. */
  function entryFor(dest: string): CacheEntry {
    const now = clock.now();
    for (const [k, e] of cache) if (now - e.at >= settings.cacheSeconds * 1000) cache.delete(k);
    let e = cache.get(dest);
    if (!e) {
      e = { at: now, repos: new Map() };
      cache.set(dest, e);
    }
    return e;
  }

  /** One task, once a slot is free and the hour's cap allows it; a report's budget ends the wait too. */
  async function runTask(dest: string, path: string, budget: AbortSignal): Promise<Outcome> {
    const base = { exitCode: null, stderr: '', output: null, timedOut: false, apiError: null, durationMs: 0 };
    const release = await slots.acquire(budget);
    if (!release) return { ...base, cancelled: true };
    try {
      if (!takeHourly()) return { ...base, capped: true };
      return await runTaskNow(dest, path, budget);
    } finally {
      release();
    }
  }

  async function runTaskNow(dest: string, path: string, budget: AbortSignal): Promise<Outcome> {
    const started = clock.now();
    const timeout = deadline(settings.timeout * 1000, budget);
    const base = { exitCode: null, stderr: '', output: null, timedOut: false, apiError: null };
    let queued = false;
    try {
      const r = await api.runClusterTask(ACTION, { repository: dest, path }, timeout.signal, () => {
        queued = true;
      });
      return {
        ...base,
        exitCode: r.exitCode,
        stderr: r.error,
        output: r.output,
        durationMs: clock.now() - started,
        startedAt: started,
      };
    } catch (e) {
      const durationMs = clock.now() - started;
      if (budget.aborted && !timeout.expired()) return { ...base, durationMs, cancelled: true };
      if (timeout.expired() && queued)
        return { ...base, timedOut: true, durationMs, message: `no answer within ${settings.timeout} s` };
      // Not even queued in time: the API server is slow or hung, not the destination.
      if (timeout.expired())
        return {
          ...base,
          apiError: 'API_TIMEOUT',
          durationMs,
          message: `API_TIMEOUT: the NS8 API server did not accept the task within ${settings.timeout} s`,
        };
      const err = e instanceof ApiError ? e : new ApiError('API_BAD_RESPONSE', String((e as Error)?.message ?? e));
      return { ...base, apiError: err.code, httpStatus: err.status, durationMs, message: err.message };
    } finally {
      timeout.clear();
    }
  }

  /**
   * The cached or in-flight outcome of one repository, bounded by this report's budget. With
   * `notBeforeMs`, only a check started after it will do: a confirmation must not read a list
   * made before the application's backup ended.
   */
  async function outcomeOf(dest: string, path: string, budget: AbortSignal, notBeforeMs = 0): Promise<Outcome> {
    const key = `${dest}\n${path}`;
    let p = entryFor(dest).repos.get(path) ?? inflight.get(key);
    if (p && notBeforeMs > 0 && !(await startedAfter(p, notBeforeMs, budget))) p = undefined;
    if (!p) {
      const started = runTask(dest, path, budget);
      p = started;
      inflight.set(key, started);
      // Kept for the cache time once settled; a cancelled check says nothing about the repository.
      void started.then((o) => {
        if (inflight.get(key) === started) inflight.delete(key);
        if (!o.cancelled && !o.capped) entryFor(dest).repos.set(path, started);
      });
    }
    return await untilAborted(p, budget);
  }

  async function checkOne(
    run: RunReport,
    t: Target,
    budget: AbortSignal,
    state: { down: boolean },
  ): Promise<RepoCheck> {
    if (budget.aborted) return skippedCheck(t, 'CHECK_SKIPPED_BUDGET');
    if (state.down) return skippedCheck(t, 'CHECK_SKIPPED_DESTINATION');
    const o = await outcomeOf(run.destinationId, t.repoPath, budget);
    if (o.cancelled) return skippedCheck(t, 'CHECK_SKIPPED_BUDGET');
    if (o.capped) return skippedCheck(t, 'CHECK_SKIPPED_HOURLY_CAP');
    const c = classifyRepoCheck(o, clock.now() / 1000);
    // One unreachable / refused / hung destination answers for all its repositories.
    if (DESTINATION_WIDE.has(c.verdict)) state.down = true;
    const expected = deps.expectedRun ? deps.expectedRun(run) : run.start;
    return toRepoCheck(t, c, o, expected, deps.secrets);
  }

  /** One application's confirmation: its repository read after its backup ended (issue #23). */
  async function confirmOne(
    run: RunReport,
    m: ModuleRow,
    retention: number,
    budget: AbortSignal,
    previous: Map<string, number>,
  ) {
    const t = toTarget(m);
    const key = countField({ dest: run.destinationId, path: m.repoPath });
    const o = await outcomeOf(
      run.destinationId,
      m.repoPath,
      budget,
      ((m.end ?? m.start ?? 0) - SNAPSHOT_SLACK_S) * 1000,
    );
    const check = o.cancelled
      ? skippedCheck(t, 'CHECK_SKIPPED_BUDGET')
      : o.capped
        ? skippedCheck(t, 'CHECK_SKIPPED_HOURLY_CAP')
        : toRepoCheck(t, classifyRepoCheck(o, clock.now() / 1000), o, null, deps.secrets);
    return confirmationOf(m, check, retention, previous.get(key) ?? null);
  }

  /** Issue #23: a cleanup failing run after run says since when (the run history); without it, nothing is said. */
  async function withStreaks(run: RunReport, found: Map<string, Confirmation>, log: Logger) {
    if (!deps.history) return found;
    try {
      return withCleanupStreaks(run, found, await deps.history.load(run.planId));
    } catch (e) {
      log.warning('cannot read the run history: no "retention stuck since"', { error: String(e) });
      return found;
    }
  }

  return {
    clearCache: () => cache.clear(),
    // Issue #23 item 4: read-backup-repositories runs restic/rclone on the leader too: one of the
    // same slots and one of the hour's checks.
    async budgeted(signal, fn) {
      const release = await slots.acquire(signal);
      if (!release) return 'skipped';
      try {
        return takeHourly() ? await fn() : 'skipped';
      } finally {
        release();
      }
    },
    async confirm(run, retention, signal) {
      const rows =
        settings.enabled && OUTCOME_TABLE[run.outcome].destinationConfirm ? rowsToConfirm(run, settings.verify) : [];
      if (rows.length === 0) return new Map();
      const log = deps.logger.child({ plan: run.planId, destination: run.destinationId });
      const budget = deadline(settings.budget * 1000, signal);
      // Every application of the report may wait on the one budget signal at once.
      setMaxListeners(rows.length * 4 + 10, budget.signal);
      const previous = await previousCounts(run, rows, log);
      const found = await pool(rows, rows.length, async (m) => {
        try {
          return await confirmOne(run, m, retention, budget.signal, previous);
        } catch (e) {
          log.error('confirmation failed unexpectedly', { module: m.moduleId, error: String(e) });
          return confirmationOf(m, skippedCheck(toTarget(m), 'CHECK_INTERNAL_ERROR'), retention, null);
        }
      }).finally(() => budget.clear());
      const seen = new Map<string, number>();
      rows.forEach((m, i) => {
        const c = found[i]!;
        if (c.verdict !== 'not_checked' && c.snapshotCount !== null)
          seen.set(countField({ dest: run.destinationId, path: m.repoPath }), c.snapshotCount);
      });
      await rememberCounts(seen, log);
      const counts: Record<string, number> = {};
      for (const c of found) counts[c.verdict] = (counts[c.verdict] ?? 0) + 1;
      log.info('destination confirmed', { ...counts, lost: found.filter((c) => c.loss).length });
      const byModule = new Map(rows.map((m, i) => [m.moduleId, found[i]!]));
      return counts.cleanup_failed ? await withStreaks(run, byModule, log) : byModule;
    },
    async check(run, signal) {
      if (!settings.enabled) return null;
      const targets = selectTargets(run);
      if (targets.length === 0) return null;
      const log = deps.logger.child({ plan: run.planId, destination: run.destinationId });
      const budget = deadline(settings.budget * 1000, signal);
      const state = { down: false };
      const checks = await pool(targets, settings.concurrency, async (t) => {
        try {
          return await checkOne(run, t, budget.signal, state);
        } catch (e) {
          log.error('repository check failed unexpectedly', { module: t.moduleId, error: String(e) });
          return skippedCheck(t, 'CHECK_INTERNAL_ERROR');
        }
      }).finally(() => budget.clear());
      for (const c of checks) {
        log.info('repository checked', { module: c.moduleId, verdict: c.verdict, code: c.code, ms: c.durationMs });
      }
      const expectedRun = deps.expectedRun ? deps.expectedRun(run) : run.start;
      return {
        destinationId: run.destinationId,
        destinationName: run.destinationName,
        verdict: overallVerdict(checks),
        checks,
        expectedRun,
        checkedAt: clock.now(),
      };
    },
  };
}

/** Runs `fn` over items, at most `limit` at a time, keeping the order of items in the result. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Whether the outcome `p` will have was started at or after `ms` (waits for it, within the budget). */
async function startedAfter(p: Promise<Outcome>, ms: number, budget: AbortSignal): Promise<boolean> {
  const o = await untilAborted(p, budget);
  return !o.cancelled && (o.startedAt ?? 0) >= ms;
}

/**
 * A first-come first-served counter of free slots. `acquire` resolves with a release function,
 * or with null when the signal fires before a slot frees up (the waiter leaves the queue).
 */
export function semaphore(limit: number) {
  let free = Math.max(1, limit);
  const waiting: { grant: () => void }[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next.grant();
    else free++;
  };
  return {
    acquire(signal: AbortSignal): Promise<(() => void) | null> {
      if (signal.aborted) return Promise.resolve(null);
      if (free > 0) {
        free--;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve) => {
        const w = {
          grant: () => {
            signal.removeEventListener('abort', onAbort);
            resolve(once(release));
          },
        };
        const onAbort = () => {
          waiting.splice(waiting.indexOf(w), 1);
          resolve(null);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.push(w);
      });
    },
  };
}

const once = (fn: () => void) => {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
};

/** Waits for `p`, or resolves as cancelled when the signal fires first (p keeps running). */
function untilAborted(p: Promise<Outcome>, signal: AbortSignal): Promise<Outcome> {
  const cancelled: Outcome = {
    exitCode: null,
    stderr: '',
    output: null,
    timedOut: false,
    apiError: null,
    durationMs: 0,
    cancelled: true,
  };
  if (signal.aborted) return Promise.resolve(cancelled);
  return new Promise((resolve) => {
    const onAbort = () => resolve(cancelled);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (o) => {
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(cancelled);
      },
    );
  });
}
