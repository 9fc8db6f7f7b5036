// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the per-plan run history the trends are computed from: `module/<id>/runs` (HASH, field =
// plan id, value = JSON array of RunSummary, newest first, at most HISTORY_RUNS). Every reported
// run is kept, mailed or not, so a plan whose successes are not mailed still has a history. Each
// run carries `v` (anomaly.ts summarize); parseHistory is the guard of what is read back.
import { moduleKeys } from '../domain/records.js';
import { silent, type RecordWarn } from '../domain/stored-record.js';
import type { RunReport } from '../domain/run.js';
import type { Redis } from '../ns8/redis.js';
import { parseHistory, remember, type RunSummary } from './anomaly.js';

export interface RunHistory {
  load(planId: number): Promise<RunSummary[]>;
  /** Adds (or replaces) the run in its plan's history. */
  record(run: RunReport): Promise<void>;
}

/** `warn` says which plan's stored runs were (partly) left out as unusable. */
export function createRunHistory(writer: Redis, moduleId: string, warn: RecordWarn = silent): RunHistory {
  const key = moduleKeys(moduleId).runs;
  const read = async (planId: number) => parseHistory(await writer.hGet(key, String(planId)), warn, `${key} ${planId}`);
  return {
    load: read,
    async record(run) {
      const history = await read(run.planId);
      await writer.hSet(key, String(run.planId), JSON.stringify(remember(history, run)));
    },
  };
}
