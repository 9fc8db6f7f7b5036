// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the destination section of a report (issue #5): a plain-language verdict, the next step
// naming the NS8 UI place, one line per repository checked, and restic's own words in a quoted,
// collapsible block. Secrets are masked again here and everything in HTML is escaped.
import { redact } from '../secret.js';
import { STRINGS, type Strings } from './strings.js';
import type { DestinationHealth, RepoCheck } from './types.js';
import { escapeHtml } from '../report/format.js';

export interface SectionOptions {
  /** IANA zone for dates (the report's zone); default UTC. */
  timeZone?: string;
}

/** `title` is the section heading the report renderer prints; text and html follow it. */
export interface Section { title: string; text: string; html: string }

export function renderDestinationSection(h: DestinationHealth, lang: 'en' | 'it', opts: SectionOptions = {}): Section {
  const s = STRINGS[lang] ?? STRINGS.en;
  const f = formatters(lang, opts.timeZone ?? 'UTC');
  const title = s.title(h.destinationName || h.destinationId);
  const headline = capitalize(verdictText(s, h.verdict, reasonCode(h)));
  const note = h.verdict === 'healthy' && h.checks.some((c) => c.failedInRun) ? s.healthyButFailed : '';
  const next = `${s.nextStep}: ${s.action[h.verdict]}`;
  const lines = h.checks.map((c) => checkLine(s, f, c, h.expectedRun ?? null));
  const raws = h.checks.filter((c) => c.rawError).map((c) => ({ label: s.resticSaid(label(c)), body: redact(c.rawError!) }));
  return { title, text: toText(headline, note, next, s.checked, lines, raws), html: toHtml(headline, note, next, s.checked, lines, raws) };
}

const capitalize = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/** The code that explains an `error` or `skipped` destination verdict. */
function reasonCode(h: DestinationHealth): string | undefined {
  return h.checks.find((c) => c.verdict === h.verdict)?.code;
}

function verdictText(s: Strings, v: DestinationHealth['verdict'], code?: string): string {
  const why = (v === 'error' || v === 'skipped') && code ? s.codes[code] : undefined;
  return why ? `${s.verdict[v]}: ${why}` : s.verdict[v];
}

const label = (c: RepoCheck) => (c.uiName ? `${c.uiName} (${c.moduleId})` : c.moduleId);

interface Line { head: string; details: string[] }

function checkLine(s: Strings, f: Formatters, c: RepoCheck, expectedRun: number | null): Line {
  const role = c.failedInRun ? s.failedInRun : s.comparison;
  const details: string[] = [];
  if (c.snapshotCount !== null) {
    details.push(c.snapshotCount === 0 || c.latestSnapshot === null ? s.noSnapshots
      : s.latest(f.date(c.latestSnapshot), c.snapshotCount, c.totalBytes === null ? s.unknownSize : f.size(c.totalBytes)));
  }
  if (c.snapshotOutdated && expectedRun !== null && c.latestSnapshot !== null) details.push(s.outdated(f.date(expectedRun)));
  if (c.verdict === 'locked' && c.lockAgeSeconds !== null) details.push(s.lockAge(f.age(c.lockAgeSeconds)));
  const verdict = c.verdict === 'healthy' ? s.readable : verdictText(s, c.verdict, c.code);
  return { head: `${label(c)}, ${role}: ${verdict}`, details };
}

function toText(headline: string, note: string, next: string, checked: string, lines: Line[], raws: { label: string; body: string }[]): string {
  const out = [headline + '.', ...(note ? [note] : []), next, '', `${checked}:`];
  for (const l of lines) out.push(`- ${l.head}${l.details.length ? ` (${l.details.join('; ')})` : ''}`);
  for (const r of raws) out.push('', `${r.label}:`, ...r.body.split('\n').map((x) => `> ${x}`));
  return out.join('\n') + '\n';
}

function toHtml(headline: string, note: string, next: string, checked: string, lines: Line[], raws: { label: string; body: string }[]): string {
  const e = escapeHtml;
  const items = lines.map((l) => `<li>${e(l.head)}${l.details.length ? ` <span style="color:#525252">(${e(l.details.join('; '))})</span>` : ''}</li>`);
  const blocks = raws.map((r) => `<details><summary>${e(r.label)}</summary><blockquote style="margin:4px 0 8px 0;padding-left:8px;border-left:3px solid #c6c6c6"><pre style="white-space:pre-wrap;margin:0;font-size:12px">${e(r.body)}</pre></blockquote></details>`);
  return [
    '<div class="destination-health">',
    `<p style="margin:4px 0"><strong>${e(headline)}.</strong></p>`,
    ...(note ? [`<p style="margin:4px 0">${e(note)}</p>`] : []),
    `<p style="margin:4px 0"><strong>${e(next.slice(0, next.indexOf(':')))}:</strong>${e(next.slice(next.indexOf(':') + 1))}</p>`,
    `<p style="margin:8px 0 2px 0">${e(checked)}:</p>`,
    `<ul style="margin:0 0 8px 0">${items.join('')}</ul>`,
    ...blocks,
    '</div>',
  ].join('\n') + '\n';
}

interface Formatters { date(unixS: number): string; size(bytes: number): string; age(seconds: number): string }

function formatters(lang: 'en' | 'it', timeZone: string): Formatters {
  const locale = lang === 'it' ? 'it-IT' : 'en-GB';
  let dtf: Intl.DateTimeFormat;
  try { dtf = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }); } catch {
    dtf = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  }
  const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const day = lang === 'it' ? 'g' : 'd';
  return {
    date: (t) => dtf.format(new Date(t * 1000)),
    size: (b) => {
      const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
      let v = b; let i = 0;
      while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
      return `${num.format(v)} ${units[i]}`;
    },
    age: (sec) => {
      if (sec < 60) return `${Math.max(0, Math.round(sec))} s`;
      if (sec < 3600) return `${Math.floor(sec / 60)} min`;
      if (sec < 86400) return `${Math.floor(sec / 3600)} h ${Math.floor((sec % 3600) / 60)} min`;
      return `${Math.floor(sec / 86400)} ${day} ${Math.floor((sec % 86400) / 3600)} h`;
    },
  };
}
