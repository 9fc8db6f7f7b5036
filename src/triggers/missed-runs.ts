// SPDX-License-Identifier: GPL-3.0-or-later
// Missed-run watchdog (NS8.md §9.3). Nothing in NS8 records a run that did not happen (node down,
// timer lost), so periodically, for every enabled plan: T = last calendar match <= now - grace in
// the configured zone; if no module of the plan has a status that started at or after T (minus a
// tolerance for clock skew), the run at T is MISSING and is reported once.
// Choices:
// - A run where SOME modules ran is not missing: its own report (from events) lists the modules
//   that did not run. MISSING means nothing of the plan ran, so one run never gets two stories.
// - A plan first seen (or whose schedule changed, or that was re-enabled) after T is skipped:
//   nobody promised that run. What was seen and reported is kept in `module/<id>/watchdog`
//   so a restart neither re-reports nor forgets.
// - An expression outside the supported syntax is logged once and skipped, never guessed.
// The same tick asks the tracker for reminders and held flap news (notify/decide.ts pendingNotice).
import type { PlanSnapshot } from '../domain/backup.js';
import { WATCH_RECORD, type PlanState, type WatchRecord } from '../domain/records.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { Periodic } from '../periodic.js';
import { checkPlan, nextRunOf, observe, type Verdict, type WatchOptions } from '../schedule/watch.js';
import { pendingNotice, type ReminderOptions } from '../notify/decide.js';
import { isProblem } from '../domain/outcome.js';
import type { RunSink } from './types.js';
import { parseRecord, silent, versioned, type RecordWarn } from '../domain/stored-record.js';

export interface WatchStore {
  load(): Promise<Map<number, WatchRecord>>;
  save(planId: number, rec: WatchRecord): Promise<void>;
}

export interface WatchdogDeps {
  readPlans(): Promise<PlanSnapshot[]>;
  /** Plan states as the record store keeps them; used for reminders. */
  readPlanState(planId: number): Promise<PlanState | undefined>;
  store: WatchStore;
  sink: Pick<RunSink, 'missing'> & {
    reminderDue?(planId: number): void;
    /** A failing plan with no reminder due: its snooze may have run out (issue #24, notify/reminders.ts). */
    stillFailing?(planId: number): void;
    /** Once per tick, after the plans: open runs may be stuck (issue #24, the run tracker). */
    tick?(): void;
  };
  clock: Clock;
  log: Logger;
  intervalMs: number;
  watch: WatchOptions;
  reminder: Omit<ReminderOptions, 'nowMs'>;
}

export class MissedRunWatchdog {
  private records: Map<number, WatchRecord> | null = null;
  private readonly warned = new Set<string>();
  private readonly periodic = new Periodic(
    () => this.tick(),
    () => this.deps.intervalMs,
  );

  constructor(private readonly deps: WatchdogDeps) {}

  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass over all plans; errors (Redis down) are logged and the next tick retries. */
  async tick(): Promise<Verdict[]> {
    try {
      this.records ??= await this.deps.store.load();
      const snaps = await this.deps.readPlans();
      const verdicts: Verdict[] = [];
      for (const snap of snaps) verdicts.push(await this.checkOne(snap));
      this.deps.sink.tick?.();
      return verdicts;
    } catch (err) {
      this.deps.log.warning('missed-run check failed, will retry', { error: (err as Error).message });
      return [];
    }
  }

  private async checkOne(snap: PlanSnapshot): Promise<Verdict> {
    const nowS = Math.floor(this.deps.clock.now() / 1000);
    const id = snap.plan.id;
    const prev = this.records!.get(id);
    const rec = observe(prev, snap, nowS);
    const v = checkPlan(snap, rec, nowS, this.deps.watch);
    // Changes once per run, so the record is written once per run (below).
    rec.nextRunAt = nextRunOf(snap, nowS, this.deps.watch.timeZone);
    if (v.kind === 'bad-schedule' && !this.warned.has(snap.plan.schedule)) {
      this.warned.add(snap.plan.schedule);
      this.deps.log.warning('schedule not understood: missed runs of this plan are not detected', {
        plan: id,
        error: v.error,
      });
    }
    if (v.kind === 'missing') {
      this.deps.log.info('scheduled run missing', {
        plan: id,
        expected_at: new Date(v.expectedAt * 1000).toISOString(),
        modules: v.modules.join(','),
      });
      this.deps.sink.missing(id, v.expectedAt, v.modules);
      rec.reported = v.expectedAt;
    }
    if (JSON.stringify(rec) !== JSON.stringify(prev)) {
      await this.deps.store.save(id, rec);
      this.records!.set(id, rec);
    }
    if (snap.plan.enabled) await this.remind(id);
    return v;
  }

  private async remind(planId: number): Promise<void> {
    if (!this.deps.sink.reminderDue) return;
    const state = await this.deps.readPlanState(planId);
    if (!state) return;
    if (pendingNotice(state, { ...this.deps.reminder, nowMs: this.deps.clock.now() }) !== 'none')
      this.deps.sink.reminderDue(planId);
    else if (isProblem(state.lastOutcome)) this.deps.sink.stillFailing?.(planId);
  }
}

/** EDGE: the store on the module's own HASH (module credentials, leader); `warn` names a record left out. */
export function redisWatchStore(
  writer: {
    hGetAll(k: string): Promise<Record<string, string>>;
    hSet(k: string, f: string, v: string): Promise<unknown>;
  },
  key: string,
  warn: RecordWarn = silent,
): WatchStore {
  return {
    async load() {
      const out = new Map<number, WatchRecord>();
      for (const [f, v] of Object.entries(await writer.hGetAll(key))) {
        const rec = parseRecord(WATCH_RECORD, v, `${key} ${f}`, warn);
        if (rec) out.set(Number(f), rec); // one left out is rebuilt as for a plan first seen
      }
      return out;
    },
    async save(planId, rec) {
      await writer.hSet(key, String(planId), JSON.stringify(versioned(rec)));
    },
  };
}
