// SPDX-License-Identifier: GPL-3.0-or-later
// Composition root: builds the running service from a Config (adapters, tracker, pipeline,
// delivery, pollers, HTTP receiver) and only wires them; every decision lives in the stage that
// owns it (service/*.ts: events, writer-only, optional parts, stop; notify/reminders.ts; …).
// Kept apart from main.ts so integration tests can start the real thing in-process.
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
import { migrateDeliveries } from './notify/delivery-migration.js';
import { channelsTake, firstDeliveriesOf, transportsFor } from './channels/index.js';
import { createWriterLease } from './notify/writer-lease.js';
import { watchdogSink } from './notify/reminders.js';
import { createSilenceStore, windowHoldsReminders } from './notify/silence-store.js';
import { snoozedPlans } from './notify/silence.js';
import { acknowledgedPlans } from './digest/content.js';
import { planRulesOf } from './notify/escalation.js';
import { moduleKeys } from './domain/records.js';
import { warnOnce } from './domain/stored-record.js';
import { alertmanagerConfig } from './triggers/alertmanager-config.js';
import { MissedRunWatchdog, redisWatchStore } from './triggers/missed-runs.js';
import type { RepoChecker } from './repocheck/index.js';
import type { ErrorLineReader } from './ns8/loki.js';
import { createRunHistory } from './trends/history.js';
import { createSnapshotCounts } from './repocheck/counts.js';
import { createUnownedStore } from './repocheck/unowned.js';
import { stuckRuleOf } from './notify/stuck.js';
import { thresholdsOf } from './trends/anomaly.js';
import type { NotifySettings } from './domain/policy.js';
import { createRunLog } from './digest/run-log.js';
import { Digester, redisDigestStore } from './digest/digester.js';
import { readClusterApps } from './digest/read-cluster.js';
import { createLinks } from './service/links.js';
import { healthCheck } from './service/health.js';
import { testMailSender } from './service/test-mail.js';
import { testChannelSender } from './service/test-channel.js';
import { reconciler } from './service/reconcile.js';
import { removedPlansForgetter } from './service/forget-plans.js';
import { startTrimmer, type ReducingGc } from './service/memory-trim.js';
import { whileWriter } from './service/writer-only.js';
import { eventHandlers } from './service/events.js';
import { completeHistoryIndex } from './service/history-index.js';
import { errorLineReaderFor } from './service/error-lines.js';
import { alertmanagerPollerFor, metricsEndpointFor, repoCheckerFor, unownedRefresherFor } from './service/optional.js';
import { deliveryObserver, queuedMailKicker } from './service/mail-observers.js';
import { stopService } from './service/stop.js';
import type { MetricsEndpoint } from './metrics/index.js';

/** Period of the missed-run / reminder check and of the digest check. */
const WATCHDOG_TICK_MS = 60_000;
/** A run may start this late after its scheduled minute before it is looked for (s). */
const SCHEDULE_TOLERANCE_SECONDS = 60;

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
  // One log line per stored record left out as unusable (domain/stored-record.ts).
  const warn = warnOnce(log.child({ stage: 'records' }));
  const mailer = opts.mailer ?? createMailer();
  const transports = transportsFor({
    config: cfg,
    mailer,
    smarthost: () => readSmarthost(redis.reader),
    sender: (sh) => senderAddress(cfg.mail.from, sh),
  });
  const records = createRecordStore(redis.writer, cfg.moduleId, warn, firstDeliveriesOf(transports));
  const links = createLinks(redis.writer, keys.health, clock);
  const setLink = links.set.bind(links);
  const watch = {
    grace: cfg.schedule.missedRunGrace,
    tolerance: SCHEDULE_TOLERANCE_SECONDS,
    timeZone: cfg.schedule.timezone,
  };
  const metrics = metricsEndpointFor(cfg, {
    reader: redis.reader,
    moduleId: cfg.moduleId,
    clock,
    log: log.child({ stage: 'metrics' }),
    links: () => links.known(), // redis: the scrape's own read says more
    maxRunSeconds: cfg.correlator.maxRunSeconds,
    watch,
  });
  // One writer per namespace (issue #25): a standby taking over reports what the last writer left.
  const lease = createWriterLease({
    redis: redis.writer,
    key: keys.writer,
    log: log.child({ stage: 'lease' }),
    onTakeover: () => void reconcile(),
  });
  const delivery = new OutboxSender({
    records,
    transports,
    clock,
    log: log.child({ stage: 'delivery' }),
    tickMs: opts.deliveryTickMs,
    mayWrite: () => lease.holds(),
    onResult: deliveryObserver(metrics, setLink),
  });
  const onQueued = queuedMailKicker(metrics, delivery);
  // Statuses are bounded by the service's clock (issue #25: a status dated in the future).
  const nowS = () => Math.floor(clock.now() / 1000);
  const readPlan = (id: number) => readPlanSnapshot(redis.reader, id, nowS());
  const readAllPlans = async () => readPlanSnapshots(redis.reader, await listPlanIds(redis.reader), nowS());
  const notify: NotifySettings = cfg.notify;
  const silences = createSilenceStore(redis.writer, cfg.moduleId, warn);
  const runHistory = createRunHistory(redis.writer, cfg.moduleId, warn);
  const repoChecker = repoCheckerFor(opts.repoChecker, cfg, {
    log,
    clock,
    setLink,
    counts: createSnapshotCounts(redis.writer, cfg.moduleId, warn),
    history: runHistory,
    unownedStore: createUnownedStore(redis.writer, cfg.moduleId, warn),
  });
  const pipeline = createPipeline({
    config: cfg,
    readPlan,
    readPlans: readAllPlans,
    records,
    clock,
    log: log.child({ stage: 'pipeline' }),
    repoChecker,
    notify,
    runLog: createRunLog(redis.writer, keys.runLog, warn),
    silences,
    history: runHistory,
    anomalyThresholds: thresholdsOf(cfg.anomaly),
    errorLines: opts.errorLines !== undefined ? opts.errorLines : errorLineReaderFor(cfg, redis, clock, log),
    channels: firstDeliveriesOf(transports),
    onQueued,
    signal: shutdown.signal,
  });
  const tracker = new RunTracker({
    readStatus: (n, p, m) => readModuleStatus(redis.reader, n, p, m, nowS()),
    readPlan,
    readAllPlans,
    flush: whileWriter(
      () => lease.holds(),
      (req) => pipeline.process(req),
    ),
    clock,
    log: log.child({ stage: 'tracker' }),
    waitSeconds: cfg.correlator.waitSeconds,
    maxRunSeconds: cfg.correlator.maxRunSeconds,
    recentWindowSeconds: cfg.correlator.recentWindow,
    // Issue #24: a run open longer than its plan's maximum, or twice its usual duration (from the
    // plan's recent runs), is stuck.
    stuckAfter: (planId) => runHistory.load(planId).then((history) => stuckRuleOf(cfg.stuck)(planId, history)),
  });
  const reconcile = reconciler(() => tracker.reconcile(), log, shutdown.signal);
  lease.start();
  await subscribeBackupEvents(
    redis.subscriber,
    eventHandlers({ tracker, delivery, reconcile, clock, log }),
    log.child({ stage: 'events' }),
  );
  await reconcile();
  // Issue #25: a removed plan leaves plans/runs/watchdog (its reports stay); at start, then hourly.
  const forgetter = removedPlansForgetter({ reader: redis.reader, writer: redis.writer, moduleId: cfg.moduleId, log });
  forgetter.start();
  delivery.start();
  void completeHistoryIndex(records, log);
  void migrateDeliveries(records, () => lease.holds(), log.child({ stage: 'records' }));

  const poller = alertmanagerPollerFor(cfg, {
    sink: tracker,
    clock,
    log: log.child({ stage: 'alertmanager' }),
    setLink,
  });
  const watchdog = new MissedRunWatchdog({
    readPlans: readAllPlans,
    readPlanState: (id) => records.planState(id),
    store: redisWatchStore(redis.writer, keys.watchdog, warn),
    clock,
    log: log.child({ stage: 'schedule' }),
    sink: watchdogSink(
      notify,
      tracker,
      {
        store: silences,
        nowMs: () => clock.now(),
        onError: (err) => log.warning('cannot read the silences, reminder skipped', { error: err.message }),
        heldByWindow: windowHoldsReminders(silences, (id) => records.planState(id), cfg.schedule.timezone),
      },
      channelsTake(transports),
    ),
    intervalMs: opts.watchdogTickMs ?? WATCHDOG_TICK_MS,
    watch,
    reminder: {
      reminderIntervalSeconds: cfg.schedule.reminderInterval,
      notifyOnSuccess: false,
      planRules: planRulesOf(cfg.escalation),
    },
  });
  const digester = new Digester({
    digest: cfg.digest,
    notify,
    mail: cfg.mail,
    timeZone: cfg.schedule.timezone,
    moduleId: cfg.moduleId,
    readPlans: readAllPlans,
    readApps: () => readClusterApps(redis.reader),
    store: redisDigestStore(redis.writer, cfg.moduleId, warn),
    readSnoozed: async (nowS) => snoozedPlans(await silences.all(), nowS),
    readAcknowledged: async () => acknowledgedPlans(await silences.all()),
    readMaintenance: () => silences.windows(),
    readUnowned: async () => (await repoChecker?.unowned?.()) ?? null,
    clock,
    log: log.child({ stage: 'digest' }),
    intervalMs: opts.digestTickMs,
    onQueued,
    mayWrite: () => lease.holds(),
  });
  // Issue #23 item 4: the page's and /metrics' list of repositories nobody owns, even without digests.
  const unownedRefresh = unownedRefresherFor(repoChecker, { log, mayWrite: () => lease.holds() });
  poller?.start();
  watchdog.start();
  digester.start();
  unownedRefresh?.start();

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
    sendTestChannel: testChannelSender({ config: cfg, transports }),
  });
  const server: Server = await app.listen(cfg.receiver.port, cfg.receiver.host);
  const port = (server.address() as AddressInfo).port;
  const trimmer = startTrimmer(opts.reducingGc, log.child({ stage: 'memory' }), opts.trimFirstDelayMs);
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
    stop: () =>
      stopService({
        shutdown,
        closeListener: async () => {
          await new Promise<void>((r) => server.close(() => r()));
          server.closeAllConnections?.();
        },
        finishWork: () =>
          Promise.all([
            poller?.stop(),
            watchdog.stop(),
            digester.stop(),
            unownedRefresh?.stop(),
            tracker.close(),
            delivery.stop(),
            metrics?.stop(),
            trimmer?.stop(),
            forgetter.stop(),
          ]).then(() => lease.release()),
        redis,
        log,
      }),
  };
}
