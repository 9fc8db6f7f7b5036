// SPDX-License-Identifier: GPL-3.0-or-later
// The only place that orders the stages:
//   settled run (triggers/) -> correlate -> trends -> decide + policy -> staleness
//     told (email or a channel, issue #22): diagnosis (repo check, error lines) -> render -> record store + outbox -> run log
//     told nowhere: plan state -> run log
import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import { CLOCK_TOLERANCE_SECONDS, type PlanSnapshot } from './domain/backup.js';
import {
  firstDelivery,
  isQueued,
  skippedDelivery,
  type DeliveryState,
  type PlanState,
  type StoredReport,
  type NotifyReason,
} from './domain/records.js';
import { OUTCOME_TABLE } from './domain/outcome.js';
import type { RunReport } from './domain/run.js';
import { correlate, missingRun } from './correlate/correlate.js';
import { decide, decideReminder, MAILED, planStateAfter, runStartOf, withoutFutureTimes } from './notify/decide.js';
import type { NotifySettings, Policy } from './domain/policy.js';
import { decideOptionsFor, policyOf, recipientsFor, routeOf } from './notify/policy.js';
import { runLogEntry, type RunLog } from './digest/run-log.js';
import { staleSince } from './notify/stale.js';
import type { RecordStore } from './notify/record-store.js';
import { renderReport, renderStuck } from './report/render.js';
import { boundRun } from './report/bound.js';
import type { RepoChecker } from './repocheck/types.js';
import { withConfirmations } from './repocheck/confirm.js';
import type { Confirmation } from './domain/destination.js';
import { withTrends, type AnomalyThresholds } from './trends/anomaly.js';
import { withRestoreHorizon } from './schedule/horizon.js';
import { conflictsOfPlan, retentionConflicts } from './domain/retention.js';
import type { RunHistory } from './trends/history.js';
import { withErrorLines, type ErrorLineReader } from './ns8/loki.js';
import type { FlushRequest } from './domain/flush.js';
import { retry, type Backoff } from './retry.js';
import { throughSilence, type SilenceStore } from './notify/silence-store.js';
import { escalationDue, planRulesOf, withinTolerance } from './notify/escalation.js';
import { dedupe } from './notify/policy.js';

export interface PipelineDeps {
  config: Readonly<Config>;
  readPlan(planId: number): Promise<PlanSnapshot | null>;
  /** Every plan, for the repositories a run's plan shares with others (issue #23 item 2); none = not checked. */
  readPlans?(): Promise<PlanSnapshot[]>;
  records: RecordStore;
  repoChecker: RepoChecker | null;
  /** Each plan's recent runs, for trends and anomalies (issue #13); none = no trends. */
  history?: RunHistory | null;
  anomalyThresholds?: AnomalyThresholds;
  /** The error lines of failed modules from the cluster logs (issue #13); none = not read. */
  errorLines?: ErrorLineReader | null;
  /** Per-plan policies and extra recipients (issue #14). */
  notify: NotifySettings;
  /** Every decided run, for the digest (issue #14). */
  runLog?: RunLog;
  /** Acknowledged and snoozed plans (issue #24); none = nothing silenced. */
  silences?: SilenceStore;
  /**
   * Issue #22: the deliveries the channels besides email start a run report with (channels/index.ts
   * firstDeliveriesOf; the record store fans out the same). Each channel takes what its own level and
   * plans say, whatever email's policy; none = email only.
   */
  channels?: (report: StoredReport) => Record<string, DeliveryState>;
  onQueued(): void;
  clock: Clock;
  log: Logger;
  newId?: () => string;
  /** Aborted at shutdown: a report still waiting for Redis is then left to the next start's reconcile. */
  signal?: AbortSignal;
}

/** A run with its decision, on its way to a mail or to the plan state. */
interface Decided {
  log: Logger;
  /** The plan's state before this run. */
  prev: PlanState | undefined;
  run: RunReport;
  reason: NotifyReason;
  /** When the decision was taken (unix ms): the report's and the plan state's time. */
  nowMs: number;
  /** The mail announces a snooze's end (issue #24). */
  snoozeEnded?: boolean;
  /** The plan's email policy mails this report; false = only other channels take it (email 'skipped'). */
  mailed: boolean;
}

/** Redis outages delay a report, never lose it: persisting retries with backoff. */
const PERSIST_BACKOFF: Backoff = { firstMs: 250, maxMs: 10_000 };
/** During a long outage, one warning every this many attempts. */
const PERSIST_WARN_EVERY = 10;

export function createPipeline(deps: PipelineDeps) {
  const cfg = deps.config;
  /** Failure tolerance and escalation of each plan (issue #24). */
  const rulesOf = planRulesOf(cfg.escalation);
  const newId =
    deps.newId ??
    (() => `${new Date(deps.clock.now()).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`);

  const persist = (fn: () => Promise<void>, what: string, log: Logger): Promise<void> =>
    retry(fn, {
      backoff: PERSIST_BACKOFF,
      signal: deps.signal,
      onRetry: (err, attempt) => {
        if (attempt % PERSIST_WARN_EVERY === 1)
          log.warning(`cannot store ${what} yet, retrying`, { error: (err as Error).message, attempt });
      },
    });

  /** The run a request is about: a settled run, a run that did not start, or the latest one. */
  function runOf(req: FlushRequest, snap: PlanSnapshot, prev: PlanState | undefined): RunReport {
    const maxRunSeconds = cfg.correlator.maxRunSeconds;
    switch (req.kind) {
      case 'run':
      case 'stuck':
        return correlate(snap, { since: req.since, maxRunSeconds }, req.triggers);
      case 'missing':
        return missingRun(snap, req.expectedAt, req.modules, req.triggers);
      case 'reminder':
        // A reminder repeats the plan's last news: a missed run stays missed until a run comes.
        return prev?.lastOutcome === 'MISSING'
          ? missingRun(snap, runStartOf(prev.lastRunKey), [], req.triggers)
          : correlate(snap, { since: null, maxRunSeconds }, req.triggers);
    }
  }

  /**
   * The channels besides email that would take a report of `reason` about `run`: asked before the
   * report is diagnosed and rendered (what they decide on is the plan, the outcome and the reason).
   */
  function channelsTaking(run: RunReport, reason: NotifyReason): string[] {
    if (!deps.channels) return [];
    const nowMs = deps.clock.now();
    const probe: StoredReport = {
      id: '',
      createdAt: nowMs,
      reason,
      run,
      language: cfg.mail.language,
      subject: '',
      text: '',
      html: '',
      delivery: skippedDelivery(),
    };
    return Object.keys(deps.channels(probe));
  }

  /** Whether and why to tell: a reminder has its own rule (no new run came), the others the usual one. */
  function reasonFor(req: FlushRequest, prev: PlanState | undefined, run: RunReport, policy: Policy): NotifyReason {
    // A plain success is news when email's policy or a channel besides email takes it (issue #22).
    const opts = decideOptionsFor(policy, channelsTaking(run, 'success').length > 0);
    const rules = rulesOf(run.planId);
    switch (req.kind) {
      case 'stuck':
        return 'duplicate'; // not a decision: its own notice (notifyStuck)
      case 'run':
      case 'missing':
        return withinTolerance(prev, run, decide(prev, run, opts), rules, false);
      case 'reminder':
        return withinTolerance(
          prev,
          run,
          decideReminder(prev, run, {
            ...opts,
            nowMs: deps.clock.now(),
            reminderIntervalSeconds: cfg.schedule.reminderInterval,
            planRules: rulesOf,
          }),
          rules,
          true,
        );
    }
  }

  /**
   * One settled request, as the admin will read it: which run, what changed since the plan's last
   * report, whether it is mailed (decision and policy), and then either the mail with its
   * diagnosis or just the plan's new state. Every step returns a new run; none is changed in place.
   */
  async function process(req: FlushRequest): Promise<void> {
    const log = deps.log.child({ plan: req.planId });
    const snap = await deps.readPlan(req.planId);
    if (!snap) {
      log.info('plan no longer exists, nothing to report');
      return;
    }
    if (req.kind === 'missing' && !snap.plan.enabled) {
      log.info('plan disabled, not reporting a missed run');
      return;
    }
    const nowS = Math.floor(deps.clock.now() / 1000);
    const prev = withoutFutureTimes(await deps.records.planState(req.planId), nowS, CLOCK_TOLERANCE_SECONDS);
    const policy = policyOf(deps.notify, req.planId);
    if (req.kind === 'stuck') return notifyStuck(log, req, snap, prev, policy, nowS);
    const confirmed = await withConfirmation(log, req, snap, await withHistory(log, boundRun(runOf(req, snap, prev))));
    const correlated = withRestoreHorizon(await withSharedRepositories(log, confirmed), cfg.schedule.timezone);
    const decided0 = reasonFor(req, prev, correlated, policy);
    const { reason, snoozeEnded } = deps.silences
      ? await throughSilence(
          deps.silences,
          log,
          correlated,
          decided0,
          nowS,
          req.kind === 'reminder',
          cfg.schedule.timezone,
        )
      : { reason: decided0, snoozeEnded: false };
    const run = withStaleness(correlated, prev);
    const route = routeOf(reason, policy);
    // Issue #22: stored and queued when email OR another channel takes it; each decides on its own.
    const mailed = route === 'mail' && MAILED.has(reason);
    const channels = MAILED.has(reason) ? channelsTaking(run, reason) : [];
    log.info('run correlated', {
      run: run.runKey,
      outcome: run.outcome,
      reason,
      policy,
      route,
      ...(channels.length ? { channels: channels.join(',') } : {}),
      modules: run.modules.length,
      failed: run.modules.filter((m) => m.result !== 'success').length,
    });
    if (reason === 'duplicate') return;
    const decided: Decided = { log, prev, run, reason, nowMs: deps.clock.now(), snoozeEnded, mailed };
    await recordInHistory(log, run);
    if (mailed || channels.length) await mailReport(decided);
    else await keepUnmailed(decided);
  }

  /**
   * Issue #24 item 5: one "still running since …" notice for a run open long after its usual
   * duration. It is a problem mail (routeOf 'first'), held by a snooze or acknowledgement, and it
   * leaves the plan state as it was: the run's report, when it settles, is decided as usual.
   */
  async function notifyStuck(
    log: Logger,
    req: Extract<FlushRequest, { kind: 'stuck' }>,
    snap: PlanSnapshot,
    prev: PlanState | undefined,
    policy: Policy,
    nowS: number,
  ): Promise<void> {
    const run = boundRun(runOf(req, snap, prev));
    const held = deps.silences
      ? (await throughSilence(deps.silences, log, run, 'first', nowS, true, cfg.schedule.timezone)).reason
      : 'first';
    // Issue #22: email's policy and each channel decide on their own (channels/audience.ts takes 'stuck').
    const mailed = routeOf('first', policy) === 'mail';
    const channels = channelsTaking(run, 'stuck');
    if (!prev || held !== 'first' || (!mailed && !channels.length)) {
      log.info('run still open, not told', { since: req.since, held, policy, known: !!prev });
      return;
    }
    const nowMs = deps.clock.now();
    const mail = renderStuck(
      run,
      {
        since: req.since,
        usualSeconds: req.usualSeconds,
        maxAt: req.since + cfg.correlator.maxRunSeconds,
        ...(req.maximumSeconds ? { maximumSeconds: req.maximumSeconds } : {}),
      },
      {
        language: cfg.mail.language,
        subjectPrefix: cfg.mail.subjectPrefix,
        timeZone: cfg.schedule.timezone,
        moduleId: cfg.moduleId,
        clusterAdminUrl: cfg.clusterAdminUrl,
      },
    );
    const report: StoredReport = {
      id: newId(),
      createdAt: nowMs,
      reason: 'stuck',
      run,
      language: cfg.mail.language,
      ...mail,
      delivery: mailed ? firstDelivery(recipientsFor(deps.notify, cfg.mail.to, run.planId), nowMs) : skippedDelivery(),
      // Why it counts as stuck, for the channels' words (report/channel-message.ts).
      stuck: {
        usualSeconds: req.usualSeconds,
        ...(req.maximumSeconds ? { maximumSeconds: req.maximumSeconds } : {}),
      },
    };
    await persist(() => deps.records.store(report, prev, isQueued(report)), 'report', log);
    log.info('still-running notice queued', { report: report.id, subject: report.subject });
    deps.onQueued();
  }

  /** A non-successful run of a plan with no success for too long says since when (notify/stale.ts). */
  function withStaleness(run: RunReport, prev: PlanState | undefined): RunReport {
    const nowS = Math.floor(deps.clock.now() / 1000);
    return { ...run, staleSince: staleSince(run, prev, nowS, cfg.schedule.staleAge) };
  }

  /** Every decided run joins the plan's recent runs (trends), mailed or not; a failure only costs trends. */
  async function recordInHistory(log: Logger, run: RunReport): Promise<void> {
    if (!deps.history) return;
    await deps.history
      .record(run)
      .catch((err: Error) => log.warning('cannot store the run in the history', { error: err.message }));
  }

  /** The run log feeds the digest (issue #14). */
  function logRun(log: Logger, run: RunReport, nowMs: number): Promise<void> {
    const runLog = deps.runLog;
    return runLog ? persist(() => runLog.append(runLogEntry(run, nowMs)), 'run log', log) : Promise.resolve();
  }

  /** Not mailed (policy or decision): the plan state and the run log still know, for the status page and the digest. */
  async function keepUnmailed({ log, prev, run, reason, nowMs }: Decided): Promise<void> {
    const told = MAILED.has(reason) ? 'muted' : reason;
    await persist(() => deps.records.saveState(planStateAfter(prev, run, told, null, nowMs)), 'plan state', log);
    await logRun(log, run, nowMs);
  }

  /** A mailed report: diagnosed, rendered, stored with the plan's new state and queued. */
  async function mailReport(decided: Decided): Promise<void> {
    const { log, nowMs } = decided;
    const checked = await withDiagnosis(decided.run);
    const report = await storeReport({ ...decided, run: checked });
    await logRun(log, checked, nowMs);
    log.info('report queued', { report: report.id, subject: report.subject, to: report.delivery.recipients.length });
    deps.onQueued();
  }

  /** Trends and anomalies against the plan's previous runs (issue #13): may turn SUCCESS into WARNING. */
  /**
   * Issue #23 item 2: the applications whose repository another enabled plan with a different
   * retention prunes too, so the report and the restore horizon say what is really kept.
   */
  async function withSharedRepositories(log: Logger, run: RunReport): Promise<RunReport> {
    if (!deps.readPlans) return run;
    const plans = await deps.readPlans().catch((err: Error) => {
      log.warning('cannot read the other plans, shared repositories not checked', { error: err.message });
      return null;
    });
    if (!plans) return run;
    const conflicts = conflictsOfPlan(retentionConflicts(plans.map((p) => p.plan)), run.planId);
    return conflicts.length ? { ...run, retentionConflicts: conflicts } : run;
  }

  async function withHistory(log: Logger, run: RunReport): Promise<RunReport> {
    if (!deps.history) return run;
    const history = await deps.history.load(run.planId).catch((err: Error) => {
      log.warning('cannot read the run history, no trends in this report', { error: err.message });
      return null;
    });
    return history ? withTrends(run, history, deps.anomalyThresholds) : run;
  }

  /**
   * Issue #23: before anything is decided, each application's claim is checked against the
   * snapshots at the destination (DESTINATION_VERIFY, the outcome table's destinationConfirm): an
   * unconfirmed success is not saved, a failed cleanup is saved with a warning. Only new runs: a
   * reminder repeats news already confirmed. Bounded by REPO_CHECK_BUDGET_SECONDS; never throws.
   */
  async function withConfirmation(
    log: Logger,
    req: FlushRequest,
    snap: PlanSnapshot,
    run: RunReport,
  ): Promise<RunReport> {
    const confirm = deps.repoChecker?.confirm;
    if (req.kind !== 'run' || !confirm || !OUTCOME_TABLE[run.outcome].destinationConfirm) return run;
    const found = await confirm.call(deps.repoChecker, run, snap.plan.retention, deps.signal).catch((err: Error) => {
      log.warning('cannot confirm the run at the destination', { error: err.message });
      return new Map<string, Confirmation>();
    });
    return withConfirmations(run, found);
  }

  /**
   * What a mailed problem report needs, both bounded by their own budgets and asked at once: the
   * state of the destination (issue #5; not for success, warnings or missed runs) and the error
   * lines of failed modules from the cluster's Loki (issue #13).
   */
  async function withDiagnosis(run: RunReport): Promise<RunReport> {
    const failed = run.modules.some((m) => m.result === 'failed');
    const checkDestination = OUTCOME_TABLE[run.outcome].destinationCheck && deps.repoChecker;
    const [health, errorLog] = await Promise.all([
      checkDestination ? deps.repoChecker!.check(run) : null,
      failed && deps.errorLines ? deps.errorLines.read(run) : null,
    ]);
    const out: RunReport = {
      ...run,
      seenAt: Math.floor(deps.clock.now() / 1000),
      ...(health ? { destinationHealth: health } : {}),
    };
    return errorLog ? withErrorLines(out, errorLog) : out;
  }

  /** Render the report and store it with the plan's new state (one transaction). */
  async function storeReport({ log, prev, run, reason, nowMs, snoozeEnded, mailed }: Decided): Promise<StoredReport> {
    // Issue #24: the mail of a plan failing for too long also goes to the escalation recipients,
    // once: only a mail escalates (a report for the other channels alone leaves it for a later mail).
    const escalated = mailed && escalationDue(prev, run, Math.floor(nowMs / 1000), rulesOf(run.planId));
    const notice = escalated ? 'escalated' : snoozeEnded ? 'snoozeEnded' : null;
    const mail = renderReport(run, reason, {
      language: cfg.mail.language,
      subjectPrefix: cfg.mail.subjectPrefix,
      timeZone: cfg.schedule.timezone,
      moduleId: cfg.moduleId,
      failingSince: prev?.failingSince ?? null,
      logBudgetSeconds: deps.errorLines?.budgetSeconds,
      notice,
      clusterAdminUrl: cfg.clusterAdminUrl,
    });
    const id = newId();
    const base = recipientsFor(deps.notify, cfg.mail.to, run.planId);
    const recipients = escalated ? dedupe([...base, ...cfg.escalation.to]) : base;
    const state = planStateAfter(prev, run, reason, id, nowMs);
    const report: StoredReport = {
      id,
      createdAt: nowMs,
      reason,
      run,
      language: cfg.mail.language,
      ...mail,
      delivery: mailed ? firstDelivery(recipients, nowMs) : skippedDelivery(),
      // The channels lead with the mail's own words too (report/channel-message.ts).
      ...(notice ? { notice } : {}),
      ...(prev?.failingSince ? { failingSince: prev.failingSince } : {}),
    };
    await persist(
      () =>
        deps.records.store(
          report,
          escalated ? { ...state, escalatedAt: Math.floor(nowMs / 1000) } : state,
          isQueued(report),
        ),
      'report',
      log,
    );
    return report;
  }

  return { process };
}
