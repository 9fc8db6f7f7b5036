// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the cluster's applications with their flags and labels, for the coverage gaps, in two
// round trips (`default` user: SMEMBERS and GET are @read). The candidates are the modules of
// `cluster/module_node`, as in NS8's list-backups.
import { ns8Keys as K } from '../ns8/keys.js';
import type { Redis } from '../ns8/redis.js';
import type { ClusterApp } from './coverage.js';

/** Bounded: a cluster with more modules than this is cut (and the digest still goes out). */
export const MAX_APPS = 2000;

export async function readClusterApps(redis: Redis): Promise<ClusterApp[]> {
  const ids = Object.keys(await redis.hGetAll(K.moduleNode))
    .sort()
    .slice(0, MAX_APPS);
  if (ids.length === 0) return [];
  const m = redis.multi();
  for (const id of ids) m.sMembers(K.moduleFlags(id)).get(K.moduleUiName(id));
  const replies = await m.execAsPipeline();
  const err = replies.find((r) => r instanceof Error);
  if (err) throw err;
  return ids.map((id, i) => ({
    id,
    flags: (replies[2 * i] as unknown as string[] | null) ?? [],
    uiName: (replies[2 * i + 1] as unknown as string | null) ?? '',
  }));
}
