// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the destination part of a report (issue #5), from the repository checks that
// src/repocheck/ classified: a plain-language verdict, the next step naming the NS8 UI place, one
// line per repository, and restic's own words quoted in a collapsible block. Secrets are masked
// again here and everything is escaped and bidi-isolated by the layout.
//
// What the check can and cannot know: it lists snapshots through NS8's read-backup-snapshots, so
// a readable repository proves the destination answers and accepts the credentials — not that
// every data pack is present. The words say exactly that.
import type { Language } from '../config.js';
import type { DestinationHealth, RepoCheck, RepoVerdict } from '../domain/destination.js';
import { redact } from '../secret.js';
import {
  clean,
  escapeHtml,
  formatBytes,
  formatDateTime,
  formatDuration,
  htmlValue,
  isolate,
  LINE_MAX,
} from './format.js';
import { heading, paragraph, raw, rich, type Block, type Line } from './layout.js';
import { fill, STRINGS, type ConfirmWords, type DestinationWords } from './strings.js';
import type { ModuleRow, RunReport } from '../domain/run.js';

export { type ConclusiveVerdict, conclusiveVerdict, confirmsRepositoryProblem } from '../domain/destination.js';

/** Lines of restic's message kept per repository (its last lines hold the Fatal one). */
const RAW_LINES = 12;

export interface DestinationOptions {
  timeZone?: string;
}

export const capitalize = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

function verdictText(w: DestinationWords, v: RepoVerdict, code?: string): string {
  const why = (v === 'error' || v === 'skipped') && code ? w.codes[code] : undefined;
  return why ? `${w.verdict[v]}: ${why}` : w.verdict[v];
}

/** The code that explains an `error` or `skipped` destination verdict. */
const reasonCode = (h: DestinationHealth) => h.checks.find((c) => c.verdict === h.verdict)?.code;

const label = (c: RepoCheck) => (c.uiName ? `${clean(c.uiName)} (${clean(c.moduleId)})` : clean(c.moduleId));

/** Age as cluster-admin prints durations, with days beyond a day: "2h 5m", "3d 4h". */
export function formatAge(seconds: number): string {
  if (seconds < 86400) return formatDuration(Math.max(0, seconds));
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}

function details(
  w: DestinationWords,
  c: RepoCheck,
  expectedRun: number | null,
  locale: string,
  timeZone: string,
): string[] {
  const date = (t: number) => formatDateTime(t, { timeZone, seconds: false });
  const out: string[] = [];
  if (c.snapshotCount !== null) {
    if (c.snapshotCount === 0 || c.latestSnapshot === null) out.push(w.noSnapshots);
    else {
      const size = c.totalBytes === null ? w.unknownSize : formatBytes(c.totalBytes, locale);
      out.push(
        (c.snapshotCount === 1 ? w.latestOne : w.latest)
          .replace('{when}', date(c.latestSnapshot))
          .replace('{count}', String(c.snapshotCount))
          .replace('{size}', size),
      );
    }
  }
  if (c.snapshotOutdated && expectedRun !== null && expectedRun > 0 && c.latestSnapshot !== null) {
    out.push(w.outdated.replace('{expected}', date(expectedRun)));
  }
  if (c.verdict === 'locked' && c.lockAgeSeconds !== null)
    out.push(w.lockAge.replace('{age}', formatAge(c.lockAgeSeconds)));
  return out;
}

/**
 * The destination part: a heading, then the verdict, the next step, the repositories checked and
 * restic's words. Checks skipped because of the destination-wide problem are not listed one by
 * one: the verdict already says why nothing else could be checked.
 */
export function destinationBlocks(h: DestinationHealth, lang: Language, o: DestinationOptions = {}): Block[] {
  const s = STRINGS[lang] ?? STRINGS.en;
  const w = s.destination;
  const timeZone = o.timeZone ?? 'UTC';
  const headline = capitalize(verdictText(w, h.verdict, reasonCode(h)));
  const note = h.verdict === 'healthy' && h.checks.some((c) => c.failedInRun) ? w.healthyButFailed : '';
  const shown = h.checks.filter((c) => c.code !== 'CHECK_SKIPPED_DESTINATION' || h.verdict === 'skipped');
  const lines: Line[] = shown.map((c) => {
    const role = c.failedInRun ? w.failedInRun : w.comparison;
    const verdict = c.verdict === 'healthy' ? w.readable : verdictText(w, c.verdict, c.code);
    const d = details(w, c, h.expectedRun ?? null, s.locale, timeZone);
    const rest = `, ${role}: ${verdict}${d.length ? ` (${d.join('; ')})` : ''}`;
    return { html: htmlValue(label(c)) + escapeHtml(rest), text: isolate(label(c)) + rest };
  });
  const blocks: Block[] = [
    heading(rich(w.title, { name: clean(h.destinationName || h.destinationId) })),
    paragraph({ html: `<strong>${escapeHtml(headline)}.</strong>`, text: `${headline}.` }),
  ];
  if (note) blocks.push(paragraph(note));
  const action = rich(w.action[h.verdict], { destination: clean(h.destinationName || h.destinationId) });
  blocks.push(
    paragraph({
      html: `<strong>${escapeHtml(w.nextStep)}:</strong> ${action.html}`,
      text: `${w.nextStep}: ${action.text}`,
    }),
  );
  if (lines.length) {
    const items = lines.map((l) => (typeof l === 'string' ? escapeHtml(l) : l.html));
    blocks.push(
      raw(
        `<div style="font-size:14px;line-height:20px;color:#161616;">${escapeHtml(w.checked)}:</div>` +
          `<ul style="margin:4px 0 0 0;padding:0 0 0 18px;font-size:14px;line-height:20px;color:#161616;">${items.map((i) => `<li>${i}</li>`).join('')}</ul>`,
        [`${w.checked}:`, ...lines.map((l) => `- ${typeof l === 'string' ? l : l.text}`)].join('\n'),
      ),
    );
  }
  for (const c of h.checks.filter((x) => x.rawError)) {
    const body = redact(c.rawError!)
      .split('\n')
      .map((l) => clean(l, LINE_MAX))
      .filter(Boolean)
      .slice(-RAW_LINES);
    const title = w.resticSaid.replace('{module}', label(c));
    blocks.push(
      raw(
        `<details><summary style="font-size:13px;color:#525252;cursor:pointer;">${escapeHtml(title)}</summary>` +
          `<div style="margin:4px 0 0 0;padding:6px 8px;border-left:3px solid #c6c6c6;background-color:#f4f4f4;color:#161616;` +
          `font-family:Menlo,Consolas,'Courier New',monospace;font-size:12px;line-height:17px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;">` +
          `${body.map((b) => `<span dir="auto">${escapeHtml(b)}</span>`).join('\n')}</div></details>`,
        [`${title}:`, ...body.map((b) => `> ${b}`)].join('\n'),
      ),
    );
  }
  return blocks;
}

/** The destination part alone, joined (tests, previews). */
export function renderDestination(
  h: DestinationHealth,
  lang: Language,
  o: DestinationOptions = {},
): { text: string; html: string } {
  const blocks = destinationBlocks(h, lang, o);
  return { text: blocks.map((b) => b.text).join('\n\n') + '\n', html: blocks.map((b) => b.html).join('\n') };
}

// Confirmed at the destination (issue #23): one line per application that is not plainly
// confirmed (what was seen and what it means), and a count of those that are.

const runLabel = (m: ModuleRow) => (m.uiName ? `${clean(m.uiName)} (${clean(m.moduleId)})` : clean(m.moduleId));

/** The words of one confirmation: the verdict's line, then the loss, if any. */
export function confirmationLines(m: ModuleRow, destination: string, lang: Language, timeZone: string): string[] {
  const c = m.confirmation;
  if (!c) return [];
  const s = STRINGS[lang] ?? STRINGS.en;
  const date = (t: number | null) => (t ? formatDateTime(t, { timeZone, seconds: false }) : s.confirm.none);
  const vars = {
    destination,
    since: date(c.since),
    latest: date(c.latestSnapshot),
    count: c.snapshotCount ?? 0,
    retention: c.retention,
    reason: (c.code && s.destination.codes[c.code]) || s.destination.verdict.error,
  };
  const out = [fill(s.confirm.seen[c.verdict], vars)];
  if (c.loss) out.push(fill(s.confirm.loss, { ...vars, before: c.loss.before, after: c.loss.after }));
  if (c.verdict === 'cleanup_failed' && c.cleanupStuck)
    out.push(fill(s.confirm.stuck, { ...vars, since: date(c.cleanupStuck.since), runs: c.cleanupStuck.runs }));
  return out;
}

/** The section: a heading, how many are confirmed, and a line for every other application. */
export function confirmationBlocks(run: RunReport, lang: Language, o: DestinationOptions = {}): Block[] {
  const rows = run.modules.filter((m) => m.confirmation);
  if (rows.length === 0) return [];
  const s = STRINGS[lang] ?? STRINGS.en;
  const destination = clean(run.destinationName || run.destinationId);
  const confirmed = rows.filter((m) => m.confirmation!.verdict === 'confirmed');
  const lines: Line[] = rows
    .filter((m) => !confirmed.includes(m) || m.confirmation!.loss)
    .map((m) => {
      const rest = `: ${confirmationLines(m, destination, lang, o.timeZone ?? 'UTC').join(' ')}`;
      return { html: htmlValue(runLabel(m)) + escapeHtml(rest), text: isolate(runLabel(m)) + rest };
    });
  const blocks: Block[] = [
    heading(rich(s.confirm.title, { destination })),
    paragraph(rich(s.confirm.summary, { confirmed: confirmed.length, total: rows.length, destination })),
  ];
  if (lines.length) {
    blocks.push(
      raw(
        `<ul style="margin:4px 0 0 0;padding:0 0 0 18px;font-size:14px;line-height:20px;color:#161616;">${lines.map((l) => `<li>${typeof l === 'string' ? escapeHtml(l) : l.html}</li>`).join('')}</ul>`,
        lines.map((l) => `- ${typeof l === 'string' ? l : l.text}`).join('\n'),
      ),
    );
  }
  return blocks;
}

/** What to do about the confirmations, cause first: one step per kind, naming the applications. */
export function confirmationSteps(run: RunReport, lang: Language, timeZone = 'UTC'): Line[] {
  const s = STRINGS[lang] ?? STRINGS.en;
  const destination = clean(run.destinationName || run.destinationId);
  const names = (rows: ModuleRow[]) => rows.map(runLabel).join(', ');
  const by = (f: (m: ModuleRow) => boolean) => run.modules.filter((m) => m.confirmation && f(m));
  const steps: Line[] = [];
  const kinds: [keyof ConfirmWords['steps'], ModuleRow[]][] = [
    ['unconfirmed', by((m) => m.confirmation!.verdict === 'unconfirmed')],
    ['loss', by((m) => !!m.confirmation!.loss)],
    ['cleanup_failed', by((m) => m.confirmation!.verdict === 'cleanup_failed' && !m.confirmation!.cleanupStuck)],
    ['stuck', by((m) => m.confirmation!.verdict === 'cleanup_failed' && !!m.confirmation!.cleanupStuck)],
  ];
  // "since" for the stuck step: the earliest of them, the longest the repository has grown.
  const stuckSince = Math.min(...run.modules.map((m) => m.confirmation?.cleanupStuck?.since ?? Infinity));
  const since = Number.isFinite(stuckSince) ? formatDateTime(stuckSince, { timeZone, seconds: false }) : '';
  for (const [kind, rows] of kinds)
    if (rows.length)
      steps.push(
        rich(s.confirm.steps[kind], { modules: names(rows), destination, planName: clean(run.planName), since }),
      );
  return steps;
}
