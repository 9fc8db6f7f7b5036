// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: RunReport + reason + language -> the mail's subject, plain text and HTML.
//
// The order is the one an administrator reading on a phone needs (issue #13): a coloured banner
// with outcome, plan and time window; for anything but success, what to do; the counts; one row
// per application with its details stacked under it (module · node, times, size against its
// usual size, the error lines from the cluster logs, the last good backup); the plan's recent
// record; the destination check; the small print.
import type { Language } from '../config.js';
import type { NotifyReason } from '../domain/records.js';
import { OUTCOME_TABLE } from '../domain/outcome.js';
import type { ModuleRow, RunReport } from '../domain/run.js';
import { ERROR_LINES_MAX } from './bound.js';
import { destinationBlocks } from './destination.js';
import {
  clean,
  formatBytes,
  formatChange,
  formatCount,
  formatDateTime,
  formatDuration,
  formatWindow,
  headerSafe,
  isolate,
  LINE_MAX,
  NAME_MAX,
} from './format.js';
import {
  appRow,
  banner,
  footer,
  heading,
  notice,
  page,
  paragraph,
  rich,
  summary,
  type Block,
  type Count,
  type Line,
  type Tone,
} from './layout.js';
import { STRINGS, type Strings } from './strings.js';

export interface RenderOptions {
  language: Language;
  subjectPrefix: string;
  timeZone: string;
  moduleId: string;
  /** Unix s of the first failing run of the current streak, if any. */
  failingSince?: number | null;
  /** Seconds the cluster logs were given (for the one line when they did not answer in time). */
  logBudgetSeconds?: number;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Rows printed per kind before "… and N more" (the mail stays readable and bounded). */
export const MAX_PROBLEM_ROWS = 100;
export const MAX_SAVED_ROWS = 30;

const name = (m: ModuleRow) => clean(m.uiName || m.moduleId);
const warned = (m: ModuleRow) => m.result === 'success' && (m.anomalies?.length ?? 0) > 0;
// A status not taken at face value (issue #25) is a result, even without a trusted time.
const hasStatus = (run: RunReport) =>
  run.modules.some((m) => m.start !== null || m.statusProblem !== undefined) && run.start > 0;

function nodeLabel(id: number | null, nodeName: string, s: Strings): string {
  if (id === null) return '-';
  return nodeName
    ? s.nodeNamed.replace('{node}', clean(nodeName)).replace('{id}', String(id))
    : s.node.replace('{id}', String(id));
}

export function subjectOf(run: RunReport, reason: NotifyReason, o: RenderOptions): string {
  const s = STRINGS[o.language];
  const failed = run.modules.filter((m) => m.result !== 'success').length;
  let head = reason === 'recovered' ? s.recovered : s.headline[run.outcome];
  if (reason === 'reminder') head = `${s.reminder}: ${head}`;
  const count =
    run.outcome === 'PARTIAL'
      ? ` (${s.failedCount.replace('{failed}', String(failed)).replace('{total}', String(run.modules.length))})`
      : run.outcome === 'WARNING'
        ? ` (${s.warningCount.replace('{count}', String(run.modules.filter(warned).length))})`
        : '';
  const upd = reason === 'update' ? ` [${s.update}]` : '';
  const prefix = headerSafe(o.subjectPrefix, 100);
  return headerSafe(`${prefix} ${head}: ${isolate(clean(run.planName, NAME_MAX))}${count}${upd}`.trim(), 250);
}

const zoned = (o: RenderOptions) => ({ timeZone: o.timeZone, zoneName: true });

function introOf(run: RunReport, reason: NotifyReason, s: Strings, o: RenderOptions): string {
  const base =
    !hasStatus(run) && run.outcome !== 'MISSING' && run.outcome !== 'SUCCESS'
      ? s.noStatusIntro
      : reason === 'reminder' && run.outcome === 'WARNING'
        ? s.warningReminder
        : (s.intro[reason] ?? s.intro.default[run.outcome]);
  const expected = formatDateTime(run.start, { ...zoned(o), seconds: false });
  const since =
    o.failingSince && run.outcome !== 'SUCCESS' && o.failingSince > 0 && o.failingSince < run.start
      ? ' ' + s.failingSince.replace('{since}', formatDateTime(o.failingSince, { ...zoned(o), seconds: false }))
      : '';
  const stale =
    run.staleSince && run.staleSince > 0
      ? ' ' + s.stale.replace('{since}', formatDateTime(run.staleSince, { ...zoned(o), seconds: false }))
      : '';
  return base.replace('{expected}', expected) + since + stale;
}

/** Advice by outcome: which node's log to read, what to check, where in cluster-admin. */
export function nextSteps(run: RunReport, s: Strings, o: Pick<RenderOptions, 'timeZone'>): Line[] {
  const byNode = (rows: ModuleRow[]) => {
    const m = new Map<string, string[]>();
    for (const r of rows) {
      const node = String(r.node ?? '?');
      m.set(node, [...(m.get(node) ?? []), r.uiName ? `${clean(r.uiName)} (${clean(r.moduleId)})` : clean(r.moduleId)]);
    }
    return m;
  };
  const common = { plan: run.planId, planName: clean(run.planName), destination: clean(run.destinationName) };
  if (run.outcome === 'MISSING') {
    return [
      rich(s.steps.missing, {
        ...common,
        nodes: run.nodes.map((n) => n.id).join(', ') || '-',
        expected: formatDateTime(run.start, { timeZone: o.timeZone, zoneName: true, seconds: false }),
      }),
    ];
  }
  if (!hasStatus(run) && run.outcome !== 'SUCCESS') return [s.steps.noStatus];
  const steps: Line[] = [];
  // A status dated in the future or unreadable is not a failed backup: its own advice, per node.
  for (const problem of ['clock_ahead', 'unreadable'] as const) {
    const rows = run.modules.filter((r) => r.statusProblem === problem);
    for (const [node, mods] of byNode(rows)) {
      const r = rows.find((x) => String(x.node ?? '?') === node)!;
      steps.push(
        rich(s.statusProblemStep[problem], {
          ...common,
          node: nodeLabel(r.node, r.nodeName, s),
          modules: mods.join(', '),
        }),
      );
    }
  }
  const failed = run.modules.filter((r) => r.result === 'failed' && !r.statusProblem);
  for (const [node, mods] of byNode(failed)) {
    const lines = failed.some((r) => String(r.node ?? '?') === node && (r.errorLines?.length ?? 0) > 0);
    steps.push(rich(lines ? s.steps.failed : s.steps.failedNoLines, { ...common, node, modules: mods.join(', ') }));
  }
  for (const [node, mods] of byNode(run.modules.filter((r) => r.result === 'not_run')))
    steps.push(rich(s.steps.notRun, { ...common, node, modules: mods.join(', ') }));
  if (run.outcome === 'REPO_FAILURE') steps.push(rich(s.steps.allFailed, common));
  const warnings = run.modules.filter(warned);
  if (warnings.length) steps.push(rich(s.steps.warning, { modules: warnings.map((m) => name(m)).join(', ') }));
  return steps.length ? steps : [s.steps.none];
}

function bannerLines(run: RunReport, s: Strings, o: RenderOptions): Line[] {
  const plan = rich(s.planLine, {
    plan: clean(run.planName),
    destination: clean(run.destinationName || run.destinationId),
  });
  if (run.outcome === 'MISSING')
    return [plan, rich(s.expectedLine, { time: formatDateTime(run.start, { ...zoned(o), seconds: false }) })];
  if (!hasStatus(run))
    return [plan, rich(s.noStatusLine, { time: formatDateTime(run.seenAt ?? null, { ...zoned(o), seconds: false }) })];
  return [plan, formatWindow(run.start, run.end, zoned(o))];
}

function counts(run: RunReport, s: Strings): Count[] {
  const n = (r: ModuleRow['result']) => run.modules.filter((m) => m.result === r).length;
  const saved = n('success');
  const size = run.modules
    .filter((m) => m.result === 'success' && m.totalSize !== null)
    .reduce((a, m) => a + m.totalSize!, 0);
  const items: Count[] = [
    {
      label: s.counts.saved,
      value: `${saved}/${run.modules.length}`,
      tone: saved === run.modules.length && saved > 0 ? 'success' : undefined,
    },
  ];
  const w = run.modules.filter(warned).length;
  if (w) items.push({ label: s.counts.warnings, value: String(w), tone: 'warning' });
  items.push({ label: s.counts.failed, value: String(n('failed')), tone: n('failed') ? 'failure' : undefined });
  items.push({ label: s.counts.notRun, value: String(n('not_run')), tone: n('not_run') ? 'warning' : undefined });
  items.push({ label: s.counts.size, value: saved ? formatBytes(size, s.locale) : '-' });
  items.push({ label: s.counts.duration, value: hasStatus(run) ? formatDuration(run.end - run.start) : '-' });
  return items;
}

function moduleRow(run: RunReport, m: ModuleRow, s: Strings, o: RenderOptions): Block {
  const tone: Tone =
    m.result === 'failed' ? 'failure' : m.result === 'not_run' ? 'warning' : warned(m) ? 'warning' : 'success';
  const status = m.statusProblem ? s.statusProblem[m.statusProblem] : warned(m) ? s.warningResult : s.result[m.result];
  const details: Line[] = [];
  if (m.statusProblem)
    details.push(rich(s.statusProblemDetail[m.statusProblem], { node: nodeLabel(m.node, m.nodeName, s) }));
  const t = m.trend ?? null;
  if (m.start !== null && m.end !== null) {
    const secs = m.end - m.start;
    const usual = t?.medianSeconds ?? null;
    // The usual duration is worth a word only when this run took clearly longer or shorter.
    const unusual = usual !== null && usual > 0 && (secs > usual * 1.5 + 60 || secs < usual / 1.5 - 60);
    details.push(
      rich(unusual ? s.ranVsUsual : s.ran, {
        window: formatWindow(m.start, m.end, zoned(o)),
        duration: formatDuration(secs),
        median: formatDuration(usual),
      }),
    );
  }
  if (m.result === 'success') {
    const size = formatBytes(m.totalSize, s.locale);
    const files = formatCount(m.totalFileCount, s.locale);
    details.push(
      t && t.medianSize && t.runs > 0 && m.totalSize !== null
        ? rich(s.sizeVsUsual, {
            size,
            files,
            change: formatChange(m.totalSize / t.medianSize, s.locale),
            median: formatBytes(t.medianSize, s.locale),
          })
        : rich(s.size, { size, files }),
    );
    for (const a of m.anomalies ?? []) {
      details.push(
        rich(s.anomaly[a.kind], {
          size: formatBytes(a.value, s.locale),
          median: formatBytes(a.median, s.locale),
          runs: t?.runs ?? 0,
        }),
      );
    }
  }
  if (m.result === 'not_run') details.push(s.notRunDetail);
  if (m.result !== 'success') {
    const snap = run.destinationHealth?.checks.find((c) => c.moduleId === m.moduleId)?.latestSnapshot ?? null;
    if (snap) details.push(rich(s.lastGoodSnapshot, { time: formatDateTime(snap, { ...zoned(o), seconds: false }) }));
    else if (t?.lastSuccessAt)
      details.push(rich(s.lastGood, { time: formatDateTime(t.lastSuccessAt, { ...zoned(o), seconds: false }) }));
    else if (t) details.push(s.noLastGood);
  }
  const lines = (m.errorLines ?? [])
    .slice(-ERROR_LINES_MAX)
    .map((l) => clean(l, LINE_MAX))
    .filter(Boolean);
  if (lines.length) details.push(s.errorLinesTitle);
  return appRow({
    name: name(m),
    status,
    tone,
    details,
    quote: lines,
    meta: rich(s.meta, { module: clean(m.moduleId), node: nodeLabel(m.node, m.nodeName, s) }),
    data: { module: m.moduleId, result: warned(m) ? 'warning' : m.result },
  });
}

const ORDER: Record<string, number> = { failed: 0, not_run: 1, warning: 2, success: 3 };

function applications(run: RunReport, s: Strings, o: RenderOptions): Block[] {
  if (run.modules.length === 0) return [];
  const key = (m: ModuleRow) => ORDER[warned(m) ? 'warning' : m.result]!;
  const sorted = run.modules
    .map((m, i) => ({ m, i }))
    .sort((a, b) => key(a.m) - key(b.m) || a.i - b.i)
    .map((x) => x.m);
  const problems = sorted.filter((m) => key(m) < 3);
  const saved = sorted.filter((m) => key(m) === 3);
  const shown = [...problems.slice(0, MAX_PROBLEM_ROWS), ...saved.slice(0, MAX_SAVED_ROWS)];
  const blocks: Block[] = [heading(s.applications)];
  const failedRows = run.modules.some((m) => m.result === 'failed');
  if (failedRows && run.errorLog && run.errorLog !== 'ok') {
    blocks.push(
      paragraph(s.errorLog[run.errorLog].replace('{seconds}', String(o.logBudgetSeconds ?? '-')), { muted: true }),
    );
  }
  blocks.push(...shown.map((m) => moduleRow(run, m, s, o)));
  const more = run.modules.length - shown.length;
  if (more > 0) blocks.push(paragraph(rich(s.moreSaved, { more }), { muted: true }));
  return blocks;
}

function record(run: RunReport, s: Strings, o: RenderOptions): Block[] {
  const t = run.trend;
  if (!t || t.runs < 2) return [];
  const vars = {
    saved: t.saved,
    runs: t.runs,
    time: formatDateTime(t.lastFullSuccessAt, { ...zoned(o), seconds: false }),
  };
  const line =
    t.saved === t.runs && run.outcome === 'SUCCESS' ? s.recordAll : t.lastFullSuccessAt ? s.record : s.recordNoFull;
  return [paragraph(rich(line, vars), { muted: true })];
}

export function renderReport(run: RunReport, reason: NotifyReason, o: RenderOptions): RenderedMail {
  const s = STRINGS[o.language] ?? STRINGS.en;
  const subject = subjectOf(run, reason, o);
  const title = subjectOf(run, reason, { ...o, subjectPrefix: '' });
  let head = reason === 'recovered' ? s.recovered : s.headline[run.outcome];
  if (reason === 'reminder') head = `${s.reminder}: ${head}`;
  const tone = reason === 'recovered' ? 'success' : OUTCOME_TABLE[run.outcome].tone;
  const blocks: Block[] = [
    banner({ tone, title: head, lines: bannerLines(run, s, o) }),
    paragraph(introOf(run, reason, s, o)),
  ];
  if (run.outcome !== 'SUCCESS') blocks.push(notice({ tone, title: s.whatToDo, items: nextSteps(run, s, o) }));
  if (run.outcome !== 'MISSING') blocks.push(summary(counts(run, s)));
  blocks.push(...applications(run, s, o));
  blocks.push(...record(run, s, o));
  if (run.destinationHealth)
    blocks.push(...destinationBlocks(run.destinationHealth, o.language, { timeZone: o.timeZone }));
  blocks.push(footer([rich(s.footer, { module: o.moduleId }), rich(s.planId, { id: run.planId })]));
  const { html, text } = page({ lang: o.language, title, preheader: introOf(run, reason, s, o), blocks });
  return { subject, text, html };
}
