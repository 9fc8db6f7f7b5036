// SPDX-License-Identifier: GPL-3.0-or-later
// Maintenance windows on the Settings page (issue #24 item 3): the pure part. The actions are
// add-maintenance-window, remove-maintenance-window and list-silences (imageroot/actions/); a
// window opens at every match of a systemd OnCalendar expression and stays open its duration,
// for one plan or every plan. Its next start and whether it is open now come from the service's
// own schedule code (src/schedule/), in the zone list-silences names: the page and the service
// cannot disagree on when a window is open.
import { isCalendarError, nextRun, parseCalendar, previousRun } from "../../../src/schedule/index.ts";
import { toSeconds } from "./duration.js";
import { scheduleInWords } from "./plan-notifications.js";

/** The action's bounds (add-maintenance-window validate-input.json, silences.py). */
export const MIN_WINDOW_SECONDS = 60;
export const MAX_WINDOW_SECONDS = 7 * 24 * 3600;
/** The form's "every plan" choice (no plan_id in the request). */
export const ALL_PLANS = "all";

/** A window's calendar in words; `HH:MM` is `HH:MM:00`, as systemd reads it. */
export function windowInWords(calendar) {
  const raw = String(calendar || "").trim();
  const words = scheduleInWords(raw.replace(/(^|\s)(\d{2}:\d{2})$/, "$1$2:00"));
  return words.key === "plans.custom_schedule" ? { key: words.key, params: { expr: raw || "–" } } : words;
}

const unixS = (date) => (date ? Math.floor(date.getTime() / 1000) : null);

/**
 * When a window next opens after `nowS` and, when it is open at `nowS`, until when (unix s; null
 * when closed). Open as the service decides it (src/notify/maintenance.ts openedAt): from the
 * latest opening at or before now, for its duration.
 */
export function windowTimes(window, nowS, timeZone) {
  const cal = parseCalendar(String(window.calendar || ""));
  if (isCalendarError(cal)) return { nextStart: null, openUntil: null };
  const at = new Date(nowS * 1000);
  const opened = unixS(previousRun(cal, at, timeZone));
  const end = opened === null ? null : opened + window.duration_seconds;
  return { nextStart: unixS(nextRun(cal, at, timeZone)), openUntil: end !== null && nowS < end ? end : null };
}

/**
 * list-silences output -> the rows the page lists: cluster-wide windows first, then by plan, each
 * group by next start. `plans` ([{id, name}], get-configuration) names the plans.
 */
export function windowRows(output, plans, nowS) {
  const zone = (output && output.time_zone) || "UTC";
  const names = new Map((plans || []).map((p) => [p.id, p.name]));
  const rows = ((output && output.maintenance_windows) || []).map((w) => ({
    ...w,
    words: windowInWords(w.calendar),
    planName: w.plan_id === null ? null : names.get(w.plan_id) || `#${w.plan_id}`,
    ...windowTimes(w, nowS, zone),
  }));
  const group = (r) => (r.plan_id === null ? 0 : r.plan_id);
  const next = (r) => (r.nextStart === null ? Infinity : r.nextStart);
  return rows.sort((a, b) => group(a) - group(b) || next(a) - next(b));
}

/** An empty form: a weekly-looking example is the helper text, not a value. */
export const emptyWindowForm = () => ({
  calendar: "",
  duration: { value: "2", unit: "hours" },
  plan: ALL_PLANS,
  comment: "",
});

/**
 * add-maintenance-window's input from the form: {data} or {errors: {field: i18n key}}. Only what
 * needs no grammar is checked here; the calendar is the action's to judge (one grammar, its
 * validation error lands on the field).
 */
export function windowRequest(form) {
  const errors = {};
  const calendar = String(form.calendar || "").trim();
  if (!calendar) errors.calendar = "maintenance.error_calendar_required";
  const seconds = toSeconds(form.duration);
  if (!Number.isInteger(seconds) || seconds < MIN_WINDOW_SECONDS || seconds > MAX_WINDOW_SECONDS)
    errors.duration_seconds = "maintenance.error_duration_range";
  if (Object.keys(errors).length) return { errors };
  const data = { calendar, duration_seconds: seconds };
  if (form.plan !== ALL_PLANS) data.plan_id = Number(form.plan);
  if (String(form.comment || "").trim()) data.comment = String(form.comment).trim();
  return { data };
}

const FIELDS = ["calendar", "duration_seconds", "plan_id", "comment"];
const CODES = {
  calendar_not_understood: "maintenance.error_calendar_not_understood",
  window_length_out_of_range: "maintenance.error_duration_range",
  unknown_plan: "maintenance.error_unknown_plan",
  window_never_opens: "maintenance.error_window_never_opens",
  window_always_open: "maintenance.error_window_always_open",
  too_many_windows: "maintenance.error_too_many_windows",
};

/**
 * validation-failed entries of add-maintenance-window -> {field: i18n key}, like the Settings
 * page: the action's own codes (silences.py) and the schema's (`<field>_<rule>`) land on their
 * field; anything else on `form`.
 */
export function mapWindowErrors(entries) {
  const errors = {};
  for (const e of entries || []) {
    const field = String((e && (e.field || e.parameter)) || "");
    const slot = FIELDS.includes(field) ? field : "form";
    const key =
      CODES[e && e.error] ||
      (slot === "duration_seconds" ? "maintenance.error_duration_range" : "maintenance.error_invalid");
    if (!errors[slot]) errors[slot] = key;
  }
  return errors;
}
