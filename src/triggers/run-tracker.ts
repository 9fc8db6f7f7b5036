// SPDX-License-Identifier: GPL-3.0-or-later
// One person-facing story per run. Backup events, alerts (webhook or poll), reconciliation and the
// missed-run watchdog all land here; the tracker keeps one open run per plan and flushes it once:
// - at once when every module of the plan has reported in this run;
// - otherwise when the plan has been quiet for wait_seconds plus the time the modules still
//   pending on each node took last time (nodes run their modules one after another, contract
//   §2.2, so a node with pending modules is usually still busy), capped at max_run_seconds.
// A late result for a run already flushed re-opens that run, so the report that follows is an
// update of the same run, not a new one.
import type { BackupAlert } from '../domain/alert.js';
import type { BackupEvent, ModuleStatus, PlanSnapshot } from '../domain/backup.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { START_TOLERANCE_S, inferRunStart, inRunWindow } from '../domain/run.js';
import type { RunSink } from './types.js';
import { retry, type Backoff } from '../retry.js';

import type { FlushRequest } from '../domain/flush.js';

export type { FlushRequest } from '../domain/flush.js';

export interface TrackerDeps {
  readStatus(node: number, planId: number, moduleId: string): Promise<ModuleStatus | null>;
  readPlan(planId: number): Promise<PlanSnapshot | null>;
  readAllPlans(): Promise<PlanSnapshot[]>;
  flush(req: FlushRequest): Promise<void>;
  clock: Clock;
  log: Logger;
  waitSeconds: number;
  maxRunSeconds: number;
  /** Alerts without a plan id, and reconcile, cover plans with a result newer than this. */
  recentWindowSeconds: number;
  /**
   * Issue #24: how long a plan's run may stay open before it is stuck, and its usual duration
   * (from its history); null = never stuck. Asked at each checkStuck.
   */
  stuckAfter?(
    planId: number,
  ): Promise<{ afterSeconds: number; usualSeconds: number | null; maximumSeconds?: number } | null>;
}

interface OpenRun {
  planId: number;
  since: number;
  expected: Set<string>;
  reported: Set<string>;
  nodeOf: Map<string, number>;
  /** How long each pending module took in its previous run: how long its node may still be busy. */
  previousSeconds: Map<string, number>;
  triggers: Set<string>;
  timer: NodeJS.Timeout | null;
  /** The "still running" notice went out: once per run. */
  stuckNotified?: boolean;
  /** Clock time (ms) the run is due to be reported; the watchdog's tick reports it if its timer has not. */
  dueAtMs: number;
  /**
   * The plan can tell a stuck run (a usual duration or a maximum, issue #24): applications still
   * pending keep the run open until max_run_seconds, with one "still running" notice on the way,
   * instead of being reported as not run once their node's time of last run has passed.
   */
  waitsForStuck: boolean;
}

/** About an hour of retries before a failing flush is given up (and logged as an error). */
const FLUSH_ATTEMPTS = 130;
const FLUSH_BACKOFF: Backoff = { firstMs: 1000, maxMs: 30_000 };

/** How much longer than last time a node may take before its pending modules count as not run. */
const SLOWDOWN = 1.25;

export class RunTracker implements RunSink {
  private readonly open = new Map<number, OpenRun>();
  private readonly flushed = new Map<number, { since: number }>();
  private readonly alertTimers = new Map<number, { timer: NodeJS.Timeout; triggers: Set<string> }>();
  private readonly chains = new Map<number, Promise<void>>();
  /** Alerts without plan id waiting for the one read of all plans in progress (names are few: the accepted ones). */
  private planless = { reading: false, names: new Set<string>(), triggers: new Set<string>() };
  private closed = false;
  /** Ends the waits between flush attempts when the service stops. */
  private readonly closing = new AbortController();

  constructor(private readonly deps: TrackerDeps) {}

  backupEvent(e: BackupEvent): void {
    this.serial(e.planId, () => this.onEvent(e));
  }

  alert(a: BackupAlert): void {
    if (a.status === 'resolved') {
      this.deps.log.info('alert resolved', { alert: a.name, plan: a.planId, node: a.node });
      return;
    }
    const trigger = a.source === 'poll' ? 'alertmanager' : 'webhook';
    if (a.kind === 'missing' && a.planId !== null) {
      // Times from outside are bounded: an alert cannot place a missed run in the future (issue #10).
      const nowMs = this.deps.clock.now();
      const expectedAt = Math.floor((a.startsAtMs > 0 && a.startsAtMs < nowMs ? a.startsAtMs : nowMs) / 1000);
      this.serial(a.planId, () =>
        this.flushWithRetry({ kind: 'missing', planId: a.planId!, expectedAt, modules: [], triggers: [trigger] }),
      );
      return;
    }
    if (a.planId !== null) {
      this.alertForPlan(a.planId, trigger);
      return;
    }
    // No plan id: the plans with a status newer than recent_window (seed behaviour). Alerts that
    // arrive while the plans are being read share that one read (issue #10: 12k of them in two
    // webhooks each started a read of every plan and exhausted the heap).
    this.planless.names.add(a.name);
    this.planless.triggers.add(trigger);
    if (this.planless.reading) return;
    this.planless.reading = true;
    void this.deps.readAllPlans().then(
      (snaps) => {
        const { names, triggers } = this.takePlanless();
        const floor = this.deps.clock.now() / 1000 - this.deps.recentWindowSeconds;
        const recent = snaps.filter((s) => [...s.statuses.values()].some((st) => st.end >= floor));
        this.deps.log.info('alert without plan id', {
          alert: [...names].join(','),
          plans: recent.map((s) => s.plan.id).join(',') || 'none',
        });
        for (const s of recent) for (const t of triggers) this.alertForPlan(s.plan.id, t);
      },
      (err: Error) => {
        this.takePlanless();
        this.deps.log.warning('cannot list plans for an alert without plan id', { error: err.message });
      },
    );
  }

  private takePlanless(): { names: Set<string>; triggers: Set<string> } {
    const { names, triggers } = this.planless;
    this.planless = { reading: false, names: new Set(), triggers: new Set() };
    return { names, triggers };
  }

  missing(planId: number, expectedAt: number, modules: string[]): void {
    this.serial(planId, () =>
      this.flushWithRetry({ kind: 'missing', planId, expectedAt, modules, triggers: ['schedule'] }),
    );
  }

  /** The watchdog's periodic check says a reminder may be due; a run in progress speaks for itself. */
  reminderDue(planId: number): void {
    if (this.open.has(planId) || this.alertTimers.has(planId)) return;
    this.serial(planId, () => this.flushWithRetry({ kind: 'reminder', planId, triggers: ['reminder'] }));
  }

  /**
   * The watchdog's tick (clock-driven): an open run past its plan's stuck time gets one "still
   * running" notice; its report still follows when it settles (or at max_run_seconds, not run).
   */
  checkStuck(): void {
    if (this.closed) return;
    const nowMs = this.deps.clock.now();
    for (const run of this.open.values()) {
      // Timers count real time; the clock may have jumped (a suspended machine, a test's clock).
      if (nowMs >= run.dueAtMs) {
        if (run.timer) clearTimeout(run.timer);
        this.serial(run.planId, () => this.flushRun(run));
        continue;
      }
      if (run.stuckNotified || !this.deps.stuckAfter) continue;
      this.serial(run.planId, async () => {
        const limit = await this.deps.stuckAfter!(run.planId);
        const nowS = this.deps.clock.now() / 1000;
        if (!limit || this.open.get(run.planId) !== run || run.stuckNotified) return;
        // Past max_run_seconds the settle timer reports it, with what never came as not run.
        if (nowS - run.since < limit.afterSeconds || nowS >= run.since + this.deps.maxRunSeconds) return;
        run.stuckNotified = true;
        this.deps.log.info('run still open', {
          plan: run.planId,
          since: run.since,
          pending: this.pendingOf(run).join(','),
        });
        const maximum = limit.maximumSeconds ? { maximumSeconds: limit.maximumSeconds } : {};
        const req = { planId: run.planId, since: run.since, usualSeconds: limit.usualSeconds, ...maximum };
        await this.flushWithRetry({ kind: 'stuck', ...req, triggers: [...run.triggers] });
      });
    }
  }

  /** Whether the plan has a stuck time (history or maximum); a failure to ask is a no. */
  private async canTellStuck(planId: number): Promise<boolean> {
    if (!this.deps.stuckAfter) return false;
    try {
      return (await this.deps.stuckAfter(planId)) !== null;
    } catch (err) {
      this.deps.log.warning('cannot read the usual run duration', { plan: planId, error: (err as Error).message });
      return false;
    }
  }

  private pendingOf(run: OpenRun): string[] {
    return [...run.expected].filter((m) => !run.reported.has(m));
  }

  /** After (re)connecting: events published meanwhile are lost, so rebuild open runs from Redis. */
  async reconcile(): Promise<void> {
    const snaps = await this.deps.readAllPlans();
    const floor = this.deps.clock.now() / 1000 - this.deps.recentWindowSeconds;
    for (const snap of snaps) {
      const statuses = snap.modules
        .map((m) => [m.id, snap.statuses.get(m.id)] as const)
        .filter((x): x is readonly [string, ModuleStatus] => !!x[1]);
      const since = inferRunStart(
        statuses.map(([, s]) => s),
        this.deps.maxRunSeconds,
      );
      if (since === null || !statuses.some(([, s]) => s.end >= floor)) continue;
      const inRun = statuses.filter(([, s]) => inRunWindow(s.start, since, this.deps.maxRunSeconds)).map(([id]) => id);
      this.serial(snap.plan.id, async () => {
        let run = this.open.get(snap.plan.id);
        if (!run) {
          run = this.openRun(snap, since);
          run.waitsForStuck = await this.canTellStuck(snap.plan.id);
        }
        for (const id of inRun) run.reported.add(id);
        run.triggers.add('reconcile');
        this.schedule(run);
      });
    }
  }

  /** Stops timers and waits for work in progress. Open runs are not flushed half-done: reconcile() rebuilds them at the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort(new DOMException('the service is stopping', 'AbortError'));
    for (const a of this.alertTimers.values()) clearTimeout(a.timer);
    this.alertTimers.clear();
    for (const run of [...this.open.values()]) if (run.timer) clearTimeout(run.timer);
    await Promise.allSettled([...this.chains.values()]);
  }

  private serial(planId: number, fn: () => Promise<void>): void {
    // The chain is forgotten once its last piece of work is done: plan ids from alerts are not bounded.
    const next: Promise<void> = (this.chains.get(planId) ?? Promise.resolve())
      .then(fn)
      .catch((err: Error) => this.deps.log.error('run tracking failed', { plan: planId, error: err.message }))
      .finally(() => {
        if (this.chains.get(planId) === next) this.chains.delete(planId);
      });
    this.chains.set(planId, next);
  }

  private async onEvent(e: BackupEvent): Promise<void> {
    const status = await this.deps.readStatus(e.nodeId, e.planId, e.moduleId);
    if (!status) {
      this.deps.log.warning('event without status', { plan: e.planId, node: e.nodeId, module: e.moduleId });
      return;
    }
    // A status without a trusted time (dated in the future, unreadable: issue #25) is placed at
    // the time its event arrived.
    const start = status.start > 0 ? status.start : Math.floor(this.deps.clock.now() / 1000);
    let run = this.open.get(e.planId);
    if (!run) {
      const snap = await this.deps.readPlan(e.planId);
      if (!snap) {
        this.deps.log.info('event for a plan that no longer exists', { plan: e.planId, module: e.moduleId });
        return;
      }
      const prev = this.flushed.get(e.planId);
      const late = prev && inRunWindow(start, prev.since, this.deps.maxRunSeconds);
      run = this.openRun(snap, late ? prev.since : start);
      if (late) run.triggers.add('late result');
      run.waitsForStuck = await this.canTellStuck(e.planId);
    }
    if (!run.expected.has(e.moduleId)) {
      this.deps.log.info('event for a module not in the plan', { plan: e.planId, module: e.moduleId });
      if (run.reported.size === 0 && !run.timer) this.open.delete(e.planId);
      return;
    }
    run.since = Math.min(run.since, start);
    run.reported.add(e.moduleId);
    run.triggers.add('backup event');
    this.deps.log.debug('module reported', {
      plan: e.planId,
      module: e.moduleId,
      errors: status.errors,
      pending: run.expected.size - run.reported.size,
    });
    this.schedule(run);
  }

  private openRun(snap: PlanSnapshot, since: number): OpenRun {
    const live = snap.modules.filter((m) => m.node !== null);
    const previousSeconds = new Map<string, number>();
    for (const m of live) {
      const s = snap.statuses.get(m.id);
      if (s && s.start < since - START_TOLERANCE_S) previousSeconds.set(m.id, Math.max(0, s.end - s.start));
    }
    const run: OpenRun = {
      planId: snap.plan.id,
      since,
      expected: new Set(live.map((m) => m.id)),
      reported: new Set(),
      nodeOf: new Map(live.map((m) => [m.id, m.node!])),
      previousSeconds,
      triggers: new Set(),
      timer: null,
      dueAtMs: Number.POSITIVE_INFINITY,
      waitsForStuck: false,
    };
    this.open.set(snap.plan.id, run);
    const pendingAlert = this.alertTimers.get(snap.plan.id);
    if (pendingAlert) {
      clearTimeout(pendingAlert.timer);
      pendingAlert.triggers.forEach((t) => run.triggers.add(t));
      this.alertTimers.delete(snap.plan.id);
    }
    return run;
  }

  /** How long until the run may be reported. */
  settleDelayMs(run: OpenRun): number {
    const pending = [...run.expected].filter((m) => !run.reported.has(m));
    if (pending.length === 0) return 0;
    const busy = new Map<number, number>();
    for (const m of pending) {
      const n = run.nodeOf.get(m)!;
      busy.set(n, (busy.get(n) ?? 0) + (run.previousSeconds.get(m) ?? 0));
    }
    const slowest = Math.max(0, ...busy.values()) * SLOWDOWN;
    const nowMs = this.deps.clock.now();
    const cap = (run.since + this.deps.maxRunSeconds) * 1000 - nowMs;
    if (run.waitsForStuck) return Math.max(this.deps.waitSeconds * 1000, cap);
    return Math.max(this.deps.waitSeconds * 1000, Math.min((this.deps.waitSeconds + slowest) * 1000, cap));
  }

  private schedule(run: OpenRun): void {
    if (run.timer) clearTimeout(run.timer);
    if (this.closed) return;
    const delay = this.settleDelayMs(run);
    run.dueAtMs = this.deps.clock.now() + delay;
    run.timer = setTimeout(() => this.serial(run.planId, () => this.flushRun(run)), delay);
    run.timer.unref?.();
  }

  private async flushRun(run: OpenRun): Promise<void> {
    if (this.open.get(run.planId) !== run) return;
    this.open.delete(run.planId);
    this.flushed.set(run.planId, { since: run.since });
    const missing = [...run.expected].filter((m) => !run.reported.has(m));
    this.deps.log.info('run settled', {
      plan: run.planId,
      reported: run.reported.size,
      missing: missing.join(',') || undefined,
      triggers: [...run.triggers].join(','),
    });
    await this.flushWithRetry({ kind: 'run', planId: run.planId, since: run.since, triggers: [...run.triggers] });
  }

  /** A flush that fails (Redis restarting, replica loading) is tried again: a report is never dropped. */
  private async flushWithRetry(req: FlushRequest): Promise<void> {
    await retry(() => this.deps.flush(req), {
      backoff: FLUSH_BACKOFF,
      attempts: FLUSH_ATTEMPTS,
      signal: this.closing.signal,
      onRetry: (err, attempt) =>
        this.deps.log.warning('cannot report the run yet, retrying', {
          plan: req.planId,
          attempt,
          error: (err as Error).message,
        }),
    });
  }

  private alertForPlan(planId: number, trigger: string): void {
    const run = this.open.get(planId);
    if (run) {
      run.triggers.add(trigger);
      return;
    }
    const pending = this.alertTimers.get(planId);
    if (pending) {
      pending.triggers.add(trigger);
      return;
    }
    const triggers = new Set([trigger]);
    // Give the last modules time to write their status before reading (seed's wait_seconds).
    const timer = setTimeout(() => {
      this.alertTimers.delete(planId);
      if (this.open.has(planId)) {
        triggers.forEach((t) => this.open.get(planId)!.triggers.add(t));
        return;
      }
      this.serial(planId, () => this.flushWithRetry({ kind: 'run', planId, since: null, triggers: [...triggers] }));
    }, this.deps.waitSeconds * 1000);
    timer.unref?.();
    this.alertTimers.set(planId, { timer, triggers });
  }
}
