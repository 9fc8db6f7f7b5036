// SPDX-License-Identifier: GPL-3.0-or-later
// The only place that orders the stages:
//   settled run -> correlate -> decide -> repo check (not on success) -> render -> outbox
import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { PlanSnapshot } from './domain/backup.js';
import type { PlanState, StoredReport, NotifyReason } from './domain/records.js';
import type { RunReport } from './domain/run.js';
import { correlate, missingRun } from './correlate/correlate.js';
import { decide, decideReminder, MAILED, planStateAfter, runStartOf } from './notify/decide.js';
import { decideOptionsFor, policyOf, recipientsFor, routeOf, type NotifySettings } from './notify/policy.js';
import { runLogEntry, type RunLog } from './digest/run-log.js';
import { staleSince } from './notify/stale.js';
import type { Outbox } from './notify/outbox.js';
import { renderReport } from './report/render.js';
import type { RepoChecker } from './repocheck/types.js';
import type { FlushRequest } from './triggers/run-tracker.js';

export interface PipelineDeps {
  config: Readonly<Config>;
  readPlan(planId: number): Promise<PlanSnapshot | null>;
  outbox: Outbox;
  repoChecker: RepoChecker | null;
  /** Renders the destination section of a report (issue #5); service.ts passes the repocheck one. */
  destinationSection?: (h: NonNullable<RunReport['destinationHealth']>, lang: Config['mail']['language']) => { title: string; text: string; html: string };
  /** Per-plan policies and extra recipients (issue #14). */
  notify: NotifySettings;
  /** Every decided run, for the digest (issue #14). */
  runLog?: RunLog;
  onQueued(): void;
  clock: Clock;
  log: Logger;
  newId?: () => string;
}

/** Redis outages delay a report, never lose it: persisting retries with backoff. */
const PERSIST_BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10_000];

export function createPipeline(d: PipelineDeps) {
  const cfg = d.config;
  const newId = d.newId ?? (() => `${new Date(d.clock.now()).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`);

  async function persist(fn: () => Promise<void>, what: string, log: Logger): Promise<void> {
    for (let i = 0; ; i++) {
      try { await fn(); return; } catch (err) {
        const wait = PERSIST_BACKOFF_MS[Math.min(i, PERSIST_BACKOFF_MS.length - 1)]!;
        if (i === 0 || i % 10 === 0) log.warning(`cannot store ${what} yet, retrying`, { error: (err as Error).message, attempt: i + 1 });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async function process(req: FlushRequest): Promise<void> {
    const log = d.log.child({ plan: req.planId });
    const snap = await d.readPlan(req.planId);
    if (!snap) { log.info('plan no longer exists, nothing to report'); return; }
    if (req.kind === 'missing' && !snap.plan.enabled) { log.info('plan disabled, not reporting a missed run'); return; }
    const prev = await d.outbox.planState(req.planId);
    const latest = () => prev?.lastOutcome === 'MISSING' ? missingRun(snap, runStartOf(prev.lastRunKey), [], req.triggers)
      : correlate(snap, { since: null, maxRunSeconds: cfg.correlator.maxRunSeconds }, req.triggers);
    const run = req.kind === 'run'
      ? correlate(snap, { since: req.since, maxRunSeconds: cfg.correlator.maxRunSeconds }, req.triggers)
      : req.kind === 'missing' ? missingRun(snap, req.expectedAt, req.modules, req.triggers) : latest();
    const policy = policyOf(d.notify, req.planId);
    const opts = decideOptionsFor(policy);
    const reason = req.kind === 'reminder'
      ? decideReminder(prev, run, { ...opts, now: d.clock.now(), reminderInterval: cfg.schedule.reminderInterval })
      : decide(prev, run, opts);
    run.staleSince = staleSince(run, prev, Math.floor(d.clock.now() / 1000), cfg.schedule.staleAge);
    const route = routeOf(reason, policy);
    log.info('run correlated', { run: run.runKey, outcome: run.outcome, reason, policy, route, modules: run.modules.length, failed: run.modules.filter((m) => m.result !== 'success').length });
    if (reason === 'duplicate') return;
    const now = d.clock.now();
    const logRun = () => (d.runLog ? persist(() => d.runLog!.append(runLogEntry(run, now)), 'run log', log) : Promise.resolve());
    if (route !== 'mail' || !MAILED.has(reason)) {
      // Not mailed (policy or decision): the plan state and the run log still know, for the status page and the digest.
      await persist(() => d.outbox.saveState(planStateAfter(prev, run, MAILED.has(reason) ? 'muted' : reason, null, now)), 'plan state', log);
      await logRun();
      return;
    }

    if (run.outcome !== 'SUCCESS' && run.outcome !== 'MISSING' && d.repoChecker) {
      run.destinationHealth = await d.repoChecker.check(run);
    }
    const sections = run.destinationHealth && d.destinationSection ? [d.destinationSection(run.destinationHealth, cfg.mail.language)] : [];
    const mail = renderReport(run, reason, {
      language: cfg.mail.language, subjectPrefix: cfg.mail.subjectPrefix, timeZone: cfg.schedule.timezone,
      moduleId: cfg.moduleId, failingSince: prev?.failingSince ?? null, sections,
    });
    const id = newId();
    const recipients = recipientsFor(d.notify, cfg.mail.to, run.planId);
    const report: StoredReport = {
      id, createdAt: now, reason, run, language: cfg.mail.language, ...mail,
      delivery: recipients.length
        ? { status: 'pending', attempts: 0, nextAttemptAt: now, lastError: null, lastErrorCode: null, sentAt: null, recipients }
        : { status: 'failed', attempts: 0, nextAttemptAt: 0, lastError: 'no recipient is configured', lastErrorCode: 'NO_RECIPIENTS', sentAt: null, recipients },
    };
    await persist(() => d.outbox.store(report, planStateAfter(prev, run, reason, id, now), recipients.length > 0), 'report', log);
    await logRun();
    log.info('report queued', { report: id, subject: mail.subject, to: recipients.length });
    d.onQueued();
  }

  return { process };
}
