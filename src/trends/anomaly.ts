// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: how a run compares with the plan's previous runs, and what looks wrong in a run that
// saved everything. A backup that "succeeded" but saved half of its usual size, or no file at
// all, is the failure nobody notices until the restore: it becomes a WARNING (issue #13).
//
// Per application, the previous successful runs kept in the history (at most `runs`) give the
// medians of size, files and duration. With fewer than `minRuns` of them there is no verdict on
// size; zero files is suspicious on its own unless the previous runs had zero files too.
import {
  savedEverything,
  type Anomaly,
  type ModuleResult,
  type ModuleRow,
  type ModuleTrend,
  type Outcome,
  type PlanTrend,
  type RunReport,
} from '../domain/run.js';
import { RECORD_VERSION, silent, type RecordWarn } from '../domain/stored-record.js';
import { CONFIRMATION_VERDICTS, type ConfirmationVerdict } from '../domain/destination.js';
import { lastFullSuccessAt } from '../domain/full-success.js';

/** One application in one past run, as kept in the history. */
export interface ModuleSummary {
  id: string;
  result: ModuleResult;
  /** Unix s. */
  start: number | null;
  size: number | null;
  files: number | null;
  seconds: number | null;
  /**
   * Issue #23: what the destination confirmed after this run (confirmed, unconfirmed,
   * cleanup_failed, not_saved, not_checked) and the snapshots it held; absent when not checked.
   */
  confirmation?: ConfirmationVerdict | null;
  snapshots?: number | null;
  /**
   * Issue #23: unix s since which the cleanup has failed on every run ("retention stuck since …",
   * repocheck/confirm.ts cleanupStreak), as the run's confirmation said; absent when not stuck.
   * Read by /metrics and get-monitor-status: the streak is computed once, by the service.
   */
  stuckSince?: number;
}

/** One past run of a plan, as kept in the history (`module/<id>/runs`, src/trends/history.ts). */
export interface RunSummary {
  /** Version of the stored shape (domain/stored-record.ts); absent in runs an older version kept. */
  v?: typeof RECORD_VERSION;
  runKey: string;
  /** Unix s. */
  start: number;
  outcome: Outcome;
  modules: ModuleSummary[];
}

export interface AnomalyThresholds {
  /** Previous successful runs a median is made of (the most recent ones). */
  runs: number;
  /** Fewer previous successful runs than this: no verdict on size. */
  minRuns: number;
  /** Size below this fraction of the median is a shrink (0.5 = 50 %). */
  shrinkBelow: number;
  /** Size above this multiple of the median is a growth (2 = 200 %). */
  growAbove: number;
}

export const DEFAULT_THRESHOLDS: AnomalyThresholds = { runs: 5, minRuns: 3, shrinkBelow: 0.5, growAbove: 2 };

/** Thresholds from the settings (ANOMALY_*_PERCENT, ANOMALY_MIN_RUNS); a percentage of 0 turns that check off. */
export function thresholdsOf(a: { shrinkPercent: number; growthPercent: number; minRuns: number }): AnomalyThresholds {
  return {
    runs: Math.max(DEFAULT_THRESHOLDS.runs, a.minRuns),
    minRuns: a.minRuns,
    shrinkBelow: a.shrinkPercent / 100,
    growAbove: a.growthPercent > 0 ? a.growthPercent / 100 : Infinity,
  };
}

/** Runs kept per plan in the history. */
export const HISTORY_RUNS = 12;
/**
 * Bytes of JSON kept per plan in the history. Every application of a run is kept (issue #25: a cap
 * of 200 applications left the later ones of a big plan never judged); instead the oldest runs go
 * once a plan's history would pass this bound. About 110 bytes per application and run: 12 runs
 * fit up to ~790 applications, a 2,000-application plan keeps its last 4 runs. A single run
 * larger than the bound (~9,500 applications, or absurd module ids) keeps the applications that fit.
 */
export const HISTORY_MAX_BYTES = 1 << 20;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

const known = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Runs of the history that come before `run` (never `run` itself, e.g. on an update). */
export function previousRuns(run: Pick<RunReport, 'runKey' | 'start'>, history: RunSummary[]): RunSummary[] {
  return history.filter((h) => h.runKey !== run.runKey && h.start < run.start).sort((a, b) => b.start - a.start);
}

export function moduleTrend(row: ModuleRow, previous: RunSummary[], t: AnomalyThresholds): ModuleTrend {
  const past = previous
    .flatMap((r) => r.modules.filter((m) => m.id === row.moduleId && m.result === 'success'))
    .slice(0, t.runs);
  const sizes = past.map((m) => m.size).filter(known);
  const files = past.map((m) => m.files).filter(known);
  const seconds = past.map((m) => m.seconds).filter(known);
  const lastSuccessAt = past.find((m) => known(m.start))?.start ?? null;
  return {
    runs: past.length,
    medianSize: median(sizes),
    medianFiles: median(files),
    medianSeconds: median(seconds),
    lastSuccessAt,
  };
}

export function anomaliesOf(
  row: ModuleRow,
  trend: ModuleTrend,
  previous: RunSummary[],
  t: AnomalyThresholds,
): Anomaly[] {
  if (row.result !== 'success') return [];
  const out: Anomaly[] = [];
  if (row.totalFileCount === 0) {
    const before = previous.flatMap((r) =>
      r.modules.filter((m) => m.id === row.moduleId && m.result === 'success' && known(m.files)),
    );
    const usual = before.length > 0 && before.slice(0, t.runs).every((m) => m.files === 0);
    if (!usual) out.push({ kind: 'zero_files', value: 0, median: trend.medianFiles });
  }
  const m = trend.medianSize;
  if (trend.runs >= t.minRuns && m !== null && m > 0 && known(row.totalSize)) {
    if (row.totalSize < m * t.shrinkBelow) out.push({ kind: 'shrink', value: row.totalSize, median: m });
    else if (row.totalSize > m * t.growAbove) out.push({ kind: 'growth', value: row.totalSize, median: m });
  }
  return out;
}

/** The plan's record over this run and the previous ones: "4 of the last 5 runs saved everything". */
export function planTrend(
  run: Pick<RunReport, 'outcome' | 'start'>,
  previous: RunSummary[],
  t: AnomalyThresholds,
): PlanTrend | null {
  const recent = [{ outcome: run.outcome, start: run.start }, ...previous.slice(0, t.runs - 1)];
  if (recent.length < 2) return null;
  return {
    runs: recent.length,
    saved: recent.filter((r) => savedEverything(r.outcome)).length,
    lastFullSuccessAt: lastFullSuccessAt([{ outcome: run.outcome, start: run.start }, ...previous]),
  };
}

/**
 * The run with its trends: each application's medians and anomalies, the plan's record, and the
 * outcome WARNING when a run that saved everything has an anomaly. Returns a new RunReport.
 */
export function withTrends(
  run: RunReport,
  history: RunSummary[],
  t: AnomalyThresholds = DEFAULT_THRESHOLDS,
): RunReport {
  const previous = previousRuns(run, history);
  const modules = run.modules.map((row) => {
    const trend = moduleTrend(row, previous, t);
    const anomalies = anomaliesOf(row, trend, previous, t);
    return { ...row, trend, anomalies };
  });
  const base: Outcome = run.outcome === 'WARNING' ? 'SUCCESS' : run.outcome; // analysed again (an update)
  const outcome: Outcome = base === 'SUCCESS' && modules.some((m) => m.anomalies.length > 0) ? 'WARNING' : base;
  return { ...run, outcome, modules, trend: planTrend({ outcome, start: run.start }, previous, t) };
}

/** What the history keeps of a run: numbers only, bounded. */
export function summarize(run: RunReport): RunSummary {
  return {
    v: RECORD_VERSION,
    runKey: run.runKey,
    start: run.start,
    outcome: run.outcome,
    modules: run.modules.map((m) => ({
      id: m.moduleId,
      result: m.result,
      start: m.start,
      size: m.totalSize,
      files: m.totalFileCount,
      seconds: m.start !== null && m.end !== null && m.end >= m.start ? m.end - m.start : null,
      ...(m.confirmation
        ? { confirmation: m.confirmation.verdict, snapshots: m.confirmation.snapshotCount ?? null }
        : {}),
      ...(m.confirmation?.cleanupStuck ? { stuckSince: m.confirmation.cleanupStuck.since } : {}),
    })),
  };
}

/** The history after `run`: replaces an earlier version of the same run, newest first, bounded in count and bytes. */
export function remember(history: RunSummary[], run: RunReport, max = HISTORY_RUNS): RunSummary[] {
  const runs = [summarize(run), ...history.filter((h) => h.runKey !== run.runKey)]
    .sort((a, b) => b.start - a.start)
    .slice(0, max);
  return withinBytes(runs, HISTORY_MAX_BYTES);
}

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

/** The newest runs whose JSON array fits in `maxBytes`; a newest run that alone does not fit keeps the applications that do. */
function withinBytes(runs: RunSummary[], maxBytes: number): RunSummary[] {
  const out: RunSummary[] = [];
  let used = 2; // "[]"
  for (const r of runs) {
    const bytes = jsonBytes(r) + (out.length ? 1 : 0);
    if (used + bytes <= maxBytes) {
      out.push(r);
      used += bytes;
      continue;
    }
    if (out.length === 0) out.push(cut(r, maxBytes - used));
    break;
  }
  return out;
}

function cut(r: RunSummary, maxBytes: number): RunSummary {
  const modules: ModuleSummary[] = [];
  let used = jsonBytes({ ...r, modules: [] });
  for (const m of r.modules) {
    const bytes = jsonBytes(m) + (modules.length ? 1 : 0);
    if (used + bytes > maxBytes) break;
    modules.push(m);
    used += bytes;
  }
  return { ...r, modules };
}

/**
 * Parses a stored history, dropping anything malformed (the key is in a shared Redis) or of
 * another version than this one's (a run without `v` is a v1 one); `warn` says what was dropped,
 * once per read, under `key`.
 */
export function parseHistory(raw: string | null | undefined, warn: RecordWarn = silent, key = 'runs'): RunSummary[] {
  if (!raw) return [];
  const dropped = (problem: string) => {
    warn('a stored run history cannot be used whole: what cannot is left out', { record: 'run history', key, problem });
    return [];
  };
  // Longer than the bound remember() writes (a string's length never exceeds its UTF-8 bytes): not ours.
  if (raw.length > HISTORY_MAX_BYTES) return dropped('longer than this version writes');
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return dropped('not JSON (truncated or damaged)');
  }
  if (!Array.isArray(v)) return dropped('not a JSON list');
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const out: RunSummary[] = [];
  const kept = v.slice(0, HISTORY_RUNS);
  for (const r of kept) {
    if (!r || typeof r !== 'object') continue;
    const o = r as Record<string, unknown>;
    if (
      ('v' in o && o.v !== RECORD_VERSION) ||
      typeof o.runKey !== 'string' ||
      num(o.start) === null ||
      typeof o.outcome !== 'string' ||
      !Array.isArray(o.modules)
    )
      continue;
    out.push({
      v: RECORD_VERSION,
      runKey: o.runKey,
      start: num(o.start)!,
      outcome: o.outcome as Outcome,
      modules: o.modules
        .filter(
          (m): m is Record<string, unknown> =>
            !!m && typeof m === 'object' && typeof (m as { id?: unknown }).id === 'string',
        )
        .map((m) => ({
          id: m.id as string,
          result: (['success', 'failed', 'not_run'].includes(m.result as string)
            ? m.result
            : 'not_run') as ModuleResult,
          start: num(m.start),
          size: num(m.size),
          files: num(m.files),
          seconds: num(m.seconds),
          // Issue #23 (added field): a verdict this version does not know is left out, never guessed.
          ...(CONFIRMATION_VERDICTS.includes(m.confirmation as ConfirmationVerdict)
            ? { confirmation: m.confirmation as ConfirmationVerdict, snapshots: num(m.snapshots) }
            : {}),
          ...(num(m.stuckSince) !== null ? { stuckSince: num(m.stuckSince)! } : {}),
        })),
    });
  }
  if (out.length < kept.length) dropped(`${kept.length - out.length} of ${kept.length} runs of the wrong shape`);
  return out;
}
