// SPDX-License-Identifier: GPL-3.0-or-later
// Composition of the repository check (issue #5): the NS8 API client with the module's agent
// credentials, and the checker around it.
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { RunReport } from '../domain/run.js';
import { ApiError, createApiClient, type TaskRunner } from '../ns8/api-client.js';
import { createChecker } from './checker.js';
import { readUnownedRepos, type UnownedStore } from './unowned.js';
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
  // One read-backup-repositories per digest, on the destination checks' budget.
  const unowned = async (signal?: AbortSignal) => {
    const rows = await readUnownedRepos(api, repoCheck.budget, signal);
    if (rows && deps.unownedStore)
      await deps.unownedStore
        .save(rows, Math.floor(deps.clock.now() / 1000))
        .catch((err: Error) => logger.warning('cannot keep the repositories nobody owns', { error: err.message }));
    return rows;
  };
  return Object.assign(checker, { unowned });
}

/** Without agent credentials NS8 cannot be asked: every check says so in the report. */
const noCredentials: TaskRunner = {
  runClusterTask: () =>
    Promise.reject(
      new ApiError('API_AUTH', 'no agent credentials (REDIS_USER / REDIS_PASSWORD) to log in to the NS8 API server'),
    ),
};
