// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: DigestContent + language -> the digest mail's subject, plain text and HTML (issue #14).
// Same visual language as the run report (render.ts): a coloured headline, a short intro, a facts
// table, one row per plan (`data-plan` rows, like the report's `data-module` rows), then the
// coverage gaps and the footer. Everything that comes from Redis is escaped before reaching HTML.
import type { Language } from '../config.js';
import type { DigestContent, DigestPlanRow } from '../digest/content.js';
import type { Frequency } from '../digest/schedule.js';
import type { RepoVerdict } from '../repocheck/types.js';
import { escapeHtml as esc, formatBytes, formatDateTime, headerSafe } from './format.js';
import { fill, STRINGS as REPORT_STRINGS } from './strings.js';
import { DIGEST_STRINGS, type DigestStrings } from './digest-strings.js';

export interface DigestRenderOptions {
  language: Language;
  subjectPrefix: string;
  timeZone: string;
  moduleId: string;
  frequency: Exclude<Frequency, 'off'>;
  /** A sample sent from the Settings page. */
  sample?: boolean;
}

export interface RenderedDigest { subject: string; text: string; html: string }

const GOOD = '#198038';
const WARN = '#8a3800';
const BAD = '#da1e28';

function day(unixS: number | null, s: DigestStrings, timeZone: string): string {
  if (unixS === null) return s.never;
  return formatDateTime(unixS, { timeZone, zoneName: true, seconds: false });
}

function signedBytes(n: number | null, locale: string): string {
  if (n === null) return '–';
  if (n === 0) return '±0 B';
  return `${n > 0 ? '+' : '−'}${formatBytes(Math.abs(n), locale)}`;
}

function verdictWords(v: string, lang: Language): string {
  return REPORT_STRINGS[lang].destination.verdict[v as RepoVerdict] ?? v;
}

export function digestHeadline(c: DigestContent, s: DigestStrings): string {
  const total = c.plans.filter((p) => p.enabled).length;
  return c.attention > 0 ? fill(s.attention, { count: c.attention, total }) : s.allGood;
}

export function digestSubject(c: DigestContent, o: DigestRenderOptions): string {
  const s = DIGEST_STRINGS[o.language];
  const kind = o.sample ? s.subject.sample : s.subject[o.frequency];
  return headerSafe(`${o.subjectPrefix} ${kind}: ${digestHeadline(c, s)}`.trim(), 250);
}

function planCells(p: DigestPlanRow, s: DigestStrings, o: DigestRenderOptions): string[] {
  const r = p.runs;
  const runs = r.saved + r.warnings + r.failed + r.missed === 0 ? s.noRuns : fill(s.runs, { ...r });
  const name = `${p.name} (ID ${p.id})${p.enabled ? '' : ` – ${s.disabled}`} · ${s.policy[p.policy]}`;
  const health = p.health ? fill(s.health, { verdict: verdictWords(p.health.verdict, o.language), at: day(p.health.at, s, o.timeZone) }) : s.notChecked;
  return [name, p.destinationName, runs, day(p.lastSuccessAt, s, o.timeZone), p.failingSince === null ? s.notFailing : day(p.failingSince, s, o.timeZone),
    formatBytes(p.totalSize, s.locale), signedBytes(p.sizeChange, s.locale), health];
}

const appLabel = (a: { id: string; uiName: string }) => (a.uiName ? `${a.uiName} (${a.id})` : a.id);
const planLabel = (p: { id: number; name: string }) => `${p.name} (ID ${p.id})`;

/** The coverage-gap sentences; empty when there is none. */
export function gapLines(c: DigestContent, s: DigestStrings): string[] {
  const g = c.gaps;
  const lines: string[] = [];
  const none = g.unprotected.filter((a) => a.inDisabledPlans.length === 0);
  const onlyDisabled = g.unprotected.filter((a) => a.inDisabledPlans.length > 0);
  if (none.length) lines.push(fill(s.unprotected, { apps: none.map(appLabel).join(', ') }));
  if (onlyDisabled.length) lines.push(fill(s.unprotectedDisabled, { apps: onlyDisabled.map(appLabel).join(', ') }));
  if (g.disabledPlans.length) lines.push(fill(s.disabledPlans, { plans: g.disabledPlans.map(planLabel).join(', ') }));
  if (g.neverRan.length) lines.push(fill(s.neverRan, { plans: g.neverRan.map(planLabel).join(', ') }));
  return lines;
}

function introLines(c: DigestContent, s: DigestStrings, o: DigestRenderOptions): string[] {
  const lines = [fill(s.period, { from: day(c.from, s, o.timeZone), to: day(c.to, s, o.timeZone) }), s.intro];
  if (c.catchUp) lines.push(s.catchUp);
  if (o.sample) lines.push(s.sampleNote);
  lines.push(fill(s.totals, { ...c.totals }));
  return lines;
}

export function renderDigestText(c: DigestContent, o: DigestRenderOptions): string {
  const s = DIGEST_STRINGS[o.language];
  const lines = [digestSubject(c, { ...o, subjectPrefix: '' }), '', ...introLines(c, s, o), '', s.plansTitle, '-'.repeat(s.plansTitle.length)];
  if (c.plans.length === 0) lines.push(s.noPlans);
  for (const p of c.plans) {
    const cells = planCells(p, s, o);
    lines.push(`* ${cells[0]}`);
    for (let i = 1; i < cells.length; i++) lines.push(`  ${s.columns[i]}: ${cells[i]}`);
  }
  const gaps = gapLines(c, s);
  lines.push('', s.gapsTitle, '-'.repeat(s.gapsTitle.length), ...(gaps.length ? gaps.map((g) => `- ${g}`) : [s.noGaps]));
  lines.push('', fill(s.footer, { module: o.moduleId }));
  return lines.join('\n') + '\n';
}

function rowColor(p: DigestPlanRow): string {
  if (!p.enabled) return WARN;
  if (p.failingSince !== null || (p.lastOutcome !== null && p.lastOutcome !== 'SUCCESS' && p.lastOutcome !== 'WARNING')) return BAD;
  if (p.lastOutcome === 'WARNING' || p.lastOutcome === null) return WARN;
  return GOOD;
}

export function renderDigestHtml(c: DigestContent, o: DigestRenderOptions): string {
  const s = DIGEST_STRINGS[o.language];
  const cell = 'padding:4px 8px;border-bottom:1px solid #e0e0e0;text-align:left;vertical-align:top;';
  const head = s.columns.map((h) => `<th style="${cell}background:#f4f4f4;">${esc(h)}</th>`).join('');
  const body = c.plans.map((p) => {
    const cells = planCells(p, s, o).map((x, i) => `<td style="${cell}${i === 0 ? `border-left:4px solid ${rowColor(p)};font-weight:bold;` : ''}">${esc(x)}</td>`);
    return `<tr data-plan="${p.id}">${cells.join('')}</tr>`;
  }).join('\n');
  const gaps = gapLines(c, s);
  const title = digestSubject(c, { ...o, subjectPrefix: '' });
  return `<!DOCTYPE html>
<html lang="${o.language}"><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#161616;max-width:1000px;">
<h2 style="color:${c.attention > 0 ? WARN : GOOD};">${esc(title)}</h2>
${introLines(c, s, o).map((l) => `<p>${esc(l)}</p>`).join('\n')}
<h3>${esc(s.plansTitle)}</h3>
${c.plans.length ? `<table style="border-collapse:collapse;width:100%;" id="plans"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>` : `<p>${esc(s.noPlans)}</p>`}
<h3>${esc(s.gapsTitle)}</h3>
${gaps.length ? `<ul id="gaps">${gaps.map((g) => `<li>${esc(g)}</li>`).join('')}</ul>` : `<p id="gaps">${esc(s.noGaps)}</p>`}
<p style="color:#6f6f6f;font-size:12px;">${esc(fill(s.footer, { module: o.moduleId }))}</p>
</body></html>
`;
}

export function renderDigest(c: DigestContent, o: DigestRenderOptions): RenderedDigest {
  return { subject: digestSubject(c, o), text: renderDigestText(c, o), html: renderDigestHtml(c, o) };
}
