// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: reads what the model needs, with the read-only `default` user on the local replica, in a
// fixed number of round trips whatever the cluster size: the plan snapshots (two pipelines, as the
// correlator reads them) and, alongside, one pipeline for the module's own records.
import type { PlanState } from '../domain/records.js';
import { moduleKeys } from '../domain/records.js';
import type { PlanSnapshot } from '../domain/backup.js';
import type { Redis } from '../ns8/redis.js';
import { listPlanIds, readPlanSnapshots } from '../correlate/read-plan.js';
import type { WatchRecord } from '../triggers/missed-runs.js';

export interface CollectedState {
  snapshots: PlanSnapshot[];
  planStates: Map<number, PlanState>;
  watch: Map<number, WatchRecord>;
  outboxDepth: number;
}

function parseHash<T>(h: Record<string, string>): Map<number, T> {
  const out = new Map<number, T>();
  for (const [field, raw] of Object.entries(h ?? {})) {
    const id = Number(field);
    if (!Number.isInteger(id)) continue;
    try {
      out.set(id, JSON.parse(raw) as T);
    } catch {
      /* a damaged record is left out, never guessed */
    }
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
    const own = reader.multi().hGetAll(k.plans).hGetAll(k.watchdog).hLen(k.outbox).execAsPipeline();
    const [snapshots, replies] = await Promise.all([
      listPlanIds(reader).then((ids) => readPlanSnapshots(reader, ids, nowS)),
      own,
    ]);
    const err = replies.find((r) => r instanceof Error);
    if (err) throw err;
    const [plans, watch, depth] = replies as unknown as [Record<string, string>, Record<string, string>, number];
    return {
      snapshots,
      planStates: parseHash<PlanState>(plans),
      watch: parseHash<WatchRecord>(watch),
      outboxDepth: Number(depth),
    };
  })();
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}
