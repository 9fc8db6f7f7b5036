// SPDX-License-Identifier: GPL-3.0-or-later
// Builds the running service from a Config: adapters, tracker, pipeline, delivery, HTTP receiver.
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
import { createApp, type Health } from './triggers/webhook.js';
import { createPipeline } from './pipeline.js';
import { createOutbox } from './notify/outbox.js';
import { createMailer, senderAddress, type Mailer } from './notify/mailer.js';
import { Delivery } from './notify/delivery.js';
import { classifySmtpError } from './errors.js';
import { moduleKeys } from './domain/records.js';
import { renderTestMail } from './report/test-mail.js';
import { alertmanagerConfig } from './triggers/alertmanager-config.js';
import { AlertmanagerPoller } from './triggers/alertmanager-poller.js';
import { MissedRunWatchdog, redisWatchStore } from './triggers/missed-runs.js';
import { createRepoChecker, renderDestinationSection, type RepoChecker } from './repocheck/index.js';
import type { PipelineDeps } from './pipeline.js';
import { mailsPerRun, policyOf, type NotifySettings } from './notify/policy.js';
import { createRunLog } from './digest/run-log.js';
import { Digester, redisDigestStore } from './digest/digester.js';
import { readClusterApps } from './digest/read-cluster.js';
import { DEFAULT_DIGEST } from './digest/schedule.js';

export interface ServiceOptions {
  log: Logger;
  clock?: Clock;
  mailer?: Mailer;
  repoChecker?: RepoChecker | null;
  destinationSection?: PipelineDeps['destinationSection'];
  deliveryTickMs?: number;
  /** Missed-run / reminder check period (default 1 min). */
  watchdogTickMs?: number;
  /** Digest check period (default 1 min). */
  digestTickMs?: number;
}

export interface RunningService {
  port: number;
  tracker: RunTracker;
  delivery: Delivery;
  stop(): Promise<void>;
}

type Link = { ok: boolean; checkedAt: number; error: string | null };

export async function startService(cfg: Readonly<Config>, opts: ServiceOptions): Promise<RunningService> {
  const { log } = opts;
  const clock = opts.clock ?? systemClock;
  const redis = await connectRedis(cfg.redis, log);
  const keys = moduleKeys(cfg.moduleId);
  const outbox = createOutbox(redis.writer, cfg.moduleId);
  const mailer = opts.mailer ?? createMailer();
  const links: Record<string, Link> = {};
  const setLink = (name: string, ok: boolean, error: string | null) => {
    links[name] = { ok, checkedAt: clock.now(), error };
    redis.writer.hSet(keys.health, name, JSON.stringify(links[name])).catch(() => undefined);
  };

  const delivery = new Delivery({
    outbox, mailer, clock, log: log.child({ stage: 'delivery' }), tickMs: opts.deliveryTickMs,
    smarthost: () => readSmarthost(redis.reader),
    sender: (sh) => senderAddress(cfg.mail.from, sh),
    onResult: (ok, err) => setLink('smtp', ok, err ? `${err.code}: ${err.message}` : null),
  });
  const readPlan = (id: number) => readPlanSnapshot(redis.reader, id);
  // Issue #5: ask NS8 (cluster read-backup-snapshots) about the destination of what failed.
  const repoChecker = opts.repoChecker !== undefined ? opts.repoChecker
    : cfg.repoCheck.enabled ? createRepoChecker({ config: cfg, logger: log, clock }) : null;
  // Issue #14: per-plan policies and recipients; every decided run is logged for the digest.
  const notify: NotifySettings = { defaultPolicy: cfg.mail.notifyOnSuccess ? 'always' : 'problems', plans: new Map() };
  const pipeline = createPipeline({
    config: cfg, readPlan, outbox, clock, log: log.child({ stage: 'pipeline' }), repoChecker, notify, runLog: createRunLog(redis.writer, keys.runLog),
    destinationSection: opts.destinationSection ?? ((h, lang) => renderDestinationSection(h, lang, { timeZone: cfg.schedule.timezone })),
    onQueued: () => delivery.kick(),
  });
  const tracker = new RunTracker({
    readStatus: (n, p, m) => readModuleStatus(redis.reader, n, p, m),
    readPlan,
    readAllPlans: async () => readPlanSnapshots(redis.reader, await listPlanIds(redis.reader)),
    flush: (req) => pipeline.process(req),
    clock, log: log.child({ stage: 'tracker' }),
    waitSeconds: cfg.correlator.waitSeconds, maxRunSeconds: cfg.correlator.maxRunSeconds, recentWindow: cfg.correlator.recentWindow,
  });

  const reconcile = async (): Promise<void> => {
    for (let attempt = 1; attempt <= 30; attempt++) {
      try { await tracker.reconcile(); return; } catch (err) {
        log.warning('reconcile failed, retrying', { attempt, error: (err as Error).message });
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 10_000)));
      }
    }
  };
  await subscribeBackupEvents(redis.subscriber, {
    backupEvent: (e) => tracker.backupEvent(e),
    smarthostChanged: () => {
      void delivery.smarthostChanged(clock.now() - 24 * 3600_000).then(
        (n) => log.info('smarthost changed: queued reports are tried now', { queued: n.due, failed_requeued: n.requeued }),
        (err: Error) => log.warning('smarthost changed, but the outbox is not reachable', { error: err.message }));
    },
    moduleRemoved: (m) => log.info('module removed: it leaves the reports of its plans', { module: m }),
    resynced: () => { log.info('event subscription restored: reconciling'); void reconcile(); },
  }, log.child({ stage: 'events' }));
  await reconcile();
  delivery.start();

  // Issue #4: follow metrics1's Alertmanager (no receiver can be added to it) and watch schedules.
  const poller = cfg.alerts.pollSeconds > 0 ? new AlertmanagerPoller({
    url: cfg.alerts.alertmanagerUrl, intervalMs: cfg.alerts.pollSeconds * 1000, sink: tracker, clock,
    log: log.child({ stage: 'alertmanager' }), reportHealth: (h) => setLink('alertmanager', h.ok, h.error),
  }) : null;
  const watchdog = new MissedRunWatchdog({
    readPlans: async () => readPlanSnapshots(redis.reader, await listPlanIds(redis.reader)),
    readPlanState: (id) => outbox.planState(id),
    store: redisWatchStore(redis.writer, keys.watchdog), clock, log: log.child({ stage: 'schedule' }),
    // Reminders and held flap news only for plans whose policy mails per run.
    sink: { missing: (...a) => tracker.missing(...a), reminderDue: (id) => { if (mailsPerRun(policyOf(notify, id))) tracker.reminderDue(id); } },
    intervalMs: opts.watchdogTickMs ?? 60_000,
    watch: { grace: cfg.schedule.missedRunGrace, tolerance: 60, timeZone: cfg.schedule.timezone },
    reminder: { reminderInterval: cfg.schedule.reminderInterval, notifyOnSuccess: cfg.mail.notifyOnSuccess },
  });
  const digester = new Digester({
    digest: DEFAULT_DIGEST, notify, mail: cfg.mail, timeZone: cfg.schedule.timezone, moduleId: cfg.moduleId,
    readPlans: async () => readPlanSnapshots(redis.reader, await listPlanIds(redis.reader)), readApps: () => readClusterApps(redis.reader),
    store: redisDigestStore(redis.writer, cfg.moduleId), clock, log: log.child({ stage: 'digest' }), intervalMs: opts.digestTickMs,
    onQueued: () => delivery.kick(),
  });
  poller?.start();
  watchdog.start();
  digester.start();

  const health = async (): Promise<Health> => {
    const ping = await redis.reader.ping().then(() => null, (e: Error) => e.message);
    setLink('redis', ping === null, ping);
    const sh = await readSmarthost(redis.reader).catch(() => null);
    const smtpLink = links.smtp ?? { ok: true, checkedAt: 0, error: null };
    const smtp = sh === null ? { ok: false, error: 'smarthost not readable' }
      : !sh.enabled ? { ok: false, error: 'smarthost disabled' } : { ok: smtpLink.ok, error: smtpLink.error };
    const all = { redis: { ok: ping === null, error: ping }, smtp };
    // Alertmanager is shown but never makes the service unhealthy: reports from NS8 events do not need it.
    const am = links.alertmanager;
    return { ok: Object.values(all).every((l) => l.ok), links: am ? { ...all, alertmanager: { ok: am.ok, error: am.error } } : all };
  };

  const app = createApp({
    sink: tracker, log: log.child({ stage: 'receiver' }), token: cfg.receiver.token, bodyLimitBytes: cfg.receiver.bodyLimitBytes, health,
    alertmanagerConfig: () => alertmanagerConfig(cfg),
    sendTestMail: async (to, digest) => {
      const recipients = to && to.length ? to : [...cfg.mail.to];
      try {
        const sh = await readSmarthost(redis.reader);
        const m = digest ? await digester.sample() : renderTestMail(cfg);
        const { messageId } = await mailer.send({ from: senderAddress(cfg.mail.from, sh), to: recipients, ...m }, sh);
        setLink('smtp', true, null);
        return { ok: true, status: 200, body: { ok: true, recipients, message_id: messageId } };
      } catch (err) {
        const e = classifySmtpError(err);
        setLink('smtp', false, `${e.code}: ${e.message}`);
        return { ok: false, status: e.code === 'NO_RECIPIENTS' ? 400 : 502, body: { ok: false, code: e.code, error: e.message } };
      }
    },
  });
  const server: Server = await new Promise((resolve) => { const s = app.listen(cfg.receiver.port, cfg.receiver.host, () => resolve(s)); });
  const port = (server.address() as AddressInfo).port;
  log.info('backup monitor ready', { listen: `${cfg.receiver.host}:${port}`, module: cfg.moduleId, recipients: cfg.mail.to.length });

  return {
    port, tracker, delivery,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await Promise.all([poller?.stop(), watchdog.stop(), digester.stop()]);
      await tracker.close();
      await delivery.stop();
      await redis.close();
    },
  };
}
