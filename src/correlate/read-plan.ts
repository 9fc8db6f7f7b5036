// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: everything about some plans in two pipelined round trips, whatever their size (issue #2).
// The `default` user cannot MULTI, so these are plain pipelines; one SCAN lists the plans.
import {
  imageName,
  parseModuleStatus,
  type BackupPlan,
  type ClusterModule,
  type ModuleStatus,
  type PlanSnapshot,
} from '../domain/backup.js';
import { ns8Keys as K } from '../ns8/keys.js';
import type { Redis } from '../ns8/redis.js';

type Hash = Record<string, string>;

/** The default clock of the readers; the service passes its own (src/clock.ts). */
const wallClockS = () => Math.floor(Date.now() / 1000);

/** Pipelines return errors as values (e.g. LOADING while Redis restarts): never read them as data. */
function failOnError(replies: unknown[]): unknown[] {
  const err = replies.find((r) => r instanceof Error);
  if (err) throw err;
  return replies;
}

/**
 * The ids of the plans that exist. Plan ids come from INCR cluster/backup_sequence and are never
 * reused (NS8.md §1.2), so after many created and deleted plans 1..sequence can be 200k ids for
 * a handful of plans (issue #10: 238 MB of heap); a SCAN over the plan keys stays the size of the
 * plans. Ids are sorted; keys such as cluster/backup/<id>/something are not plans.
 */
export async function listPlanIds(redis: Redis): Promise<number[]> {
  const ids = new Set<number>();
  for await (const keys of redis.scanIterator({ MATCH: 'cluster/backup/*', COUNT: 1000 })) {
    for (const key of keys) {
      const m = /^cluster\/backup\/([1-9]\d{0,8})$/.exec(key);
      if (m) ids.add(Number(m[1]));
    }
  }
  return [...ids].sort((a, b) => a - b);
}

export function parsePlan(id: number, h: Hash): BackupPlan | null {
  if (!h || Object.keys(h).length === 0) return null;
  return {
    id,
    name: h.name || `Backup ${id}`,
    repository: h.repository ?? '',
    schedule: h.schedule ?? '',
    retention: Number(h.retention) || 3,
    instances: (h.instances ?? '').split(/\s+/).filter(Boolean),
    enabled: h.enabled === '1',
  };
}

/**
 * Reads the plans with the given ids (missing ones are left out) in two round trips. `nowS` is the
 * service's clock (unix s): the statuses' times are bounded by it (domain/backup.ts).
 */
export async function readPlanSnapshots(redis: Redis, ids: number[], nowS = wallClockS()): Promise<PlanSnapshot[]> {
  if (ids.length === 0) return [];
  const first = redis.multi().hGetAll(K.moduleNode).hGetAll(K.moduleUuid);
  for (const id of ids) first.hGetAll(K.plan(id));
  const [moduleNode, moduleUuid, ...planHashes] = failOnError(await first.execAsPipeline()) as Hash[];
  const plans = ids.map((id, i) => parsePlan(id, planHashes[i] ?? {})).filter((p): p is BackupPlan => p !== null);
  if (plans.length === 0) return [];

  const moduleIds = [...new Set(plans.flatMap((p) => p.instances))];
  const nodeOf = (m: string) => (moduleNode?.[m] ? Number(moduleNode[m]) : null);
  const nodes = [...new Set(moduleIds.map(nodeOf).filter((n): n is number => n !== null))].sort((a, b) => a - b);
  const statusPairs = plans.flatMap((p) => nodes.map((n) => [p.id, n] as const));
  const dests = [...new Set(plans.map((p) => p.repository).filter(Boolean))];

  const second = redis.multi();
  for (const m of moduleIds) second.get(K.moduleUiName(m)).hGet(K.moduleEnvironment(m), 'IMAGE_URL');
  for (const n of nodes) second.get(K.nodeUiName(n));
  for (const [p, n] of statusPairs) second.hGetAll(K.backupStatus(n, p));
  for (const d of dests) second.hGetAll(K.destination(d));
  const replies = failOnError(await second.execAsPipeline()) as (string | null | Hash)[];

  let i = 0;
  const modules = new Map<string, ClusterModule>();
  for (const m of moduleIds) {
    const uiName = (replies[i++] as string | null) ?? '';
    const imageUrl = (replies[i++] as string | null) ?? '';
    modules.set(m, {
      id: m,
      uiName,
      node: nodeOf(m),
      uuid: moduleUuid?.[m] ?? '',
      image: imageName(imageUrl) || m.replace(/\d+$/, ''),
    });
  }
  const nodeNames = new Map<number, string>();
  for (const n of nodes) nodeNames.set(n, (replies[i++] as string | null) ?? '');
  const statusHashes = new Map<string, Hash>();
  for (const [p, n] of statusPairs) statusHashes.set(`${p}/${n}`, (replies[i++] as Hash) ?? {});
  const destinations = new Map<string, Hash>();
  for (const d of dests) destinations.set(d, (replies[i++] as Hash) ?? {});

  return plans.map((plan) => {
    const statuses = new Map<string, ModuleStatus>();
    for (const m of plan.instances) {
      const n = nodeOf(m);
      const s = n === null ? null : parseModuleStatus(statusHashes.get(`${plan.id}/${n}`)?.[m], nowS);
      if (s) statuses.set(m, s);
    }
    const d = destinations.get(plan.repository);
    return {
      plan,
      destination:
        d && Object.keys(d).length
          ? { id: plan.repository, name: d.name ?? '', url: d.url ?? '', provider: d.provider ?? '' }
          : null,
      modules: plan.instances.map((m) => modules.get(m)!).filter(Boolean),
      statuses,
      nodeNames,
    };
  });
}

export async function readPlanSnapshot(redis: Redis, id: number, nowS = wallClockS()): Promise<PlanSnapshot | null> {
  return (await readPlanSnapshots(redis, [id], nowS))[0] ?? null;
}

/** One module's status: what an event handler needs to place the event in a run (1 round trip). */
export async function readModuleStatus(
  redis: Redis,
  node: number,
  planId: number,
  moduleId: string,
  nowS = wallClockS(),
): Promise<ModuleStatus | null> {
  return parseModuleStatus(await redis.hGet(K.backupStatus(node, planId), moduleId), nowS);
}
