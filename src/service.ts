// SPDX-License-Identifier: GPL-3.0-or-later
// Composition root: builds the running service from a Config (adapters, tracker, pipeline,
// delivery, pollers, HTTP receiver) and only wires them; what a piece does lives in its file
// (service/links.ts, health.ts, test-mail.ts, reconcile.ts). Kept apart from main.ts so
// integration tests can start the real thing in-process.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Config } from './config.js';
import { systemClock, type Clock } from './clock.js';
import type { Logger } from './log.js';
import { connectRedis } from './ns8/redis.js';
import { readSmarthost } from './ns8/smarthost.js';
import { listPlanIds, readModuleStatus, readPlanSnapshot, readPlanSnapshots } from './correlate/read-plan.js';
import { RunTracker } from './triggers/run-tracker.js';
import { subscribeBackupEvents } from './triggers/backup-events.js';
import { createApp } from './triggers/webhook.js';
import { createPipeline } from './pipeline.js';
import { createRecordStore } from './notify/record-store.js';
import { createMailer, senderAddress, type Mailer } from './notify/mailer.js';
import { OutboxSender } from './notify/outbox-sender.js';
import { createWriterLease } from './notify/writer-lease.js';
import { moduleKeys } from './domain/records.js';
import { alertmanagerConfig } from './triggers/alertmanager-config.js';
import { AlertmanagerPoller } from './triggers/alertmanager-poller.js';
import { MissedRunWatchdog, redisWatchStore } from './triggers/missed-runs.js';
import { createRepoChecker, type RepoChecker } from './repocheck/index.js';
import { createErrorLineReader, discoverLoki, redisReadAttempts, type ErrorLineReader } from './ns8/loki.js';
import { createRunHistory } from './trends/history.js';
import { thresholdsOf } from './trends/anomaly.js';
import type { NotifySettings } from './domain/policy.js';
import { mailsPerRun, policyOf } from './notify/policy.js';
import { createRunLog } from './digest/run-log.js';
import { Digester, redisDigestStore } from './digest/digester.js';
import { readClusterApps } from './digest/read-cluster.js';
import { createLinks } from './service/links.js';
import { healthCheck } from './service/health.js';
import { testMailSender } from './service/test-mail.js';
import { reconciler } from './service/reconcile.js';
import { removedPlansForgetter } from './service/forget-plans.js';
import { MemoryTrimmer, reducingGc, type ReducingGc } from './service/memory-trim.js';
import { observeApiServer, startMetrics, type MetricsEndpoint } from './metrics/index.js';

/** Period of the missed-run / reminder check and of the digest check. */
const WATCHDOG_TICK_MS = 60_000;
/** A run may start this late after its scheduled minute before it is looked for (s). */
const SCHEDULE_TOLERANCE_SECONDS = 60;
/** A smarthost change queues again the reports refused for good in this last stretch. */
const REQUEUE_REFUSED_WITHIN_MS = 24 * 3600_000;
/** stop() lets work in progress finish this long before it drops the Redis connections. */
const STOP_GRACE_MS = 3000;
/** Heap given back after start-up, then at most this often when the RSS grew by 4 MiB (memory-trim.ts). */
const TRIM = { firstDelayMs: 30_000, periodMs: 10 * 60_000, minGrowthBytes: 4 * 1024 * 1024 };

/** True when `p` settled within `ms` (its outcome is not needed). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
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

export interface ServiceOptions {
  log: Logger;
  clock?: Clock;
  mailer?: Mailer;
  repoChecker?: RepoChecker | null;
  /** Replaces the Loki reader of error lines (tests); null = no error lines. */
  errorLines?: ErrorLineReader | null;
  deliveryTickMs?: number;
  /** Missed-run / reminder check period (default 1 min). */
  watchdogTickMs?: number;
  /** Digest check period (default 1 min). */
  digestTickMs?: number;
  /** Replaces V8's memory-reducing gc (tests); null = never trim. Default: gc() under --expose-gc. */
  reducingGc?: ReducingGc | null;
  /** Delay of the first memory trim (default 30 s). */
  trimFirstDelayMs?: number;
}

export interface RunningService {
  port: number;
  tracker: RunTracker;
  delivery: OutboxSender;
  /** The /metrics listener for metrics1 (issue #16); null when off or without an address. */
  metrics: MetricsEndpoint | null;
  stop(): Promise<void>;
}

export async function startService(cfg: Readonly<Config>, opts: ServiceOptions): Promise<RunningService> {
  const { log } = opts;
  const clock = opts.clock ?? systemClock;
  const shutdown = new AbortController();
  const redis = await connectRedis(cfg.redis, log);
  const keys = moduleKeys(cfg.moduleId);
  const records = createRecordStore(redis.writer, cfg.moduleId);
  const mailer = opts.mailer ?? createMailer();
  const links = createLinks(redis.writer, keys.health, clock);
  const watch = {
    grace: cfg.schedule.missedRunGrace,
    tolerance: SCHEDULE_TOLERANCE_SECONDS,
    timeZone: cfg.schedule.timezone,
  };
  const metrics =
    cfg.metrics.enabled && cfg.metrics.host !== null
      ? startMetrics({
          host: cfg.metrics.host,
          port: cfg.metrics.port,
          reader: redis.reader,
          moduleId: cfg.moduleId,
          clock,
          log: log.child({ stage: 'metrics' }),
          links: () => links.known(), // redis: the scrape's own read says more
          maxRunSeconds: cfg.correlator.maxRunSeconds,
          watch,
        })
      : null;

  const delivery = new OutboxSender({
    records,
    mailer,
    clock,
    log: log.child({ stage: 'delivery' }),
    tickMs: opts.deliveryTickMs,
    mayWrite: () => lease.holds(),
    smarthost: () => readSmarthost(redis.reader),
    sender: (sh) => senderAddress(cfg.mail.from, sh),
    onResult: (ok, err) => {
      metrics?.attempt(ok);
      links.set('smtp', ok, err ? `${err.code}: ${err.message}` : null);
    },
  });
  // Statuses are bounded by the service's clock (issue #25: a status dated in the future).
  const nowS = () => Math.floor(clock.now() / 1000);
  const readPlan = (id: number) => readPlanSnapshot(redis.reader, id, nowS());
  const readAllPlans = async () => readPlanSnapshots(redis.reader, await listPlanIds(redis.reader), nowS());
  // Issue #5: ask NS8 (cluster read-backup-snapshots) about the destination of what failed.
  const checker =
    opts.repoChecker !== undefined
      ? opts.repoChecker
      : cfg.repoCheck.enabled
        ? createRepoChecker({ config: cfg, logger: log, clock })
        : null;
  const repoChecker = checker && observeApiServer(checker, (ok, e) => links.set('api_server', ok, e));
  // Issue #14: per-plan policies and recipients; every decided run is logged for the digest.
  const notify: NotifySettings = cfg.notify;
  const pipeline = createPipeline({
    config: cfg,
    readPlan,
    records,
    clock,
    log: log.child({ stage: 'pipeline' }),
    repoChecker,
    notify,
    runLog: createRunLog(redis.writer, keys.runLog),
    history: createRunHistory(redis.writer, cfg.moduleId),
    anomalyThresholds: thresholdsOf(cfg.anomaly),
    errorLines:
      opts.errorLines !== undefined
        ? opts.errorLines
        : createErrorLineReader({
            discover: () => discoverLoki(redis.reader),
            budgetSeconds: cfg.loki.budget,
            now: () => clock.now(),
            log,
            // Passwords a backup's log line may repeat, masked besides Loki's own (issue #25).
            secrets: async () => [cfg.redis.password?.reveal(), (await readSmarthost(redis.reader)).password?.reveal()],
            attempts: redisReadAttempts(redis.writer, `module/${cfg.moduleId}/loki-reads`),
          }),
    onQueued: () => {
      metrics?.queued();
      delivery.kick();
    },
    signal: shutdown.signal,
  });
  const tracker = new RunTracker({
    readStatus: (n, p, m) => readModuleStatus(redis.reader, n, p, m, nowS()),
    readPlan,
    readAllPlans,
    // Issue #25: only the writer decides runs; a standby's runs are the writer's to report.
    flush: async (req) => {
      if (await lease.holds()) await pipeline.process(req);
    },
    clock,
    log: log.child({ stage: 'tracker' }),
    waitSeconds: cfg.correlator.waitSeconds,
    maxRunSeconds: cfg.correlator.maxRunSeconds,
    recentWindowSeconds: cfg.correlator.recentWindow,
  });

  const reconcile = reconciler(() => tracker.reconcile(), log, shutdown.signal);
  // One writer per namespace (issue #25): a standby taking over reports what the last writer left.
  const lease = createWriterLease({
    redis: redis.writer,
    key: keys.writer,
    log: log.child({ stage: 'lease' }),
    onTakeover: () => void reconcile(),
  });
  lease.start();
  await subscribeBackupEvents(
    redis.subscriber,
    {
      backupEvent: (e) => tracker.backupEvent(e),
      smarthostChanged: () => {
        void delivery.smarthostChanged(clock.now() - REQUEUE_REFUSED_WITHIN_MS).then(
          (n) =>
            log.info('smarthost changed: queued reports are tried now', { queued: n.due, failed_requeued: n.requeued }),
          (err: Error) => log.warning('smarthost changed, but the outbox is not reachable', { error: err.message }),
        );
      },
      moduleRemoved: (m) => log.info('module removed: it leaves the reports of its plans', { module: m }),
      resynced: () => {
        log.info('event subscription restored: reconciling');
        void reconcile();
      },
    },
    log.child({ stage: 'events' }),
  );
  await reconcile();
  // Issue #25: a removed plan leaves plans/runs/watchdog (its reports stay); at start, then hourly.
  const forgetter = removedPlansForgetter({ reader: redis.reader, writer: redis.writer, moduleId: cfg.moduleId, log });
  forgetter.start();
  delivery.start();
  // Issue #15: reports stored by an older version get their history index entry once.
  records.indexMissing().then(
    (n) => {
      if (n) log.info('history index completed', { reports: n });
    },
    (err: Error) => log.warning('history index not completed', { error: err.message }),
  );

  // Issue #4: follow metrics1's Alertmanager (no receiver can be added to it) and watch schedules.
  const poller =
    cfg.alerts.pollSeconds > 0
      ? new AlertmanagerPoller({
          url: cfg.alerts.alertmanagerUrl,
          intervalMs: cfg.alerts.pollSeconds * 1000,
          sink: tracker,
          clock,
          log: log.child({ stage: 'alertmanager' }),
          reportHealth: (h) => links.set('alertmanager', h.ok, h.error),
        })
      : null;
  const watchdog = new MissedRunWatchdog({
    readPlans: readAllPlans,
    readPlanState: (id) => records.planState(id),
    store: redisWatchStore(redis.writer, keys.watchdog),
    clock,
    log: log.child({ stage: 'schedule' }),
    // Reminders and held flap news only for plans whose policy mails per run.
    sink: {
      missing: (...a) => tracker.missing(...a),
      reminderDue: (id) => {
        if (mailsPerRun(policyOf(notify, id))) tracker.reminderDue(id);
      },
    },
    intervalMs: opts.watchdogTickMs ?? WATCHDOG_TICK_MS,
    watch,
    reminder: { reminderIntervalSeconds: cfg.schedule.reminderInterval, notifyOnSuccess: false },
  });
  const digester = new Digester({
    digest: cfg.digest,
    notify,
    mail: cfg.mail,
    timeZone: cfg.schedule.timezone,
    moduleId: cfg.moduleId,
    readPlans: readAllPlans,
    readApps: () => readClusterApps(redis.reader),
    store: redisDigestStore(redis.writer, cfg.moduleId),
    clock,
    log: log.child({ stage: 'digest' }),
    intervalMs: opts.digestTickMs,
    onQueued: () => {
      metrics?.queued();
      delivery.kick();
    },
  });
  poller?.start();
  watchdog.start();
  digester.start();

  const app = createApp({
    sink: tracker,
    log: log.child({ stage: 'receiver' }),
    token: cfg.receiver.token,
    bodyLimitBytes: cfg.receiver.bodyLimitBytes,
    alertmanagerConfig: () => alertmanagerConfig(cfg),
    health: healthCheck(redis.reader, links),
    sendTestMail: testMailSender({
      config: cfg,
      reader: redis.reader,
      mailer,
      links,
      sampleDigest: () => digester.sample(),
    }),
  });
  const server: Server = await app.listen(cfg.receiver.port, cfg.receiver.host);
  const port = (server.address() as AddressInfo).port;
  const gc = opts.reducingGc === undefined ? reducingGc() : opts.reducingGc;
  const trimmer = gc
    ? new MemoryTrimmer({
        ...TRIM,
        firstDelayMs: opts.trimFirstDelayMs ?? TRIM.firstDelayMs,
        gc,
        rssBytes: () => process.memoryUsage.rss(),
        log: log.child({ stage: 'memory' }),
      })
    : null;
  trimmer?.start();
  log.info('backup monitor ready', {
    listen: `${cfg.receiver.host}:${port}`,
    module: cfg.moduleId,
    recipients: cfg.mail.to.length,
  });

  return {
    port,
    tracker,
    delivery,
    metrics,
    async stop() {
      // Waits between retries end now; work still waiting for Redis after the grace is given up
      // (nothing half-stored: the next start's reconcile reports what was not).
      shutdown.abort(new DOMException('the service is stopping', 'AbortError'));
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      const work = Promise.all([
        poller?.stop(),
        watchdog.stop(),
        digester.stop(),
        tracker.close(),
        delivery.stop(),
        metrics?.stop(),
        trimmer?.stop(),
        forgetter.stop(),
      ]).then(() => lease.release());
      if (!(await settlesWithin(work, STOP_GRACE_MS))) {
        log.warning('stopping while Redis is unreachable: pending work is given up', { grace_ms: STOP_GRACE_MS });
        redis.destroy();
        await settlesWithin(work, STOP_GRACE_MS);
      }
      if (!(await settlesWithin(redis.close(), STOP_GRACE_MS))) redis.destroy();
    },
  };
}
