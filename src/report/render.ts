// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: RunReport + reason + language -> the mail's subject, plain text and HTML.
import type { Language } from '../config.js';
import type { NotifyReason } from '../domain/records.js';
import type { ModuleRow, RunReport } from '../domain/run.js';
import { escapeHtml as esc, formatBytes, formatCount, formatDuration, formatTime, headerSafe } from './format.js';
import { STRINGS, fill, type Strings } from './strings.js';

export interface RenderOptions {
  language: Language;
  subjectPrefix: string;
  timeZone: string;
  moduleId: string;
  /** Unix s of the first failing run of the current streak, if any. */
  failingSince?: number | null;
  /** Extra sections, e.g. the destination check (issue #5). Their html must be escaped already. */
  sections?: { title: string; text: string; html: string }[];
}

export interface RenderedMail { subject: string; text: string; html: string }

const label = (m: ModuleRow) => m.uiName || m.moduleId;
const nodeLabel = (id: number | null, name: string, s: Strings) =>
  id === null ? '–' : name ? `${name} (${id})` : fill(s.node, { id });

export function subjectOf(run: RunReport, reason: NotifyReason, o: RenderOptions): string {
  const s = STRINGS[o.language];
  const failed = run.modules.filter((m) => m.result !== 'success').length;
  let head = reason === 'recovered' ? s.recovered : s.headline[run.outcome];
  if (reason === 'reminder') head = `${s.reminder}: ${head}`;
  const count = run.outcome === 'PARTIAL' ? ` (${fill(s.failedCount, { failed, total: run.modules.length })})` : '';
  const upd = reason === 'update' ? ` [${s.update}]` : '';
  return headerSafe(`${o.subjectPrefix} ${head}: ${run.planName}${count}${upd}`.trim(), 250);
}

function introOf(run: RunReport, reason: NotifyReason, s: Strings, o: RenderOptions): string {
  const expected = formatTime(run.start, s.locale, o.timeZone);
  const base = s.intro[reason] ?? s.intro.default[run.outcome];
  const since = o.failingSince && run.outcome !== 'SUCCESS' && o.failingSince < run.start
    ? ' ' + fill(s.failingSince, { since: formatTime(o.failingSince, s.locale, o.timeZone) }) : '';
  const stale = run.staleSince ? ' ' + fill(s.stale, { since: formatTime(run.staleSince, s.locale, o.timeZone) }) : '';
  return fill(base, { expected }) + since + stale;
}

function facts(run: RunReport, s: Strings, o: RenderOptions): [string, string][] {
  const t = (x: number | null) => formatTime(x, s.locale, o.timeZone);
  const nodes = run.nodes.map((n) => nodeLabel(n.id, n.name, s)).join(', ') || '–';
  const rows: [string, string][] = [
    [s.fields.plan, `${run.planName} (ID ${run.planId})`],
    [s.fields.destination, run.destinationName],
    [s.fields.nodes, nodes],
  ];
  if (run.outcome === 'MISSING') return [...rows, [s.fields.expected, t(run.start)]];
  return [...rows, [s.fields.started, t(run.start)], [s.fields.finished, t(run.end)], [s.fields.duration, formatDuration(run.end - run.start)]];
}

function moduleCells(m: ModuleRow, s: Strings): string[] {
  const dur = m.start !== null && m.end !== null ? formatDuration(m.end - m.start) : '–';
  return [label(m), m.moduleId, nodeLabel(m.node, m.nodeName, s), s.result[m.result], dur,
    formatBytes(m.totalSize, s.locale), formatCount(m.totalFileCount, s.locale), formatCount(m.snapshotsCount, s.locale), formatCount(m.errors, s.locale)];
}

/** Advice by outcome: which node's log to read, what to check, where in cluster-admin. */
export function nextSteps(run: RunReport, s: Strings, o: RenderOptions): string[] {
  const steps: string[] = [];
  const byNode = (rows: ModuleRow[]) => {
    const m = new Map<string, string[]>();
    for (const r of rows) m.set(String(r.node ?? '?'), [...(m.get(String(r.node ?? '?')) ?? []), `${label(r)} (${r.moduleId})`]);
    return m;
  };
  const common = { plan: run.planId, planName: run.planName, destination: run.destinationName };
  if (run.outcome === 'MISSING') {
    return [fill(s.steps.missing, { ...common, nodes: run.nodes.map((n) => n.id).join(', '), expected: formatTime(run.start, s.locale, o.timeZone) })];
  }
  for (const [node, mods] of byNode(run.modules.filter((r) => r.result === 'failed'))) steps.push(fill(s.steps.failed, { ...common, node, modules: mods.join(', ') }));
  for (const [node, mods] of byNode(run.modules.filter((r) => r.result === 'not_run'))) steps.push(fill(s.steps.notRun, { ...common, node, modules: mods.join(', ') }));
  if (run.outcome === 'REPO_FAILURE') steps.push(fill(s.steps.allFailed, common));
  return steps.length ? steps : [s.steps.none];
}

const RESULT_COLOR: Record<ModuleRow['result'], string> = { success: '#198038', failed: '#da1e28', not_run: '#8a3800' };
const OUTCOME_COLOR: Record<RunReport['outcome'], string> = { SUCCESS: '#198038', PARTIAL: '#8a3800', REPO_FAILURE: '#da1e28', MISSING: '#8a3800' };

export function renderText(run: RunReport, reason: NotifyReason, o: RenderOptions): string {
  const s = STRINGS[o.language];
  const lines = [subjectOf(run, reason, { ...o, subjectPrefix: '' }), '', introOf(run, reason, s, o), ''];
  for (const [k, v] of facts(run, s, o)) lines.push(`${k}: ${v}`);
  lines.push('');
  const table = [s.columns, ...run.modules.map((m) => moduleCells(m, s))];
  const widths = s.columns.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  for (const r of table) lines.push(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const sec of o.sections ?? []) lines.push('', `${sec.title}`, '-'.repeat(sec.title.length), sec.text);
  lines.push('', s.nextSteps, '-'.repeat(s.nextSteps.length), ...nextSteps(run, s, o).map((x) => `- ${x}`));
  lines.push('', fill(s.footer, { module: o.moduleId }), fill(s.triggers, { triggers: run.triggers.join(', ') || '–' }));
  return lines.join('\n') + '\n';
}

export function renderHtml(run: RunReport, reason: NotifyReason, o: RenderOptions): string {
  const s = STRINGS[o.language];
  const cell = 'padding:4px 8px;border-bottom:1px solid #e0e0e0;text-align:left;';
  const factRows = facts(run, s, o).map(([k, v]) => `<tr><th style="${cell}">${esc(k)}</th><td style="${cell}">${esc(v)}</td></tr>`).join('');
  const head = s.columns.map((c) => `<th style="${cell}background:#f4f4f4;">${esc(c)}</th>`).join('');
  const body = run.modules.map((m) => {
    const cells = moduleCells(m, s).map((c, i) => `<td style="${cell}${i === 3 ? `color:${RESULT_COLOR[m.result]};font-weight:bold;` : ''}">${esc(c)}</td>`);
    return `<tr data-module="${esc(m.moduleId)}">${cells.join('')}</tr>`;
  }).join('\n');
  const sections = (o.sections ?? []).map((sec) => `<h3>${esc(sec.title)}</h3>\n${sec.html}`).join('\n');
  const steps = nextSteps(run, s, o).map((x) => `<li>${esc(x)}</li>`).join('');
  const title = subjectOf(run, reason, { ...o, subjectPrefix: '' });
  return `<!DOCTYPE html>
<html lang="${o.language}"><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#161616;max-width:900px;">
<h2 style="color:${OUTCOME_COLOR[run.outcome]};">${esc(title)}</h2>
<p>${esc(introOf(run, reason, s, o))}</p>
<table style="border-collapse:collapse;margin-bottom:16px;">${factRows}</table>
<table style="border-collapse:collapse;width:100%;" id="modules"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
${sections}
<h3>${esc(s.nextSteps)}</h3><ul>${steps}</ul>
<p style="color:#6f6f6f;font-size:12px;">${esc(fill(s.footer, { module: o.moduleId }))} ${esc(fill(s.triggers, { triggers: run.triggers.join(', ') || '–' }))}</p>
</body></html>
`;
}

export function renderReport(run: RunReport, reason: NotifyReason, o: RenderOptions): RenderedMail {
  return { subject: subjectOf(run, reason, o), text: renderText(run, reason, o), html: renderHtml(run, reason, o) };
}
