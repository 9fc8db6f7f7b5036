// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: what the admin page's trends draw of a plan, kept ready by the service (issue #20):
// `module/<id>/trends` (HASH, field = plan id). get-trends reads a few tens of kB per plan instead of
// decoding the recent runs (1.2 MB on 20 plans x 50 applications) and the reports' index entries.
// Written with the recent runs (history.ts record), for every decided run, mailed or not; a plan
// without a usable one is computed as before from the runs, the run log and the reports.
import type { RunReport } from '../domain/run.js';
import { isObject, RECORD_VERSION, type RecordShape } from '../domain/stored-record.js';

/** Runs a plan's lines keep: the strip's 30 (imageroot history.py STRIP_RUNS, SERIES_POINTS). */
export const TREND_RUNS = 30;
/** Bytes of JSON per plan: the oldest runs go past it (a 2,000-application plan keeps ~20 runs). */
export const TREND_LINES_MAX_BYTES = 1 << 20;

/** One application's line, one position per run of the record, oldest first. */
export interface TrendLine {
  id: string;
  /** The application's name in the newest run that named it ('' when none did). */
  name: string;
  /** Per run: `s` saved, `f` not saved, `-` not in that run. */
  state: string;
  /** Bytes when saved, else null. */
  sizes: (number | null)[];
  /** Duration in s, null when unknown. */
  seconds: (number | null)[];
}

/** A plan's lines: its runs `[start (unix s), run key, outcome]` oldest first, and one line per application. */
export interface TrendLines {
  v: typeof RECORD_VERSION;
  runs: [number, string, string][];
  apps: TrendLine[];
}

const wholeOrNull = (v: number | null): number | null => (Number.isInteger(v) && (v as number) >= 0 ? v : null);
const whole = (v: unknown): boolean => v === null || (Number.isInteger(v) && (v as number) >= 0);

function lineProblem(a: unknown, runs: number): string | null {
  if (!isObject(a) || typeof a.id !== 'string' || a.id === '' || typeof a.name !== 'string') return 'an application';
  if (typeof a.state !== 'string' || a.state.length !== runs || /[^sf-]/.test(a.state)) return 'an application state';
  for (const list of [a.sizes, a.seconds]) {
    if (!Array.isArray(list) || list.length !== runs || !list.every(whole)) return 'an application line';
  }
  return null;
}

/** Guard of a plan's lines read back (the service rebuilds them from the next run on). */
export const TREND_LINES: RecordShape<TrendLines> = {
  name: 'trend lines',
  problem(v) {
    const runs = v.runs;
    if (!Array.isArray(runs) || runs.length > TREND_RUNS) return 'no runs';
    const runOk = (r: unknown) =>
      Array.isArray(r) &&
      r.length === 3 &&
      Number.isInteger(r[0]) &&
      typeof r[1] === 'string' &&
      typeof r[2] === 'string';
    if (!runs.every(runOk)) return 'a run';
    if (!Array.isArray(v.apps)) return 'no applications';
    for (const a of v.apps) {
      const problem = lineProblem(a, runs.length);
      if (problem) return problem;
    }
    return null;
  },
};

export const emptyLines = (): TrendLines => ({ v: RECORD_VERSION, runs: [], apps: [] });

function dropRun(lines: TrendLines, at: number): void {
  lines.runs.splice(at, 1);
  for (const a of lines.apps) {
    a.state = a.state.slice(0, at) + a.state.slice(at + 1);
    a.sizes.splice(at, 1);
    a.seconds.splice(at, 1);
  }
}

function insertRun(lines: TrendLines, run: RunReport): void {
  const at = lines.runs.filter((r) => r[0] <= run.start).length;
  const before = lines.runs.length;
  lines.runs.splice(at, 0, [run.start, run.runKey, run.outcome]);
  const byId = new Map(lines.apps.map((a) => [a.id, a]));
  for (const m of run.modules) {
    if (byId.has(m.moduleId)) continue;
    const a = {
      id: m.moduleId,
      name: '',
      state: '-'.repeat(before),
      sizes: Array(before).fill(null),
      seconds: Array(before).fill(null),
    };
    lines.apps.push(a);
    byId.set(a.id, a);
  }
  for (const a of lines.apps) {
    a.state = `${a.state.slice(0, at)}-${a.state.slice(at)}`;
    a.sizes.splice(at, 0, null);
    a.seconds.splice(at, 0, null);
  }
  const newest = at === before;
  for (const m of run.modules) {
    const a = byId.get(m.moduleId) as TrendLine;
    const saved = m.result === 'success';
    a.state = `${a.state.slice(0, at)}${saved ? 's' : 'f'}${a.state.slice(at + 1)}`;
    a.sizes[at] = saved ? wholeOrNull(m.totalSize) : null;
    a.seconds[at] = m.start !== null && m.end !== null && m.end >= m.start ? wholeOrNull(m.end - m.start) : null;
    if (m.uiName && (newest || !a.name)) a.name = m.uiName;
  }
}

/** PURE: the plan's lines after `run` (a new run, or a run decided again), bounded in runs and bytes. */
export function withRun(prev: TrendLines | null, run: RunReport): TrendLines {
  const lines: TrendLines = structuredClone(prev ?? emptyLines());
  lines.v = RECORD_VERSION;
  const again = lines.runs.findIndex((r) => r[1] === run.runKey);
  if (again >= 0) dropRun(lines, again);
  insertRun(lines, run);
  while (lines.runs.length > TREND_RUNS) dropRun(lines, 0);
  while (lines.runs.length > 1 && Buffer.byteLength(JSON.stringify(lines)) > TREND_LINES_MAX_BYTES) dropRun(lines, 0);
  lines.apps = lines.apps.filter((a) => /[sf]/.test(a.state));
  return lines;
}
