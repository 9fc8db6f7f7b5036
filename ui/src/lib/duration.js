// SPDX-License-Identifier: GPL-3.0-or-later
// Durations are stored and sent in seconds; admins read and type them in minutes, hours, days.

export const UNITS = [
  { id: "days", seconds: 86400 },
  { id: "hours", seconds: 3600 },
  { id: "minutes", seconds: 60 },
  { id: "seconds", seconds: 1 },
];

const unitSeconds = (unit) => (UNITS.find((u) => u.id === unit) || UNITS[3]).seconds;

/** Seconds -> {value, unit} in the largest unit that divides it exactly (0 -> minutes). */
export function splitDuration(seconds) {
  const s = Number(seconds);
  if (!Number.isFinite(s) || s <= 0) return { value: 0, unit: "minutes" };
  const unit = UNITS.find((u) => s % u.seconds === 0);
  return { value: s / unit.seconds, unit: unit.id };
}

/** {value, unit} -> integer seconds, or NaN when the value is not a non-negative number. */
export function toSeconds({ value, unit }) {
  const text = String(value).trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return NaN;
  return Math.round(Number(text) * unitSeconds(unit));
}

/** Seconds -> the shortest exact {value, unit}, for messages such as "at most 7 days". */
export function describeSeconds(seconds) {
  return splitDuration(seconds);
}
