// SPDX-License-Identifier: GPL-3.0-or-later
// The parts of the service that the settings turn on or off, each with the rule that decides it:
// the /metrics listener (metrics1, issue #16), the destination check through NS8 (issue #5) and
// the polling of metrics1's Alertmanager (issue #4), the daily read of repositories nobody owns (issue #23).
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { LinkName } from '../domain/link.js';
import type { Logger } from '../log.js';
import { observeApiServer, startMetrics, type MetricsOptions, type MetricsEndpoint } from '../metrics/index.js';
import { createRepoChecker, type RepoChecker, type RepoCheckerDeps } from '../repocheck/index.js';
import { unownedRefresher } from '../repocheck/unowned-refresh.js';
import { AlertmanagerPoller, type PollerDeps } from '../triggers/alertmanager-poller.js';

type LinkSetter = (name: LinkName, ok: boolean, error: string | null) => void;

/** The /metrics listener, only when enabled and the node's address is known; started. */
export function metricsEndpointFor(
  cfg: Pick<Config, 'metrics'>,
  o: Omit<MetricsOptions, 'host' | 'port'>,
): MetricsEndpoint | null {
  const { enabled, host, port } = cfg.metrics;
  return enabled && host !== null ? startMetrics({ ...o, host, port }) : null;
}

/**
 * The destination check (cluster read-backup-snapshots): the one a test gives (null = none), else
 * NS8's when REPO_CHECK_ENABLED; its API server answers are the `api_server` link.
 */
export function repoCheckerFor(
  given: RepoChecker | null | undefined,
  cfg: Config,
  o: { log: Logger; clock: Clock; setLink: LinkSetter } & Pick<RepoCheckerDeps, 'counts' | 'history' | 'unownedStore'>,
): RepoChecker | null {
  const checker =
    given !== undefined
      ? given
      : cfg.repoCheck.enabled
        ? createRepoChecker({
            config: cfg,
            logger: o.log,
            clock: o.clock,
            counts: o.counts,
            history: o.history,
            unownedStore: o.unownedStore,
          })
        : null;
  if (!checker) return null;
  const observed = observeApiServer(checker, (ok, e) => o.setLink('api_server', ok, e));
  // The daily refresh of repositories nobody owns shares the checker's reads (issue #23 item 4).
  return checker.refreshUnowned ? { ...observed, refreshUnowned: checker.refreshUnowned.bind(checker) } : observed;
}

/** The daily read of repositories nobody owns (repocheck/unowned-refresh.ts), when the checker has one; not started. */
export function unownedRefresherFor(
  checker: RepoChecker | null,
  o: { log: Logger; mayWrite: () => Promise<boolean> },
): ReturnType<typeof unownedRefresher> | null {
  return checker?.refreshUnowned
    ? unownedRefresher(checker.refreshUnowned, { log: o.log.child({ stage: 'repocheck' }), mayWrite: o.mayWrite })
    : null;
}

/** metrics1's Alertmanager polled every ALERTMANAGER_POLL_SECONDS (0 = off); not started. */
export function alertmanagerPollerFor(
  cfg: Pick<Config, 'alerts'>,
  o: { sink: PollerDeps['sink']; clock: Clock; log: Logger; setLink: LinkSetter },
): AlertmanagerPoller | null {
  if (cfg.alerts.pollSeconds <= 0) return null;
  return new AlertmanagerPoller({
    url: cfg.alerts.alertmanagerUrl,
    intervalMs: cfg.alerts.pollSeconds * 1000,
    sink: o.sink,
    clock: o.clock,
    log: o.log,
    reportHealth: (h) => o.setLink('alertmanager', h.ok, h.error),
  });
}
