// SPDX-License-Identifier: GPL-3.0-or-later
// A removed backup plan leaves the service's per-plan memory (issue #25 item 12): its field in
// `module/<id>/plans` (last reported run), `runs` (the run history trends use), `watchdog`
// (missed-run memory) and `silences` (its acknowledgement or snooze, issue #24), and its own
// maintenance windows in `module/<id>/maintenance` (cluster-wide windows stay). Plan ids are never reused (NS8.md §1.2), so without this the three hashes
// grow with every plan ever created, and are replicated to every node. The plan's stored reports,
// history and index entries stay: they are what happened, and they expire on their own.
//
// Only ids the cluster has handed out (≤ cluster/backup_sequence) and that have no
// cluster/backup/<id> are forgotten. The sequence guards against a replica that is still empty
// or behind (no sequence: nothing is forgotten; a plan newer than the replica's sequence is kept).
import { listPlanIds } from '../correlate/read-plan.js';
import { moduleKeys } from '../domain/records.js';
import type { Logger } from '../log.js';
import { ns8Keys } from '../ns8/keys.js';
import type { Redis } from '../ns8/redis.js';
import { Periodic } from '../periodic.js';

/** The module hashes whose fields are plan ids. */
export const PER_PLAN_RECORDS = ['plans', 'runs', 'watchdog', 'silences'] as const;
/** Plans are removed rarely; once at start and then hourly keeps the cost negligible. */
export const FORGET_INTERVAL_MS = 3600_000;

/** PURE: the fields of a per-plan hash that name a removed plan. */
export function removedPlanFields(
  fields: readonly string[],
  existing: ReadonlySet<number>,
  sequence: number,
): string[] {
  return fields.filter((f) => {
    if (!/^[1-9]\d{0,8}$/.test(f)) return false; // not a plan id: not ours to judge
    const id = Number(f);
    return id <= sequence && !existing.has(id);
  });
}

/**
 * PURE: the window ids (fields of `module/<id>/maintenance`) whose window covers only a removed
 * plan. Cluster-wide windows (planId null) and values that do not parse are not ours to judge.
 */
export function removedPlanWindows(
  windows: Readonly<Record<string, string>>,
  existing: ReadonlySet<number>,
  sequence: number,
): { ids: string[]; planIds: number[] } {
  const ids: string[] = [];
  const planIds: number[] = [];
  for (const [id, raw] of Object.entries(windows)) {
    const planId = windowPlanId(raw);
    if (planId === null || removedPlanFields([String(planId)], existing, sequence).length === 0) continue;
    ids.push(id);
    planIds.push(planId);
  }
  return { ids, planIds };
}

function windowPlanId(raw: string): number | null {
  try {
    const planId = (JSON.parse(raw) as { planId?: unknown } | null)?.planId;
    return Number.isSafeInteger(planId) ? (planId as number) : null;
  } catch {
    return null;
  }
}

/** EDGE: forgets the removed plans' fields; returns the plan ids forgotten (sorted). */
export async function forgetRemovedPlans(reader: Redis, writer: Redis, moduleId: string): Promise<number[]> {
  // The sequence first: a plan created after this read has a larger id and is kept.
  const sequence = Number(await reader.get(ns8Keys.planSequence));
  if (!Number.isSafeInteger(sequence) || sequence < 1) return [];
  const existing = new Set(await listPlanIds(reader));
  const k = moduleKeys(moduleId);
  const forgotten = new Set<number>();
  const m = writer.multi();
  for (const name of PER_PLAN_RECORDS) {
    const fields = removedPlanFields(await writer.hKeys(k[name]), existing, sequence);
    if (fields.length) m.hDel(k[name], fields);
    for (const f of fields) forgotten.add(Number(f));
  }
  const windows = removedPlanWindows(await writer.hGetAll(k.maintenance), existing, sequence);
  if (windows.ids.length) m.hDel(k.maintenance, windows.ids);
  for (const id of windows.planIds) forgotten.add(id);
  if (forgotten.size) await m.exec();
  return [...forgotten].sort((a, b) => a - b);
}

/** Runs forgetRemovedPlans at start and every FORGET_INTERVAL_MS; failures wait for the next pass. */
export function removedPlansForgetter(deps: {
  reader: Redis;
  writer: Redis;
  moduleId: string;
  log: Logger;
  intervalMs?: number;
}): Periodic {
  return new Periodic(
    async () => {
      try {
        const ids = await forgetRemovedPlans(deps.reader, deps.writer, deps.moduleId);
        if (ids.length) deps.log.info('removed plans forgotten', { plans: ids.join(',') });
      } catch (err) {
        deps.log.warning('removed plans not forgotten, will retry', { error: (err as Error).message });
      }
    },
    () => deps.intervalMs ?? FORGET_INTERVAL_MS,
  );
}
