// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: maintenance windows (issue #24 item 3). A window opens at every match of a systemd
// OnCalendar expression (the plans' own schedule language, src/schedule/) and stays open
// `durationSeconds`; it covers one plan or, with planId null, every plan.
//
// What it does to a decision (notify/silence-store.ts throughSilence): a mail about a run that
// started inside a window, or decided while a window is open, is held. The run is still recorded
// and shown; because it was not told, the next run after the window is judged against what the
// admin last heard: it fails too -> mailed once ('first'), it succeeds -> nothing to tell.
// Reminders and held flap news about a run inside a window are held too until a new run comes:
// they would tell the held failure before the next run could say whether it still stands.
// The actions add-maintenance-window and remove-maintenance-window write `module/<id>/maintenance`
// (imageroot/pypkg/backup_monitor/silences.py); the service only reads it.
import { isNumber, type RecordShape } from '../domain/stored-record.js';
import { isCalendarError, parseCalendar, previousRun, type Calendar } from '../schedule/index.js';

/** The action's bounds for a window's length. */
export const MIN_WINDOW_SECONDS = 60;
export const MAX_WINDOW_SECONDS = 7 * 24 * 3600;

/** `module/<id>/maintenance` (HASH, field = window id, value = JSON). */
export interface MaintenanceWindow {
  id: string;
  /** systemd OnCalendar expression: when the window opens. */
  calendar: string;
  durationSeconds: number;
  /** The plan it covers, or null: every plan of the cluster. */
  planId: number | null;
  /** The cluster-admin user that added it (AGENT_TASK_USER), or "". */
  by: string;
  /** Unix s. */
  at: number;
  comment: string;
}

export const MAINTENANCE_WINDOW: RecordShape<MaintenanceWindow> = {
  name: 'maintenance window',
  problem(v) {
    if (typeof v.id !== 'string' || typeof v.calendar !== 'string') return 'window without id or calendar';
    if (
      !isNumber(v.durationSeconds) ||
      v.durationSeconds < MIN_WINDOW_SECONDS ||
      v.durationSeconds > MAX_WINDOW_SECONDS
    )
      return 'window length out of range';
    if (!(v.planId === null || (Number.isInteger(v.planId) && (v.planId as number) > 0)))
      return 'window plan not an id';
    if (typeof v.by !== 'string' || !isNumber(v.at) || typeof v.comment !== 'string')
      return 'window without who or when';
    return isCalendarError(parseCalendar(v.calendar)) ? 'calendar expression not understood' : null;
  },
};

/** Whether a window covers a plan. */
export const coversPlan = (w: MaintenanceWindow, planId: number): boolean => w.planId === null || w.planId === planId;

const calendars = new Map<string, Calendar | null>();
/** Parsed once per expression: the watchdog asks every minute. */
function calendarOf(expr: string): Calendar | null {
  if (!calendars.has(expr)) {
    const c = parseCalendar(expr);
    if (calendars.size > 1000) calendars.clear();
    calendars.set(expr, isCalendarError(c) ? null : c);
  }
  return calendars.get(expr) ?? null;
}

/** When the window open at `t` (unix s) opened, or null when it is closed then. */
export function openedAt(w: MaintenanceWindow, t: number, timeZone: string): number | null {
  const cal = calendarOf(w.calendar);
  const opened = cal && previousRun(cal, new Date(t * 1000), timeZone);
  if (!opened) return null;
  const s = Math.floor(opened.getTime() / 1000);
  return t < s + w.durationSeconds ? s : null;
}

/** The window of plan `planId` open at `t` (unix s), or null: is `t` inside a window of the plan? */
export function windowAt(
  windows: readonly MaintenanceWindow[],
  planId: number,
  t: number,
  timeZone: string,
): MaintenanceWindow | null {
  return windows.find((w) => coversPlan(w, planId) && openedAt(w, t, timeZone) !== null) ?? null;
}

/** The window holding news of a run that started at `runStart`, decided at `nowS`; null: none. */
export function windowHolding(
  windows: readonly MaintenanceWindow[],
  planId: number,
  runStart: number,
  nowS: number,
  timeZone: string,
): MaintenanceWindow | null {
  if (!windows.length) return null;
  return windowAt(windows, planId, runStart, timeZone) ?? windowAt(windows, planId, nowS, timeZone);
}

/** Records read from the HASH that are usable, sorted by id (stable listing). */
export const sortedWindows = (ws: Iterable<MaintenanceWindow>): MaintenanceWindow[] =>
  [...ws].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
