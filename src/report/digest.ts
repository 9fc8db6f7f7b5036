// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: DigestContent + language -> the digest mail's subject, plain text and HTML (issue #14).
// Same visual language as the run report: built from the report's layout blocks (layout.ts) —
// banner, summary tiles, a notice for the coverage gaps, one card per plan (`data-plan`, like the
// report's `data-module` cards), footer. Blocks escape every value that comes from Redis.
// Read in 10 seconds (issue #21): plans come worst first (content.ts), each with its STATE next
// to its name; an OK or disabled plan is that one line, a plan that needs attention gets a few
// lines of details; the run counts are told once, in the tiles.
import type { Language } from '../config.js';
import type { DigestContent, DigestPlanRow, Frequency } from '../domain/digest.js';
import type { RepoVerdict } from '../domain/destination.js';
import { PLAN_STATES } from '../domain/digest.js';
import { isOutcome, outcomeRow } from '../domain/outcome.js';
import { clean, formatBytes, formatDateTime, formatDuration, headerSafe, isolate, NAME_MAX } from './format.js';
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
  type Line,
  type Tone,
} from './layout.js';
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

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

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

/** The banner's title, and the subject's words after the prefix: "Daily backup digest: ⚠️ 2 of 6 plans need attention". */
function digestTitle(c: DigestContent, o: DigestRenderOptions): string {
  const s = DIGEST_STRINGS[o.language];
  const kind = o.sample ? s.subject.sample : s.subject[o.frequency];
  return `${kind}: ${digestHeadline(c, s)}`;
}

/** The worst enabled plan that needs attention (states in PLAN_STATES order), if any. */
function worstPlan(c: DigestContent): DigestPlanRow | undefined {
  const rank = (p: DigestPlanRow) => PLAN_STATES.indexOf(p.state);
  const needy = c.plans.filter((p) => p.enabled && rank(p) < PLAN_STATES.indexOf('ok'));
  return needy.reduce<DigestPlanRow | undefined>((w, p) => (w && rank(w) <= rank(p) ? w : p), undefined);
}

/**
 * State and plan first, as in the run reports (issue #21): the worst plan's state and name and how
 * many more need attention, then the prefix and the old words, so existing mail filters still match.
 */
export function digestSubject(c: DigestContent, o: DigestRenderOptions): string {
  const words = REPORT_STRINGS[o.language].subjectState;
  const worst = c.attention > 0 ? worstPlan(c) : undefined;
  const state = !worst ? words.allFine : isOutcome(worst.lastOutcome) ? words[worst.lastOutcome] : words.neverRan;
  const more = worst && c.attention > 1 ? ` +${c.attention - 1}` : '';
  const head = worst ? `${state}: ${isolate(clean(worst.name, NAME_MAX))}${more}` : state;
  const tail = [headerSafe(o.subjectPrefix, 100), digestTitle(c, o)].filter(Boolean).join(' ');
  return headerSafe(`${head} · ${tail}`, 250);
}

/** The word next to the plan's name: its state, never its notify policy. */
function stateWord(p: DigestPlanRow, s: DigestStrings): string {
  return p.state === 'failing' && p.lastOutcome === 'PARTIAL' ? s.state.partlyFailing : s.state[p.state];
}

/** "10 GiB (+1 GiB)"; null when the last run did not save everything (content.ts). */
function sizeWords(p: DigestPlanRow, s: DigestStrings): string | null {
  if (p.totalSize === null) return null;
  const size = formatBytes(p.totalSize, s.locale);
  return p.sizeChange === null ? size : fill(s.sizeChange, { size, change: signedBytes(p.sizeChange, s.locale) });
}

/** An OK plan's one line carries its size; every other state is the bare word. */
function statusOf(p: DigestPlanRow, s: DigestStrings): string {
  const size = p.state === 'ok' ? sizeWords(p, s) : null;
  return size ? `${stateWord(p, s)} · ${size}` : stateWord(p, s);
}

function destinationLine(p: DigestPlanRow, s: DigestStrings, o: DigestRenderOptions): Line {
  const name = p.destinationName;
  const line = p.health
    ? rich(s.destinationChecked, {
        name,
        verdict: verdictWords(p.health.verdict, o.language),
        at: day(p.health.at, s, o.timeZone),
      })
    : rich(s.destination, { name });
  const size = sizeWords(p, s);
  return size
    ? { html: `${line.html} · ${rich(s.size, { size }).html}`, text: `${line.text} · ${fill(s.size, { size })}` }
    : line;
}

/** Details for a plan that needs attention only: since when, its runs, its destination (3 lines). */
function details(p: DigestPlanRow, s: DigestStrings, o: DigestRenderOptions): Line[] {
  if (p.state === 'ok' || p.state === 'disabled') return [];
  if (p.state === 'never') return [destinationLine(p, s, o)];
  const since = p.state === 'warning' ? s.warningSince : s.failingSince;
  const when = [
    ...(p.failingSince === null ? [] : [fill(since, { since: day(p.failingSince, s, o.timeZone) })]),
    fill(s.lastSuccess, { at: day(p.lastSuccessAt, s, o.timeZone) }),
  ].join(' · ');
  const r = p.runs;
  const runs = r.saved + r.warnings + r.failed + r.missed === 0 ? s.noRuns : fill(s.runs, { ...r });
  return [when, fill(s.runsLine, { runs }), destinationLine(p, s, o)];
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
  const snoozed = snoozedLine(c, s, o);
  if (snoozed) lines.push(snoozed);
  lines.push(...acknowledgedLines(c, s, o));
  const maintenance = maintenanceLine(c, s);
  if (maintenance) lines.push(maintenance);
  return lines;
}

/** Issue #24: "Weekly SMB: acknowledged by admin on 2026-12-07 09:12 CET: NAS replaced." per plan. */
export function acknowledgedLines(c: DigestContent, s: DigestStrings, o: DigestRenderOptions): string[] {
  const w = s.acknowledged;
  return (c.acknowledged ?? []).map((a) => {
    const name = isolate(clean(a.name, NAME_MAX));
    const when = day(a.at, s, o.timeZone);
    const line = a.by ? fill(w.by, { name, who: isolate(clean(a.by, NAME_MAX)), when }) : fill(w.page, { name, when });
    const comment = clean(a.comment, COMMENT_MAX);
    return comment ? fill(w.withComment, { line, comment: isolate(comment) }) : fill(w.withoutComment, { line });
  });
}

/** The acknowledge-plan action allows 500 characters; a digest line shows them all. */
const COMMENT_MAX = 500;

/** Issue #24: "2 plans snoozed: Weekly SMB until 2026-12-11 08:00 CET, …" in every digest. */
export function snoozedLine(c: DigestContent, s: DigestStrings, o: DigestRenderOptions): string | null {
  const rows = c.snoozed ?? [];
  if (!rows.length) return null;
  const w = s.snoozed;
  const plans = rows.map((p) => {
    const name = isolate(clean(p.name, NAME_MAX));
    if (p.until === null) return fill(w.untilSuccess, { name });
    return fill(p.untilSuccess ? w.untilEither : w.until, { name, until: day(p.until, s, o.timeZone) });
  });
  return fill(rows.length === 1 ? w.one : w.other, { count: rows.length, plans: plans.join(', ') });
}

/** Issue #24 item 3: "2 maintenance windows: Sun 02:00 for 3h, every plan; Sat 03:00 for 1h 30m, Weekly SMB." */
export function maintenanceLine(c: DigestContent, s: DigestStrings): string | null {
  const rows = c.maintenance ?? [];
  if (!rows.length) return null;
  const w = s.maintenance;
  const windows = rows.map((r) => {
    const args = { calendar: isolate(clean(r.calendar, NAME_MAX)), duration: formatDuration(r.durationSeconds) };
    return r.planId === null
      ? fill(w.everyPlan, args)
      : fill(w.plan, { ...args, plan: isolate(clean(r.planName, NAME_MAX)) });
  });
  // "; " between windows: each one already has a comma before its plan.
  return fill(rows.length === 1 ? w.one : w.other, { count: rows.length, windows: windows.join('; ') });
}

/** Issue #23: one sentence per application whose repository several plans prune, then the fix; empty when none. */
export function sharedRetentionLines(c: DigestContent, s: DigestStrings): string[] {
  const rows = c.sharedRetention ?? [];
  if (!rows.length) return [];
  const w = s.sharedRetention;
  const lines = rows.map((r) =>
    fill(w.line, {
      app: isolate(clean(appLabel({ id: r.application, uiName: r.uiName }), NAME_MAX)),
      destination: isolate(clean(r.destinationName, NAME_MAX)),
      plans: r.plans
        .map((p) => fill(w.plan, { name: isolate(clean(p.name, NAME_MAX)), id: p.id, retention: p.retention }))
        .join(', '),
      kept: r.effectiveRetention,
    }),
  );
  return [...lines, w.fix];
}

/** Issue #23 item 4: one line per repository nobody here owns, then what to do for each kind; empty when none. */
export function unownedLines(c: DigestContent, s: DigestStrings, o: DigestRenderOptions): string[] {
  const rows = c.unowned ?? [];
  if (!rows.length) return [];
  const w = s.unowned;
  const lines = rows.map((r) =>
    fill(w[r.kind], {
      app: isolate(clean(appLabel({ id: r.moduleId || r.path, uiName: r.uiName }), NAME_MAX)),
      destination: isolate(clean(r.destinationName, NAME_MAX)),
      path: isolate(clean(r.path, NAME_MAX)),
      date: formatDateTime(r.lastBackupAt, { timeZone: o.timeZone, seconds: false }),
    }),
  );
  const fixes = [
    ...(rows.some((r) => r.kind === 'removed') ? [w.fixRemoved] : []),
    ...(rows.some((r) => r.kind === 'other_cluster') ? [w.fixOther] : []),
  ];
  return [...lines, ...fixes];
}

function toneOf(p: DigestPlanRow): Tone {
  if (p.state === 'disabled') return 'neutral';
  return p.lastOutcome === null ? 'warning' : outcomeRow(p.lastOutcome).tone;
}

/** The mail in h13's layout blocks (layout.ts): banner, summary tiles, one card per plan, gaps, footer. */
function blocks(c: DigestContent, o: DigestRenderOptions): { title: string; blocks: Block[] } {
  const s = DIGEST_STRINGS[o.language];
  const title = digestTitle(c, o);
  const intro = introLines(c, s, o);
  const gaps = gapLines(c, s);
  const out: Block[] = [
    banner({ tone: c.attention > 0 ? 'warning' : 'success', title, lines: [intro[0]!] }),
    ...intro.slice(1).map((l) => paragraph(l)),
    summary([
      { label: s.tiles.saved, value: String(c.totals.saved), tone: 'success' },
      { label: s.tiles.warnings, value: String(c.totals.warnings), tone: c.totals.warnings ? 'warning' : undefined },
      { label: s.tiles.failed, value: String(c.totals.failed), tone: c.totals.failed ? 'failure' : undefined },
      { label: s.tiles.missed, value: String(c.totals.missed), tone: c.totals.missed ? 'warning' : undefined },
    ]),
  ];
  if (gaps.length) out.push(notice({ tone: 'warning', title: s.gapsTitle, items: gaps }));
  const shared = sharedRetentionLines(c, s);
  if (shared.length) out.push(notice({ tone: 'warning', title: s.sharedRetention.title, items: shared }));
  const unowned = unownedLines(c, s, o);
  if (unowned.length) out.push(notice({ tone: 'warning', title: s.unowned.title, items: unowned }));
  out.push(heading(s.plansTitle));
  if (c.plans.length === 0) out.push(paragraph(s.noPlans));
  for (const p of c.plans) {
    out.push(
      appRow({
        name: planLabel(p),
        status: statusOf(p, s),
        tone: toneOf(p),
        details: details(p, s, o),
        data: { plan: String(p.id) },
      }),
    );
  }
  if (!gaps.length) out.push(heading(s.gapsTitle), paragraph(s.noGaps));
  out.push(footer([fill(s.footer, { module: o.moduleId })]));
  return { title, blocks: out };
}

export function renderDigestText(c: DigestContent, o: DigestRenderOptions): string {
  const b = blocks(c, o);
  return page({ lang: o.language, title: b.title, blocks: b.blocks }).text;
}

export function renderDigestHtml(c: DigestContent, o: DigestRenderOptions): string {
  const b = blocks(c, o);
  return page({
    lang: o.language,
    title: b.title,
    preheader: fill(DIGEST_STRINGS[o.language].totals, { ...c.totals }),
    blocks: b.blocks,
  }).html;
}

export function renderDigest(c: DigestContent, o: DigestRenderOptions): RenderedDigest {
  return { subject: digestSubject(c, o), text: renderDigestText(c, o), html: renderDigestHtml(c, o) };
}
