// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: what a chat or push channel says about a run report (issue #22 §3): short and decision
// first, in the report's language. Every channel (src/channels/<kind>/) formats this one model in
// its own markup and limits; the words come from here, so a channel adds no wording of its own.
// Plain text throughout: each channel escapes for its format.
import type { NotifyReason, ReportNotice, StoredReport } from '../domain/records.js';
import type { ModuleRow, RunReport } from '../domain/run.js';
import { OUTCOME_TABLE } from '../domain/outcome.js';
import { clean, formatDateTime, formatWindow, isolate } from './format.js';
import type { Line } from './layout.js';
import { nextSteps, stuckIntro, subjectOf, type RenderOptions } from './render.js';
import { planLink } from './plan-link.js';
import { sharedRetentionNotes, sharedRetentionSteps } from './shared-retention.js';
import { CHANNEL_NOTICE_STRINGS, fill, NOTICE_STRINGS, STRINGS } from './strings.js';

export { planLink } from './plan-link.js';

export interface ChannelMessage {
  /** State and plan first, as the mail's subject opens: "❌ Failed: Mail to NAS – 2 of 5 applications not saved". */
  title: string;
  /** For a channel's priority, colour or tags. A recovery is 'success'. */
  tone: 'success' | 'warning' | 'failure';
  /** The cause and the fix first, then the other steps ("What to do"); empty for a plain success. */
  steps: string[];
  /** "Saved 3/5 · Failed 2 · Not run 0". */
  counts: string;
  /** When the run ran, in the module's zone. */
  when: string;
  /** Heading of the steps, in the report's language ("What to do"). */
  stepsTitle: string;
  /** The plan on the module's page in cluster-admin, when its address is known; else null (see `open`). */
  link: string | null;
  /** How to open the plan when there is no link ("cluster-admin › Applications › backup-monitor1"). */
  open: string;
  /** The words of the link, or before `open` when there is none ("Open the plan"). */
  openLabel: string;
  /** For a channel's own tags and the signed webhook: stable names, never shown as words. */
  outcome: StoredReport['run']['outcome'];
  /** Issue #24: what the title leads with besides the run (a snooze's end, an escalation), or null. */
  notice: ReportNotice | null;
  reason: StoredReport['reason'];
  planId: number;
  reportId: string;
  language: StoredReport['language'];
}

export interface ChannelMessageOptions {
  timeZone: string;
  moduleId: string;
  /** The cluster-admin address (`https://leader.example.org/cluster-admin/`), when known. */
  clusterAdminUrl?: string | null;
  /** MAX_RUN_SECONDS: a stuck run's message says by when its silent applications count as not run. */
  maxRunSeconds?: number;
}

/** Steps printed at most: a chat message stays short; the mail has the rest. */
export const CHANNEL_STEPS_MAX = 3;

const count = (rows: readonly ModuleRow[], r: ModuleRow['result']) => rows.filter((m) => m.result === r).length;

export function channelMessage(report: StoredReport, o: ChannelMessageOptions): ChannelMessage {
  if (report.reason === 'stuck') return stuckMessage(report, o);
  const { run, reason, language } = report;
  const s = STRINGS[language];
  const notice = report.notice ?? null;
  // Issue #24: a snooze's end or an escalation in the title as in the mail's subject (its words lead).
  // Issue #22: a reminder or a recovery says how long the plan has failed, as the mail's subject does.
  const render = {
    language,
    subjectPrefix: '',
    timeZone: o.timeZone,
    moduleId: o.moduleId,
    notice,
    failingSince: report.failingSince ?? null,
  };
  const counts = [
    `${s.counts.saved} ${count(run.modules, 'success')}/${run.modules.length}`,
    `${s.counts.failed} ${count(run.modules, 'failed')}`,
    `${s.counts.notRun} ${count(run.modules, 'not_run')}`,
  ].join(' · ');
  return {
    title: titleOf(subjectOf(run, reason, render)),
    tone: reason === 'recovered' ? 'success' : OUTCOME_TABLE[run.outcome].tone,
    steps: stepsOf(run, reason, render),
    counts,
    when: formatWindow(run.start, run.end, { timeZone: o.timeZone, zoneName: true }),
    stepsTitle: s.whatToDo,
    link: planLink(o, run.planId),
    open: `cluster-admin › ${o.moduleId}`,
    openLabel: s.openPlan,
    outcome: run.outcome,
    notice,
    reason,
    planId: run.planId,
    reportId: report.id,
    language,
  };
}

const textOf = (l: Line): string => (typeof l === 'string' ? l : l.text);

/**
 * "What to do", at most CHANNEL_STEPS_MAX: a problem's own steps, the cause first, then (issue #23
 * item 2) a repository another plan prunes, in one short step where the mail may have one per
 * application: the line the mail gives a success when this plan keeps less than it promises, else
 * the mail's first step about it (this plan's smaller retention prunes the other's snapshots).
 */
function stepsOf(run: RunReport, reason: NotifyReason, render: RenderOptions): string[] {
  const problem = OUTCOME_TABLE[run.outcome].problem && reason !== 'recovered';
  const notes = sharedRetentionNotes(run, render.language).map(textOf);
  if (!problem) return notes.slice(0, 1);
  const long = sharedRetentionSteps(run, render.language).map(textOf);
  // A chat message has no error lines "below": the steps are chosen as for a run without them.
  const bare = { ...run, modules: run.modules.map((m) => ({ ...m, errorLines: [] })) };
  const all = nextSteps(bare, STRINGS[render.language], render).map(textOf);
  const own = all.filter((t) => !long.includes(t));
  // Only where the mail says it (a missed run's or a run without status's steps do not).
  const shared = all.length > own.length ? (notes.length ? notes : long).slice(0, 1) : [];
  return [...own.slice(0, CHANNEL_STEPS_MAX - shared.length), ...shared];
}

/** The subject without its tail (prefix and the seed tool's words): those serve mail filters only. */
function titleOf(subject: string): string {
  const cut = subject.lastIndexOf(' · ');
  return cut > 0 ? subject.slice(0, cut) : subject;
}

/**
 * Issue #24 item 5: a run still open long after its usual duration, in the words of the mail
 * (report/render.ts renderStuck): since when, who has not reported, that the report follows. Its
 * applications still at work are neither failed nor "not run" yet.
 */
function stuckMessage(report: StoredReport, o: ChannelMessageOptions): ChannelMessage {
  const { run, language } = report;
  const s = STRINGS[language];
  const w = NOTICE_STRINGS[language].stuck;
  const c = CHANNEL_NOTICE_STRINGS[language].stuck;
  const at = (t: number) => formatDateTime(t, { timeZone: o.timeZone, zoneName: true, seconds: false });
  const vars = { plan: clean(run.planName), since: at(run.start) };
  const waiting = run.modules.filter((m) => m.start === null);
  const steps = [
    ...(report.stuck ? [stuckIntro(report.stuck, w, vars)] : []),
    ...(waiting.length
      ? [fill(w.waiting, { modules: waiting.map((m) => clean(m.uiName || m.moduleId)).join(', ') })]
      : []),
    o.maxRunSeconds ? fill(w.next, { ...vars, max: at(run.start + o.maxRunSeconds) }) : c.nextNoMax,
  ];
  return {
    title: `${w.state}: ${isolate(clean(run.planName))} – ${fill(w.subject, vars)}`,
    tone: 'warning',
    steps,
    counts: [
      `${s.counts.saved} ${count(run.modules, 'success')}/${run.modules.length}`,
      `${s.counts.failed} ${count(run.modules, 'failed')}`,
      `${c.pending} ${waiting.length}`,
    ].join(' · '),
    when: formatWindow(run.start, null, { timeZone: o.timeZone, zoneName: true }),
    stepsTitle: c.stepsTitle,
    link: planLink(o, run.planId),
    open: `cluster-admin › ${o.moduleId}`,
    openLabel: s.openPlan,
    outcome: run.outcome,
    notice: null,
    reason: report.reason,
    planId: run.planId,
    reportId: report.id,
    language,
  };
}
