// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: reads what the model needs, with the read-only `default` user on the local replica, in a
// fixed number of round trips whatever the cluster size: the plan snapshots (two pipelines, as the
// correlator reads them) and, alongside, one pipeline for the module's own records.
import {
  moduleKeys,
  PLAN_STATE,
  UNOWNED_REPOSITORIES,
  WATCH_RECORD,
  type PlanState,
  type UnownedRepositories,
  type WatchRecord,
} from '../domain/records.js';
import { parseRecord, silent, type RecordShape } from '../domain/stored-record.js';
import type { PlanSnapshot } from '../domain/backup.js';
import type { Redis } from '../ns8/redis.js';
import { listPlanIds, readPlanSnapshots } from '../correlate/read-plan.js';
import { parseHistory, type RunSummary } from '../trends/anomaly.js';
import { SILENCE, type Silence } from '../notify/silence.js';

export interface CollectedState {
  snapshots: PlanSnapshot[];
  planStates: Map<number, PlanState>;
  watch: Map<number, WatchRecord>;
  outboxDepth: number;
  /** Issue #23: each plan's newest run kept in `module/<id>/runs` (confirmation, snapshots). */
  lastRuns: Map<number, RunSummary>;
  /** Issue #24: acknowledged and snoozed plans (`module/<id>/silences`). */
  silences: Map<number, Silence>;
  /** Issue #23 item 4: the last read of repositories nobody owns; null = never read or unusable. */
  unowned: UnownedRepositories | null;
}

/** A damaged record is left out, never guessed; silently: the writer's own reads log it once. */
function parseHash<T>(h: Record<string, string>, shape: RecordShape<T>): Map<number, T> {
  const out = new Map<number, T>();
  for (const [field, raw] of Object.entries(h ?? {})) {
    const id = Number(field);
    const rec = Number.isInteger(id) ? parseRecord(shape, raw, field, silent) : null;
    if (rec) out.set(id, rec);
  }
  return out;
}

/**
 * Rejects after `timeoutMs`: a Redis outage must not hold a scrape (the client queues commands while offline).
 * `nowS` bounds the statuses' times (issue #25).
 */
export async function collectState(
  reader: Redis,
  moduleId: string,
  timeoutMs: number,
  nowS?: number,
): Promise<CollectedState> {
  const k = moduleKeys(moduleId);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cluster state not read within ${timeoutMs} ms`)), timeoutMs);
  });
  const work = (async () => {
    const own = reader
      .multi()
      .hGetAll(k.plans)
      .hGetAll(k.watchdog)
      .hLen(k.outbox)
      .hGetAll(k.runs)
      .hGetAll(k.silences)
      .get(k.unownedRepositories)
      .execAsPipeline();
    const [snapshots, replies] = await Promise.all([
      listPlanIds(reader).then((ids) => readPlanSnapshots(reader, ids, nowS)),
      own,
    ]);
    const err = replies.find((r) => r instanceof Error);
    if (err) throw err;
    const [plans, watch, depth, runs, silences, unowned] = replies as unknown as [
      Record<string, string>,
      Record<string, string>,
      number,
      Record<string, string>,
      Record<string, string>,
      string | null,
    ];
    return {
      snapshots,
      planStates: parseHash(plans, PLAN_STATE),
      watch: parseHash(watch, WATCH_RECORD),
      outboxDepth: Number(depth),
      lastRuns: lastRunsOf(runs),
      silences: parseHash(silences, SILENCE),
      unowned: unowned === null ? null : parseRecord(UNOWNED_REPOSITORIES, unowned, k.unownedRepositories, silent),
    };
  })();
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

/** The newest kept run per plan; a damaged history is left out (silently, as parseHash). */
function lastRunsOf(h: Record<string, string>): Map<number, RunSummary> {
  const out = new Map<number, RunSummary>();
  for (const [field, raw] of Object.entries(h ?? {})) {
    const newest = Number.isInteger(Number(field)) ? parseHistory(raw)[0] : undefined;
    if (newest) out.set(Number(field), newest);
  }
  return out;
}
