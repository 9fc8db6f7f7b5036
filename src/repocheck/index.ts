// SPDX-License-Identifier: GPL-3.0-or-later
// Composition of the repository check (issue #5): the NS8 API client with the module's agent
// credentials, and the checker around it.
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { RunReport } from '../domain/run.js';
import { ApiError, createApiClient, type TaskRunner } from '../ns8/api-client.js';
import { createChecker } from './checker.js';
import { deadline } from './deadline.js';
import { readUnownedRepos, type UnownedStore } from './unowned.js';
import { createUnownedReads, type UnownedAttempt } from './unowned-refresh.js';
import type { RepoChecker } from './types.js';
import type { SnapshotCounts } from './counts.js';
import type { RunSummary } from '../trends/anomaly.js';

export type { RepoChecker } from './types.js';

export interface RepoCheckerDeps {
  config: Pick<Config, 'repoCheck' | 'redis'>;
  logger: Logger;
  clock: Clock;
  /** Replaces the HTTP client (tests, or another transport); default: the API server at repoCheck.apiUrl. */
  api?: TaskRunner;
  /** Status poll interval, ms (default 1000). */
  pollMs?: number;
  expectedRun?: (run: RunReport) => number | null;
  /** The last snapshot counts, kept across restarts (repocheck/counts.ts); none = in memory. */
  counts?: SnapshotCounts;
  /** The plan's past runs, for "retention stuck since …"; none = not said. */
  history?: { load(planId: number): Promise<RunSummary[]> };
  /** Where each answered read of repositories nobody owns is kept for the page and /metrics; none = not kept. */
  unownedStore?: UnownedStore;
}

export function createRepoChecker(deps: RepoCheckerDeps): RepoChecker & { clearCache(): void } {
  const { repoCheck, redis } = deps.config;
  const logger = deps.logger.child({ stage: 'repocheck' });
  const api =
    deps.api ??
    (redis.user && redis.password
      ? createApiClient({
          url: repoCheck.apiUrl,
          user: redis.user,
          password: redis.password,
          pollMs: deps.pollMs,
          logger,
        })
      : noCredentials);
  const checker = createChecker({
    api,
    settings: repoCheck,
    clock: deps.clock,
    logger,
    expectedRun: deps.expectedRun,
    counts: deps.counts,
    history: deps.history,
    secrets: redis.password ? [redis.password] : [],
  });
  // read-backup-repositories for a digest and once a day (unowned-refresh.ts), on the checks' budget.
  const unownedReads = createUnownedReads({
    read: (signal) => readUnownedBudgeted(api, checker.budgeted, repoCheck.budget, signal),
    store: deps.unownedStore,
    clock: deps.clock,
    logger,
    refreshing: repoCheck.verify !== 'off',
  });
  return Object.assign(checker, { unowned: unownedReads.forDigest, refreshUnowned: unownedReads.refresh });
}

/** One read within `budgetSeconds`, waiting for a slot included; why NS8 gave nothing, as a code (never its text). */
async function readUnownedBudgeted(
  api: TaskRunner,
  budgeted: ReturnType<typeof createChecker>['budgeted'],
  budgetSeconds: number,
  signal?: AbortSignal,
): Promise<UnownedAttempt> {
  let error = 'no answer in time';
  const watched: TaskRunner = {
    runClusterTask: (...args) =>
      api.runClusterTask(...args).then(
        (r) => {
          if (r.exitCode !== 0) error = `exit code ${r.exitCode}`;
          return r;
        },
        (e: unknown) => {
          if (e instanceof ApiError) error = e.code;
          throw e;
        },
      ),
  };
  const d = deadline(budgetSeconds * 1000, signal);
  try {
    const r = await budgeted(d.signal, () => readUnownedRepos(watched, budgetSeconds, d.signal));
    return r === 'skipped' ? r : r ? { rows: r } : { rows: null, error };
  } finally {
    d.clear();
  }
}

/** Without agent credentials NS8 cannot be asked: every check says so in the report. */
const noCredentials: TaskRunner = {
  runClusterTask: () =>
    Promise.reject(
      new ApiError('API_AUTH', 'no agent credentials (REDIS_USER / REDIS_PASSWORD) to log in to the NS8 API server'),
    ),
};
