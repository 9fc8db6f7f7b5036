// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: what makes outside text safe to put in a mail — HTML escaping, one-line headers, bounded
// lengths and isolated right-to-left text. Sizes and dates come from src/domain/format.ts, the
// formatter the admin page shares.
export {
  DASH,
  formatBytes,
  formatChange,
  formatCount,
  formatDate,
  formatDateTime,
  formatDuration,
  formatWindow,
} from '../domain/format.js';
import { stripInvisible } from '../domain/names.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Everything that comes from Redis, alerts, logs or restic goes through this before reaching HTML. */
export const escapeHtml = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Header values: no CR/LF (no header injection), no control characters, bounded length. */
export const headerSafe = (s: string, max = 200): string =>
  [
    ...s
      .replace(/[\r\n\t\x00-\x1f\x7f\u2028\u2029]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  ]
    .slice(0, max)
    .join('');

/** Longest name (plan, application, destination, node) a report prints, in characters. */
export const NAME_MAX = 120;
/** Longest log or error line a report prints, in characters. */
export const LINE_MAX = 300;

// Bidi controls (which can reorder what follows them: outside text is isolated as a whole
// instead), zero-width and other invisible characters go with domain/names.ts (issue #25);
// control characters here.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]|\ud802[\udc00-\udfff]|\ud83a[\udc00-\udfff]/;

/**
 * One line of outside text, made safe to print: no control or bidi-override characters, spaces
 * collapsed, at most `max` characters (code points, so no emoji is cut in half), "…" when cut.
 */
export function clean(s: unknown, max = NAME_MAX): string {
  // Only the head can be shown: cut first (a 200 kB name costs nothing), then clean.
  const flat = stripInvisible(String(s ?? '').slice(0, max * 4 + 64))
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(CONTROLS, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...flat];
  return chars.length <= max
    ? flat
    : `${chars
        .slice(0, Math.max(1, max - 1))
        .join('')
        .trimEnd()}…`;
}

/** True when the text holds right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko…). */
export const hasRtl = (s: string): boolean => RTL.test(s);

/**
 * Plain text (subject, text part): right-to-left text is wrapped in FIRST STRONG ISOLATE … POP
 * DIRECTIONAL ISOLATE, so a Hebrew plan name cannot reorder the sentence around it. Left-to-right
 * text is left as is.
 */
export const isolate = (s: string): string => (hasRtl(s) ? `\u2068${s}\u2069` : s);

/** HTML: an escaped value in its own direction-isolated span (`dir="auto"`). */
export const htmlValue = (s: string): string => `<span dir="auto">${escapeHtml(s)}</span>`;

/** Fills `{name}` placeholders: `value(v)` for the values, `literal(t)` for the template's own words. */
function fillWith(
  template: string,
  vars: Record<string, string | number>,
  value: (v: string) => string,
  literal: (t: string) => string,
): string {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    out += literal(template.slice(last, m.index));
    const v = vars[m[1]!];
    out += v === undefined ? literal(m[0]) : value(String(v));
    last = m.index! + m[0].length;
  }
  return out + literal(template.slice(last));
}

/** A sentence for the text part: values isolated when right-to-left. */
export const fillText = (template: string, vars: Record<string, string | number> = {}): string =>
  fillWith(template, vars, isolate, (t) => t);

/** A sentence for HTML: words escaped, values escaped and direction-isolated. */
export const fillHtml = (template: string, vars: Record<string, string | number> = {}): string =>
  fillWith(template, vars, htmlValue, escapeHtml);
