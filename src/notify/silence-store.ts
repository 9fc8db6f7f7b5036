// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the silences in `module/<id>/silences` (issue #24). The actions write them; the service
// reads them and removes what ended (notify/silence.ts).
import { parseRecord, silent, versioned, type RecordWarn } from '../domain/stored-record.js';
import type { Logger } from '../log.js';
import { moduleKeys, type NotifyReason, type PlanState } from '../domain/records.js';
import type { RunReport } from '../domain/run.js';
import { applySilence, SILENCE, type Silence } from './silence.js';
import { MAINTENANCE_WINDOW, sortedWindows, windowHolding, type MaintenanceWindow } from './maintenance.js';
import { MAILED, runStartOf } from './decide.js';

export interface SilenceStore {
  load(planId: number): Promise<Silence | undefined>;
  all(): Promise<Map<number, Silence>>;
  /** Stores what is left of a plan's silence once part of it ended; nothing left removes the field. */
  ended(planId: number, before: Silence | undefined, next: Silence): Promise<void>;
  /** The maintenance windows, cluster-wide and per plan (`module/<id>/maintenance`). */
  windows(): Promise<MaintenanceWindow[]>;
}

interface HashClient {
  hGet(k: string, f: string): Promise<string | null | undefined | object>;
  hGetAll(k: string): Promise<Record<string, string>>;
  hSet(k: string, f: string, v: string): Promise<unknown>;
  hDel(k: string, f: string): Promise<unknown>;
}

export function createSilenceStore(redis: HashClient, moduleId: string, warn: RecordWarn = silent): SilenceStore {
  const key = moduleKeys(moduleId).silences;
  const windowsKey = moduleKeys(moduleId).maintenance;
  const parse = (raw: string, planId: string) => parseRecord(SILENCE, raw, `${key} ${planId}`, warn) ?? undefined;
  return {
    async load(planId) {
      const raw = await redis.hGet(key, String(planId));
      return typeof raw === 'string' ? parse(raw, String(planId)) : undefined;
    },
    async all() {
      const out = new Map<number, Silence>();
      for (const [f, raw] of Object.entries(await redis.hGetAll(key))) {
        const s = parse(raw, f);
        if (s) out.set(Number(f), s);
      }
      return out;
    },
    async ended(planId, before, next) {
      // An administrator may have silenced the plan again since it was read: keep what they wrote.
      const raw = await redis.hGet(key, String(planId));
      const now = typeof raw === 'string' ? parse(raw, String(planId)) : undefined;
      if (JSON.stringify(now ?? null) !== JSON.stringify(before ?? null)) return;
      if (next.acknowledged || next.snoozed) await redis.hSet(key, String(planId), JSON.stringify(versioned(next)));
      else await redis.hDel(key, String(planId));
    },
    async windows() {
      const out: MaintenanceWindow[] = [];
      for (const [f, raw] of Object.entries(await redis.hGetAll(windowsKey))) {
        const w = parseRecord(MAINTENANCE_WINDOW, raw, `${windowsKey} ${f}`, warn);
        if (w) out.push(w);
      }
      return sortedWindows(out);
    },
  };
}

/**
 * The pipeline's step: the decision for a plan's run seen through its silence and the maintenance
 * windows (`timeZone` reads their calendars, as the plans' schedules), with what ended removed.
 * Redis failing here costs the silence, never the report.
 */
export async function throughSilence(
  store: SilenceStore,
  log: Logger,
  run: RunReport,
  reason: NotifyReason,
  nowS: number,
  isReminder: boolean,
  timeZone: string,
): Promise<{ reason: NotifyReason; snoozeEnded: boolean }> {
  const warn = (what: string) => (err: Error) =>
    log.warning(`cannot ${what} the plan's silence`, { error: err.message });
  const [silence, windows] = await Promise.all([
    store.load(run.planId).catch(warn('read')),
    store.windows().catch((err: Error) => {
      warn('read the maintenance windows of')(err);
      return [];
    }),
  ]);
  const s = applySilence(silence ?? undefined, run, reason, nowS, isReminder);
  const window = MAILED.has(s.reason) ? windowHolding(windows, run.planId, run.start, nowS, timeZone) : null;
  if (window) {
    // Held news stays news: what this run would end (a snooze announced, an acknowledgement
    // broken) is judged again by the first run or reminder after the window.
    log.info('mail held', { by: 'maintenance', window: window.id, reason });
    return { reason: isReminder ? 'duplicate' : 'muted', snoozeEnded: false };
  }
  if (s.ended.length) {
    log.info('silence ended', { ended: s.ended.join(',') });
    await store.ended(run.planId, silence ?? undefined, s.next).catch(warn('update'));
  }
  if (s.by) log.info('mail held', { by: s.by, reason });
  return { reason: s.reason, snoozeEnded: s.snoozeEnded };
}

/**
 * The watchdog's question before it asks for a reminder, held news or a snooze's end: would a
 * maintenance window hold that mail (throughSilence above: the plan's last run started inside a
 * window, or one is open now)? Answered from the plan state and the windows, two reads and no
 * correlation, so a failure held by a window is decided once, by its run, and then waits for the
 * next run instead of being correlated again at every tick (issue #24).
 */
export function windowHoldsReminders(
  store: Pick<SilenceStore, 'windows'>,
  planState: (planId: number) => Promise<PlanState | undefined>,
  timeZone: string,
): (planId: number, nowS: number) => Promise<boolean> {
  return async (planId, nowS) => {
    const windows = await store.windows();
    if (!windows.length) return false;
    const state = await planState(planId);
    const lastRunStart = state ? runStartOf(state.lastRunKey) : nowS;
    return windowHolding(windows, planId, lastRunStart, nowS, timeZone) !== null;
  };
}
