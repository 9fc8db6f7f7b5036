// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the per-plan run history the trends are computed from: `module/<id>/runs` (HASH, field =
// plan id, value = JSON array of RunSummary, newest first, at most HISTORY_RUNS). Every reported
// run is kept, mailed or not, so a plan whose successes are not mailed still has a history. Each
// run carries `v` (anomaly.ts summarize); parseHistory is the guard of what is read back. Beside
// it, `module/<id>/trends`: the page's trend lines of the plan (lines.ts).
import { moduleKeys } from '../domain/records.js';
import { parseRecord, silent, type RecordWarn } from '../domain/stored-record.js';
import type { RunReport } from '../domain/run.js';
import type { Redis } from '../ns8/redis.js';
import { parseHistory, remember, type RunSummary } from './anomaly.js';
import { TREND_LINES, withRun } from './lines.js';

export interface RunHistory {
  load(planId: number): Promise<RunSummary[]>;
  /** Adds (or replaces) the run in its plan's history. */
  record(run: RunReport): Promise<void>;
}

/** `warn` says which plan's stored runs were (partly) left out as unusable. */
export function createRunHistory(writer: Redis, moduleId: string, warn: RecordWarn = silent): RunHistory {
  const keys = moduleKeys(moduleId);
  const key = keys.runs;
  const read = async (planId: number) => parseHistory(await writer.hGet(key, String(planId)), warn, `${key} ${planId}`);
  return {
    load: read,
    async record(run) {
      const history = await read(run.planId);
      await writer.hSet(key, String(run.planId), JSON.stringify(remember(history, run)));
      // What the page's trends draw, kept ready beside the runs (lines.ts): written second, so a
      // failure between the two costs one point of a line, never a run of the anomaly checks.
      const field = String(run.planId);
      const raw = await writer.hGet(keys.trends, field);
      const prev = raw === null ? null : parseRecord(TREND_LINES, raw, `${keys.trends} ${field}`, warn);
      await writer.hSet(keys.trends, field, JSON.stringify(withRun(prev, run)));
    },
  };
}
