// SPDX-License-Identifier: GPL-3.0-or-later
// Display helpers for the status page: tag colours, sizes, dates and durations.

const OUTCOME_TAG = { SUCCESS: "green", PARTIAL: "magenta", REPO_FAILURE: "red", MISSING: "red" };
const RESULT_TAG = { success: "green", failed: "red", not_run: "warm-gray" };
const DELIVERY_TAG = { sent: "green", pending: "blue", failed: "red" };

export const outcomeTag = (outcome) => OUTCOME_TAG[outcome] || "gray";
export const resultTag = (result) => RESULT_TAG[result] || "gray";
export const deliveryTag = (status) => DELIVERY_TAG[status] || "gray";

/** Bytes in binary units, as restic prints them. */
export function formatBytes(bytes) {
  const n = Number(bytes);
  if (bytes === null || bytes === undefined || !Number.isFinite(n) || n < 0) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Unix seconds or ms (told by `unit`) -> localized date and time, "-" when absent. */
export function formatTime(value, locale, unit = "s") {
  if (value === null || value === undefined || value === "" || !Number.isFinite(Number(value))) return "-";
  const ms = unit === "s" ? Number(value) * 1000 : Number(value);
  return new Intl.DateTimeFormat(locale || "en", { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
}

/** Seconds between two unix-second stamps -> "1 h 2 min", "45 s"; "-" when unknown. */
export function formatElapsed(start, end) {
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return "-";
  let s = Math.round(end - start);
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const parts = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s || parts.length === 0) parts.push(`${s} s`);
  return parts.join(" ");
}
