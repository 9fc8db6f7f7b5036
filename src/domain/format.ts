// SPDX-License-Identifier: GPL-3.0-or-later
// PURE, no imports: the one formatter of sizes, durations and dates, shared by the mail
// (src/report/) and the admin page (ui/src/lib/format.js imports this file through Vite).
//
// Units and shapes are those of NS8's cluster-admin, so a number in our mail is the number the
// administrator sees on the Backup page for the same backup:
// - sizes: binary units B/KiB/MiB/GiB/TiB, at most two decimals (ns8-ui-lib
//   src/lib-filters/filters.js `byteFormat`, used by core/ui BackupDetailsModal.vue);
// - durations: "1h 2m 3s", "0s" (same file, `secondsFormat`);
// - dates: "yyyy-MM-dd HH:mm:ss" (core/ui BackupDetailsModal.vue `| date("yyyy-MM-dd HH:mm:ss")`).
// Unknown values print as "-", as cluster-admin does. A time of 0 or less is unknown: no report
// ever says 1 January 1970.

export const DASH = '-';

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Sizes from 1 EiB (1024 PiB) up are not a backup (issue #25: `total_size: 1e308` printed 300
 * digits): they print as "> 1,024 PiB". Counts from 10^15 up print as "> 999,999,999,999,999".
 */
export const SIZE_CAP_BYTES = 2 ** 60;
export const COUNT_CAP = 1e15;

const finite = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '' || typeof v === 'boolean') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, maxFraction: number): Intl.NumberFormat {
  const key = `${locale}|${maxFraction}`;
  let f = numberFormats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { maximumFractionDigits: maxFraction });
    } catch {
      f = new Intl.NumberFormat('en', { maximumFractionDigits: maxFraction });
    }
    numberFormats.set(key, f);
  }
  return f;
}

/** Bytes in cluster-admin's binary units: 1536 -> "1.5 KiB", 228.4e9 -> "212.71 GiB". */
export function formatBytes(bytes: unknown, locale = 'en'): string {
  if (bytes === Infinity || (finite(bytes) ?? 0) >= SIZE_CAP_BYTES)
    return `> ${numberFormat(locale, 0).format(1024)} ${BINARY_UNITS.at(-1)}`;
  const n = finite(bytes);
  if (n === null || n < 0) return DASH;
  let v = n;
  let i = 0;
  while (v >= 1024 && i < BINARY_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${numberFormat(locale, i === 0 ? 0 : 2).format(v)} ${BINARY_UNITS[i]}`;
}

/** A count with the locale's grouping: 390102 -> "390,102" (en) / "390.102" (it). */
export function formatCount(n: unknown, locale = 'en'): string {
  if (n === Infinity || (finite(n) ?? 0) >= COUNT_CAP) return `> ${numberFormat(locale, 0).format(COUNT_CAP - 1)}`;
  const v = finite(n);
  return v === null ? DASH : numberFormat(locale, 0).format(v);
}

/** Seconds as cluster-admin prints durations: 3723 -> "1h 2m 3s", 0 -> "0s". */
export function formatDuration(seconds: unknown): string {
  const n = finite(seconds);
  if (n === null || n < 0) return DASH;
  const total = Math.round(n);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s) parts.push(`${s}s`);
  return parts.length ? parts.join(' ') : '0s';
}

/** A signed percentage change: 1.25 -> "+25%", 0.4 -> "−60%". */
export function formatChange(ratio: unknown, locale = 'en'): string {
  const r = finite(ratio);
  if (r === null || r < 0) return DASH;
  const pct = Math.round((r - 1) * 100);
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '±';
  return `${sign}${numberFormat(locale, 0).format(Math.abs(pct))}%`;
}

export interface DateOptions {
  /** IANA zone; default: the runtime's own zone (the browser's, on the admin page). */
  timeZone?: string;
  /** Append the zone's short name ("CEST"): mail readers may live in another zone. */
  zoneName?: boolean;
  /** Include seconds (default true, as cluster-admin). */
  seconds?: boolean;
  /** The value is in milliseconds (the service's own records) instead of seconds (NS8's). */
  ms?: boolean;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(timeZone: string | undefined, zoneName: boolean): Intl.DateTimeFormat {
  const key = `${timeZone ?? ''}|${zoneName}`;
  let f = dateFormats.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions = {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      ...(zoneName ? { timeZoneName: 'short' } : {}),
    };
    try {
      f = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone });
    } catch {
      f = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: 'UTC' });
    }
    dateFormats.set(key, f);
  }
  return f;
}

function dateParts(unix: unknown, o: DateOptions): Record<string, string> | null {
  const n = finite(unix);
  if (n === null || n <= 0) return null;
  const ms = o.ms ? n : n * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  const parts: Record<string, string> = {};
  for (const p of dateFormat(o.timeZone, !!o.zoneName).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return parts;
}

const clock = (p: Record<string, string>, seconds: boolean) => `${p.hour}:${p.minute}${seconds ? `:${p.second}` : ''}`;
const day = (p: Record<string, string>) => `${p.year}-${p.month}-${p.day}`;

/** Unix seconds (or ms with `ms`) -> "2026-08-09 03:00:01" [+ " CEST"]; unknown or ≤ 0 -> "-". */
export function formatDateTime(unix: unknown, o: DateOptions = {}): string {
  const p = dateParts(unix, o);
  if (!p) return DASH;
  const zone = o.zoneName && p.timeZoneName ? ` ${p.timeZoneName}` : '';
  return `${day(p)} ${clock(p, o.seconds !== false)}${zone}`;
}

/** Just the day: "2026-08-09". */
export function formatDate(unix: unknown, o: DateOptions = {}): string {
  const p = dateParts(unix, o);
  return p ? day(p) : DASH;
}

/**
 * A time window: "2026-08-09 03:00–03:19 CEST" on one day, both dates otherwise. Seconds are left
 * out (a window is read at a glance); an unknown end gives the start alone.
 */
export function formatWindow(startS: unknown, endS: unknown, o: DateOptions = {}): string {
  const a = dateParts(startS, o);
  if (!a) return DASH;
  const b = dateParts(endS, o);
  const zone = o.zoneName && a.timeZoneName ? ` ${a.timeZoneName}` : '';
  if (!b || (finite(endS) ?? 0) < (finite(startS) ?? 0)) return `${day(a)} ${clock(a, false)}${zone}`;
  if (day(a) === day(b)) {
    const end = clock(b, false) === clock(a, false) ? '' : `–${clock(b, false)}`;
    return `${day(a)} ${clock(a, false)}${end}${zone}`;
  }
  return `${day(a)} ${clock(a, false)} – ${day(b)} ${clock(b, false)}${zone}`;
}
