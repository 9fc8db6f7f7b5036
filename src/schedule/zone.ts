// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: wall-clock time in an IANA zone <-> instants, with Intl only (no tz database of our own).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** UTC offset of `timeZone` at instant `ms`, in ms (Europe/Rome in summer: +7 200 000). */
export function offsetAt(timeZone: string, ms: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** Local calendar date (as a UTC day number: days since 1970-01-01) of an instant. */
export function localDay(timeZone: string, ms: number): number {
  return Math.floor((ms + offsetAt(timeZone, ms)) / 86_400_000);
}

/**
 * Converts wall times of one local day to instants. systemd semantics (checked with
 * `systemd-analyze calendar --base-time`, systemd 252): a wall time skipped by a DST jump does
 * not fire that day; a wall time that occurs twice fires once, at its first occurrence.
 */
export interface DayConverter {
  toInstant(secondOfDay: number): number | null;
  /** Wall seconds of this day that can map to instants <= / >= `ms` lie below / above these bounds. */
  maxSecondFor(ms: number): number;
  minSecondFor(ms: number): number;
}

export function dayConverter(timeZone: string, day: number): DayConverter {
  const midnight = day * 86_400_000;
  const before = offsetAt(timeZone, midnight - 86_400_000);
  const after = offsetAt(timeZone, midnight + 2 * 86_400_000);
  const bounds = {
    maxSecondFor: (ms: number) => Math.floor((ms + Math.max(before, after) - midnight) / 1000),
    minSecondFor: (ms: number) => Math.ceil((ms + Math.min(before, after) - midnight) / 1000),
  };
  // Fast path, 363 days a year: no transition near this day.
  if (before === after && offsetAt(timeZone, midnight + 43_200_000) === before) {
    return { ...bounds, toInstant: (s) => midnight + s * 1000 - before };
  }
  return {
    ...bounds,
    toInstant: (s) => {
      const wall = midnight + s * 1000;
      const hits = [wall - before, wall - after].filter((t) => offsetAt(timeZone, t) === wall - t);
      return hits.length ? Math.min(...hits) : null;
    },
  };
}
