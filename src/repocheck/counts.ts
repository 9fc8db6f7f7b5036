// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the snapshots each repository held at its last confirmation (issue #23), in
// `module/<id>/snapshot-counts` (HASH, field `<destination id>/<repository path>`). Kept in Redis,
// not in memory: a deletion at the destination between two runs separated by a restart, an
// update or a writer change must still be measured against the count before it.
import { moduleKeys, SNAPSHOT_COUNT, type SnapshotCount } from '../domain/records.js';
import { parseRecord, silent, versioned, type RecordWarn } from '../domain/stored-record.js';

/** A repository: its destination and its path there. */
export interface RepoRef {
  dest: string;
  path: string;
}

export interface SnapshotCounts {
  /** The last count of each repository asked for (absent when never seen or unusable). */
  load(repos: RepoRef[]): Promise<Map<string, number>>;
  /** Remembers the counts just seen; unix s of the check. */
  save(counts: Map<string, number>, atS: number): Promise<void>;
}

/** The field of a repository: a destination id is a UUID (no `/`), so the first `/` splits it back. */
export const countField = (r: RepoRef): string => `${r.dest}/${r.path}`;

interface HashClient {
  hmGet(k: string, f: string[]): Promise<(string | null)[]>;
  hSet(k: string, v: Record<string, string>): Promise<unknown>;
}

/** `warn` says which stored count was left out (read as never seen: no loss is claimed from it). */
export function createSnapshotCounts(redis: HashClient, moduleId: string, warn: RecordWarn = silent): SnapshotCounts {
  const key = moduleKeys(moduleId).snapshotCounts;
  return {
    async load(repos) {
      const fields = [...new Set(repos.map(countField))];
      const out = new Map<string, number>();
      if (fields.length === 0) return out;
      const raw = await redis.hmGet(key, fields);
      fields.forEach((f, i) => {
        const r = raw[i];
        const c = typeof r === 'string' ? parseRecord<SnapshotCount>(SNAPSHOT_COUNT, r, `${key} ${f}`, warn) : null;
        if (c) out.set(f, c.count);
      });
      return out;
    },
    async save(counts, atS) {
      if (counts.size === 0) return;
      const value: Record<string, string> = {};
      for (const [f, count] of counts) value[f] = JSON.stringify(versioned({ count, at: atS }));
      await redis.hSet(key, value);
    },
  };
}
