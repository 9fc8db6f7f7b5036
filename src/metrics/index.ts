// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #16: the monitor as part of the cluster's monitoring. metrics1's Prometheus scrapes
// `http://<node VPN address>:<second TCP port>/metrics` (registered by bin/metrics-register);
// A refresh reads the state (collect.ts), maps it (model.ts, pure) and serializes it (prom-client);
// a scrape is answered from the last refresh and starts the next one in the background
// (stale-while-revalidate): Prometheus gets its answer in a few ms whatever the cluster size, the
// data is at most one scrape interval old, and nothing runs while nobody scrapes.
import type { Server } from 'node:http';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Redis } from '../ns8/redis.js';
import type { RepoChecker } from '../repocheck/types.js';
import type { WatchOptions } from '../schedule/watch.js';
import { collectState } from './collect.js';
import type { LinkName } from '../domain/link.js';
import { metricFamilies, type Link } from './model.js';
import { MetricsRegistry, type ReportCounters } from './registry.js';
import { createMetricsServer, listenWithRetry, type Scrape } from './server.js';

export interface MetricsOptions {
  /** The node's VPN address (write-service-env resolves `node/<NODE_ID>/vpn` ip_address). */
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  reader: Redis;
  moduleId: string;
  /** The service's link states (domain/link.ts), read at each scrape; redis is the scrape's own. */
  links(): Partial<Record<LinkName, Link>>;
  clock: Clock;
  log: Logger;
  maxRunSeconds: number;
  watch: WatchOptions;
  /** Cap of (plan, application) pairs with per-application series; default 1000. */
  maxApplicationPairs?: number;
  collectTimeoutMs?: number;
  /** At most one refresh per this many ms, however many scrapes arrive (default 5 s): a client
   *  that scrapes in a loop costs at most one state read per 5 s. */
  minRefreshMs?: number;
}

export interface MetricsEndpoint extends ReportCounters {
  /** Resolves with the bound port once listening (it retries while the address is missing). */
  ready: Promise<number>;
  scrape(): Promise<Scrape>;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_APPLICATION_PAIRS = 1000;

export function startMetrics(o: MetricsOptions): MetricsEndpoint {
  const reg = new MetricsRegistry();
  let refreshing: Promise<Scrape> | null = null;
  let current: { at: number; scrape: Scrape } | null = null;

  const render = async (): Promise<Scrape> => {
    const started = performance.now();
    const links = { ...o.links() };
    let state: Awaited<ReturnType<typeof collectState>> | null = null;
    try {
      state = await collectState(o.reader, o.moduleId, o.collectTimeoutMs ?? 5_000, Math.floor(o.clock.now() / 1000));
      links.redis = { ok: true, checkedAt: o.clock.now(), error: null };
    } catch (err) {
      links.redis = { ok: false, checkedAt: o.clock.now(), error: (err as Error).message };
    }
    const families = metricFamilies({
      nowS: Math.floor(o.clock.now() / 1000),
      snapshots: state?.snapshots ?? null,
      planStates: state?.planStates ?? new Map(),
      lastRuns: state?.lastRuns ?? new Map(),
      silences: state?.silences ?? new Map(),
      unowned: state?.unowned ?? null,
      watch: state?.watch ?? new Map(),
      outboxDepth: state?.outboxDepth ?? null,
      links,
      options: {
        maxRunSeconds: o.maxRunSeconds,
        watch: o.watch,
        maxApplicationPairs: o.maxApplicationPairs ?? DEFAULT_MAX_APPLICATION_PAIRS,
      },
    });
    const body = await reg.render(families, {
      seconds: (performance.now() - started) / 1000,
      at: o.clock.now() / 1000,
    });
    return { contentType: reg.contentType, body: Buffer.from(body) };
  };

  const refresh = (): Promise<Scrape> => {
    refreshing ??= render()
      .then((s) => {
        current = { at: o.clock.now(), scrape: s };
        return s;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  };
  const scrape = async (): Promise<Scrape> => {
    if (!current) return await refresh();
    if (o.clock.now() - current.at >= (o.minRefreshMs ?? 5_000)) {
      refresh().catch((err: Error) => o.log.warning('metrics refresh failed', { error: err.message }));
    }
    return current.scrape;
  };

  const server: Server = createMetricsServer(scrape, o.log);
  const listening = listenWithRetry(server, o.host, o.port, o.log);
  // Warm up: Prometheus' first scrape is answered from this one.
  void listening.ready.then(() => refresh()).catch(() => undefined);
  return {
    ready: listening.ready,
    scrape,
    queued: () => reg.queued(),
    attempt: (ok) => reg.attempt(ok),
    async stop() {
      listening.cancel();
      if (server.listening)
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
    },
  };
}

/** Wraps a repository checker so that API server failures and successes show as the `api_server` link. */
export function observeApiServer(
  checker: RepoChecker,
  report: (ok: boolean, error: string | null) => void,
): RepoChecker {
  return {
    // Confirmations (issue #23) go through the same checker: passed on as they are.
    ...(checker.confirm ? { confirm: checker.confirm.bind(checker) } : {}),
    ...(checker.unowned ? { unowned: checker.unowned.bind(checker) } : {}),
    async check(run, signal) {
      const health = await checker.check(run, signal);
      const codes = (health?.checks ?? []).map((c) => c.code ?? '');
      const apiError = codes.find((c) => c.startsWith('API_'));
      if (apiError) report(false, apiError);
      else if (codes.length) report(true, null);
      return health;
    },
  };
}
