// SPDX-License-Identifier: GPL-3.0-or-later
// PURE formatting helpers shared by the report and its HTML.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Everything that comes from Redis, alerts or restic goes through this before reaching HTML. */
export const escapeHtml = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Header values: no CR/LF (no header injection), no control characters, bounded length. */
export const headerSafe = (s: string, max = 200): string =>
  s.replace(/[\r\n\t\x00-\x1f\x7f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);

export function formatBytes(n: number | null, locale: string): string {
  if (n === null) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n; let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: u === 0 ? 0 : 1 }).format(v)} ${units[u]}`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || seconds < 0) return '–';
  const h = Math.floor(seconds / 3600); const m = Math.floor((seconds % 3600) / 60); const s = seconds % 60;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min ${s} s`;
  return `${s} s`;
}

export function formatTime(unixSeconds: number | null, locale: string, timeZone: string): string {
  if (unixSeconds === null) return '–';
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone, timeZoneName: 'short',
  }).format(new Date(unixSeconds * 1000));
}

export const formatCount = (n: number | null, locale: string) => (n === null ? '–' : new Intl.NumberFormat(locale).format(n));
