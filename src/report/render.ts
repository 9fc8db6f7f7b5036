// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: RunReport + reason + language -> the mail's subject, plain text and HTML.
//
// The order is the one an administrator reading on a phone needs (issue #13): a coloured banner
// with outcome, plan and time window; for anything but success, what to do; the counts; one row
// per application with its details stacked under it (module · node, times, size against its
// usual size, the error lines from the cluster logs, the last good backup); the plan's recent
// record; the destination check; the small print.
import type { Language } from '../config.js';
import type { NotifyReason, StuckReason } from '../domain/records.js';
import { OUTCOME_TABLE } from '../domain/outcome.js';
import type { ModuleRow, RunReport } from '../domain/run.js';
import { ERROR_LINES_MAX } from './bound.js';
import { horizonStep } from './horizon.js';
import { sharedRetentionNotes, sharedRetentionSteps } from './shared-retention.js';
import {
  capitalize,
  conclusiveVerdict,
  confirmationBlocks,
  confirmationSteps,
  confirmsRepositoryProblem,
  destinationBlocks,
} from './destination.js';
import {
  clean,
  escapeHtml,
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
  raw,
  rich,
  summary,
  type Block,
  type Count,
  type Line,
  type Tone,
} from './layout.js';
import { fill, NOTICE_STRINGS, STRINGS, type NoticeWords, type Strings, type Units } from './strings.js';
import { planLink } from './plan-link.js';

export interface RenderOptions {
  language: Language;
  subjectPrefix: string;
  timeZone: string;
  moduleId: string;
  /** Unix s of the first failing run of the current streak, if any. */
  failingSince?: number | null;
  /** Seconds the cluster logs were given (for the one line when they did not answer in time). */
  logBudgetSeconds?: number;
  /** Issue #24: a mail with words of its own — a snooze's end, an escalation (strings NOTICE_STRINGS). */
  notice?: MailNotice | null;
  /** Issue #24 item 6: the cluster-admin address; when known, the mail links to the plan on the module's page. */
  clusterAdminUrl?: string | null;
}

export type MailNotice = 'snoozeEnded' | 'escalated';

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

/** "3 days", "5 hours", "40 minutes": the one unit an inbox line has room for. */
export function formatSpan(seconds: number, u: Units): string {
  const [n, unit] =
    seconds >= 2 * 86400
      ? [Math.floor(seconds / 86400), u.day]
      : seconds >= 3600
        ? [Math.floor(seconds / 3600), u.hour]
        : [Math.max(1, Math.floor(seconds / 60)), u.minute];
  return `${n} ${n === 1 ? unit[0] : unit[1]}`;
}

/**
 * How long the plan has been failing (reminder) or was down (recovered), after the plan's name.
 * A reminder's run was seen when the reminder was made (pipeline's withDiagnosis sets seenAt).
 */
function streakWords(run: RunReport, reason: NotifyReason, s: Strings, o: RenderOptions): string | null {
  const since = o.failingSince ?? 0;
  if (since <= 0 || (reason !== 'reminder' && reason !== 'recovered')) return null;
  const until = reason === 'reminder' ? (run.seenAt ?? run.end) : run.end || run.start;
  if (until - since < 60) return null;
  const words =
    reason === 'recovered'
      ? s.subjectSince.down
      : run.outcome === 'WARNING'
        ? s.subjectSince.warning
        : s.subjectSince.failing;
  return fill(words, { duration: formatSpan(until - since, s.units) });
}

/** The seed tool's words for this mail, as its subjects said them after the prefix. */
function seedWords(run: RunReport, reason: NotifyReason, s: Strings): string {
  const head = reason === 'recovered' ? s.recovered : s.headline[run.outcome];
  return reason === 'reminder' ? `${s.reminder}: ${head}` : head;
}

/**
 * State and plan first, so that both fit the ~40 characters a phone's inbox shows (issue #21),
 * then the details, then the prefix and the seed tool's words so existing mail filters still
 * match: "❌ Failed: Mail to NAS – failing for 3 days · [NS8 Backup] 🔁 Reminder: ❌ Backup failed – …".
 */
export function subjectOf(run: RunReport, reason: NotifyReason, o: RenderOptions): string {
  const s = STRINGS[o.language];
  const failed = run.modules.filter((m) => m.result !== 'success').length;
  const state = reason === 'recovered' ? s.subjectState.recovered : s.subjectState[run.outcome];
  const count =
    run.outcome === 'PARTIAL'
      ? s.failedCount.replace('{failed}', String(failed)).replace('{total}', String(run.modules.length))
      : run.outcome === 'WARNING'
        ? s.warningCount.replace('{count}', String(run.modules.filter(warned).length))
        : null;
  const words = [streakWords(run, reason, s, o), count].filter(Boolean).join(', ');
  const notice = o.notice ? NOTICE_STRINGS[o.language][o.notice].subject : '';
  const details = notice ? `${notice}${words ? `: ${words}` : ''}` : words;
  const tail = [headerSafe(o.subjectPrefix, 100), seedWords(run, reason, s)].filter(Boolean).join(' ');
  const upd = reason === 'update' ? ` [${s.update}]` : '';
  const plan = isolate(clean(run.planName, NAME_MAX));
  return headerSafe(`${state}: ${plan}${details ? ` – ${details}` : ''} · ${tail}${upd}`, 250);
}

/** The banner's title: no "possible" once the destination check confirmed a repository problem. */
function headlineOf(run: RunReport, reason: NotifyReason, s: Strings): string {
  const head =
    reason === 'recovered'
      ? s.recovered
      : run.outcome === 'REPO_FAILURE' && confirmsRepositoryProblem(run.destinationHealth)
        ? s.headlineConfirmed
        : s.headline[run.outcome];
  return reason === 'reminder' ? `${s.reminder}: ${head}` : head;
}

const zoned = (o: RenderOptions) => ({ timeZone: o.timeZone, zoneName: true });

function introOf(run: RunReport, reason: NotifyReason, s: Strings, o: RenderOptions): string {
  if (o.notice) return noticeIntro(run, o.notice, s, o) + ' ' + introOf(run, reason, s, { ...o, notice: null });
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

/** The notice's own first sentence (issue #24). */
function noticeIntro(run: RunReport, kind: MailNotice, s: Strings, o: RenderOptions): string {
  const until = run.seenAt ?? run.end ?? run.start;
  const duration = formatSpan(Math.max(0, until - (o.failingSince ?? until)), s.units);
  return fill(NOTICE_STRINGS[o.language][kind].intro, { plan: clean(run.planName, NAME_MAX), duration });
}

/** "Cloud (nextcloud1), Mail (mail1)". */
const labels = (rows: ModuleRow[]) =>
  rows.map((r) => (r.uiName ? `${clean(r.uiName)} (${clean(r.moduleId)})` : clean(r.moduleId))).join(', ');

/** "ns1 (node 1), node 2": each node of these rows once, in order. */
function nodesOf(rows: ModuleRow[], s: Strings): string {
  const seen = new Map<number, ModuleRow>();
  for (const r of rows) if (r.node !== null && !seen.has(r.node)) seen.set(r.node, r);
  return [...seen.values()].map((r) => nodeLabel(r.node, r.nodeName, s)).join(', ') || '-';
}

/** The fix for the destination check's conclusive verdict, naming the destination (issue #21). */
function causeStep(run: RunReport, s: Strings): Line | null {
  const v = conclusiveVerdict(run.destinationHealth);
  return v ? rich(capitalize(s.destination.action[v]), { destination: destinationOf(run) }) : null;
}

const destinationOf = (run: RunReport) =>
  clean(run.destinationHealth?.destinationName || run.destinationName || run.destinationId);

/**
 * Advice by outcome, the cause first: the destination check's fix when it found what is wrong,
 * then one bullet for the failed applications and one for those without a result (naming their
 * nodes), then where in cluster-admin to look.
 */
export function nextSteps(
  run: RunReport,
  s: Strings,
  o: Pick<RenderOptions, 'timeZone'> & Partial<Pick<RenderOptions, 'language'>>,
): Line[] {
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
  const cause = causeStep(run, s);
  // What the destination holds against what NS8 reported (issue #23) is a cause too.
  const steps: Line[] = [...(cause ? [cause] : []), ...confirmationSteps(run, o.language ?? 'en', o.timeZone ?? 'UTC')];
  // Issue #23 item 3: after a suspicious run, the date the plan's retention removes the last snapshot before it.
  const horizon = horizonStep(run, o.language ?? 'en', o.timeZone);
  if (horizon) steps.push(horizon);
  // Issue #23 item 2: another plan prunes the same repository; what it really keeps, and the fix.
  steps.push(...sharedRetentionSteps(run, o.language ?? 'en'));
  // A status dated in the future or unreadable is not a failed backup: its own advice, per node.
  for (const problem of ['clock_ahead', 'unreadable'] as const) {
    const rows = run.modules.filter((r) => r.statusProblem === problem);
    for (const node of new Set(rows.map((r) => r.node))) {
      const mods = rows.filter((r) => r.node === node);
      steps.push(
        rich(s.statusProblemStep[problem], {
          ...common,
          node: nodeLabel(mods[0]!.node, mods[0]!.nodeName, s),
          modules: labels(mods),
        }),
      );
    }
  }
  // A success the destination does not confirm has its own step above.
  const failed = run.modules.filter(
    (r) => r.result === 'failed' && !r.statusProblem && r.confirmation?.verdict !== 'unconfirmed',
  );
  if (failed.length) {
    const lines = failed.some((r) => (r.errorLines?.length ?? 0) > 0);
    steps.push(
      rich(lines ? s.steps.failed : s.steps.failedNoLines, {
        ...common,
        nodes: nodesOf(failed, s),
        modules: labels(failed),
      }),
    );
  }
  const notRun = run.modules.filter((r) => r.result === 'not_run');
  if (notRun.length)
    steps.push(rich(s.steps.notRun, { ...common, nodes: nodesOf(notRun, s), modules: labels(notRun) }));
  if (run.outcome === 'REPO_FAILURE' && !cause) steps.push(rich(s.steps.allFailed, common));
  // The destination's findings (issue #23) have their own steps above.
  const warnings = run.modules.filter(
    (m) => warned(m) && m.anomalies!.some((a) => a.kind !== 'cleanup_failed' && a.kind !== 'snapshots_deleted'),
  );
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
  // The cause on the second line, when the destination check found it (issue #21).
  const v = run.outcome === 'SUCCESS' ? null : conclusiveVerdict(run.destinationHealth);
  const cause = v ? [rich(s.steps.cause[v], { destination: destinationOf(run) })] : [];
  return [plan, ...cause, formatWindow(run.start, run.end, zoned(o))];
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
  const v = m.confirmation?.verdict;
  const status = m.statusProblem
    ? s.statusProblem[m.statusProblem]
    : v === 'unconfirmed' || v === 'cleanup_failed'
      ? s.confirm.result[v]
      : warned(m)
        ? s.warningResult
        : s.result[m.result];
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
  return appRow({
    name: name(m),
    status,
    tone,
    details,
    quote: lines,
    quoteTitle: s.errorLinesTitle,
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
  const head = headlineOf(run, reason, s);
  const tone = reason === 'recovered' ? 'success' : OUTCOME_TABLE[run.outcome].tone;
  const blocks: Block[] = [
    banner({ tone, title: head, lines: bannerLines(run, s, o) }),
    paragraph(introOf(run, reason, s, o)),
  ];
  if (run.outcome !== 'SUCCESS') blocks.push(notice({ tone, title: s.whatToDo, items: nextSteps(run, s, o) }));
  // Issue #23 item 4: a success still keeps less than its plan promises when another plan prunes its repository.
  else blocks.push(...sharedRetentionNotes(run, o.language).map((l) => paragraph(l)));
  // A problem's applications (with their error lines) come before the counts: the cause first, on
  // the first phone screen (issue #21). A success opens with its counts.
  const countsBlock = run.outcome === 'MISSING' ? [] : [summary(counts(run, s))];
  if (run.outcome === 'SUCCESS') blocks.push(...countsBlock, ...applications(run, s, o));
  else blocks.push(...applications(run, s, o), ...countsBlock);
  blocks.push(...record(run, s, o));
  if (run.destinationHealth)
    blocks.push(...destinationBlocks(run.destinationHealth, o.language, { timeZone: o.timeZone }));
  blocks.push(...confirmationBlocks(run, o.language, { timeZone: o.timeZone }));
  blocks.push(...planLinkBlocks(run, s, o));
  blocks.push(footer([rich(s.footer, { module: o.moduleId }), rich(s.planId, { id: run.planId })]));
  const { html, text } = page({ lang: o.language, title, preheader: introOf(run, reason, s, o), blocks });
  return { subject, text, html };
}

/** What a stuck-run notice says (issue #24 item 5). */
export interface StuckRun {
  /** Unix s the run started. */
  since: number;
  /** The plan's usual run duration (s), or null when unknown. */
  usualSeconds: number | null;
  /** Unix s after which the modules not reported count as not run (since + MAX_RUN_SECONDS). */
  maxAt: number;
  /** The maximum run duration (s) set for the plan that made it stuck; absent: its usual duration did. */
  maximumSeconds?: number;
}

/**
 * "Still running since …": state and plan first like every subject, then the prefix and the
 * seed-style words. `run` is the run as correlated so far; its applications not reported yet are
 * the ones waited for.
 */
export function renderStuck(run: RunReport, stuck: StuckRun, o: RenderOptions): RenderedMail {
  const s = STRINGS[o.language] ?? STRINGS.en;
  const w = NOTICE_STRINGS[o.language].stuck;
  const at = (t: number) => formatDateTime(t, { ...zoned(o), seconds: false });
  const plan = isolate(clean(run.planName, NAME_MAX));
  const vars = { plan: clean(run.planName, NAME_MAX), since: at(stuck.since), max: at(stuck.maxAt) };
  const details = fill(w.subject, vars);
  const tail = [headerSafe(o.subjectPrefix, 100), w.headline].filter(Boolean).join(' ');
  const subject = headerSafe(`${w.state}: ${plan} – ${details} · ${tail}`, 250);
  const waiting = run.modules.filter((m) => m.start === null).map(name);
  const intro = stuckIntro(stuck, w, vars);
  const blocks: Block[] = [
    banner({ tone: 'warning', title: w.headline, lines: bannerLines(run, s, o) }),
    paragraph(intro),
  ];
  if (waiting.length) blocks.push(paragraph(fill(w.waiting, { modules: waiting.join(', ') })));
  blocks.push(paragraph(fill(w.next, vars), { muted: true }));
  blocks.push(...planLinkBlocks(run, s, o));
  blocks.push(footer([rich(s.footer, { module: o.moduleId }), rich(s.planId, { id: run.planId })]));
  const title = headerSafe(`${w.state}: ${plan} – ${details}`, 250);
  const { html, text } = page({ lang: o.language, title, preheader: intro, blocks });
  return { subject, text, html };
}

/**
 * Which rule made the run stuck: the plan's maximum, or its usual duration (when known). The
 * mail's first sentence, and the channels' (channel-message.ts).
 */
export function stuckIntro(stuck: StuckReason, w: NoticeWords['stuck'], vars: Record<string, string>): string {
  if (stuck.maximumSeconds) return fill(w.introMaximum, { ...vars, maximum: formatDuration(stuck.maximumSeconds) });
  if (stuck.usualSeconds === null) return fill(w.introNoUsual, vars);
  return fill(w.intro, { ...vars, usual: formatDuration(stuck.usualSeconds) });
}

/**
 * Issue #24 item 6: "Open the plan" to its tile on the module's page (`?plan=<id>`), where a failing
 * plan is acknowledged or snoozed in one click; nothing when the cluster-admin address is unknown.
 */
function planLinkBlocks(run: RunReport, s: Strings, o: RenderOptions): Block[] {
  const url = planLink({ moduleId: o.moduleId, clusterAdminUrl: o.clusterAdminUrl }, run.planId);
  if (!url) return [];
  const hint = run.outcome === 'SUCCESS' ? '' : s.silenceHint;
  const a = `<a href="${escapeHtml(url)}" style="color:#0f62fe;font-weight:600;">${escapeHtml(s.openPlan)}</a>`;
  const html = hint ? `${a} <span style="color:#525252;">${escapeHtml(hint)}</span>` : a;
  const text = [`${s.openPlan}: ${url}`, hint].filter(Boolean).join('\n');
  return [raw(`<div style="font-size:14px;line-height:20px;">${html}</div>`, text)];
}
