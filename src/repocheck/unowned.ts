// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23 item 4: repositories nobody owns, from NS8's cluster action `read-backup-repositories`
// (ns8-core 4f41b35 core/imageroot/var/lib/nethserver/cluster/actions/read-backup-repositories/50read:
// `rclone lsjson --max-depth=3 --include=config --files-only` on every destination, then each
// repository's manifest `<image>/<uuid>.json`, ns8-contract §2.8). One task reads every
// destination, so a digest asks it once, within its own budget; no answer means nothing is said.
import type { UnownedRepoRow } from '../domain/digest.js';
import { moduleKeys, UNOWNED_REPOSITORIES, type UnownedRepositories } from '../domain/records.js';
import { parseRecord, silent, versioned, type RecordWarn } from '../domain/stored-record.js';
import type { TaskRunner } from '../ns8/api-client.js';
import { deadline } from './deadline.js';

export const REPOSITORIES_ACTION = 'read-backup-repositories';

/**
 * Hostile round H8: what is kept of one answer (up to 4 MiB from NS8) goes to Redis, the page,
 * /metrics and every digest, one line per row. A cluster has a repository per application and
 * destination; more than this is not a cluster's own state, and the oldest are kept.
 */
export const UNOWNED_ROWS_MAX = 200;
/** Characters kept of each text (a path is `<image>/<uuid>`; names are the page's). */
export const UNOWNED_TEXT_MAX = 256;
/** Unix s before which a time cannot be a backup's (2100-01-01): beyond, it is unknown (0). */
const TIME_MAX_S = 4_102_444_800;

const text = (v: unknown): string =>
  typeof v === 'string' ? [...v.slice(0, UNOWNED_TEXT_MAX * 2)].slice(0, UNOWNED_TEXT_MAX).join('') : '';
const time = (v: unknown): number => (typeof v === 'number' && v >= 0 && v < TIME_MAX_S ? Math.floor(v) : 0);

/** PURE: the repositories of applications no longer installed here, or written by another cluster. */
export function unownedRepos(output: unknown): UnownedRepoRow[] {
  if (!Array.isArray(output)) return [];
  const out: UnownedRepoRow[] = [];
  for (const e of output as Record<string, unknown>[]) {
    if (!e || typeof e !== 'object' || typeof e.path !== 'string') continue;
    // 50read: true = this cluster's manifest or an installed instance; false = another cluster's
    // manifest; null = no manifest read: not claimed either way.
    const kind =
      e.is_generated_locally === false
        ? 'other_cluster'
        : e.is_generated_locally === true && !e.installed_instance
          ? 'removed'
          : null;
    if (!kind) continue;
    out.push({
      kind,
      moduleId: text(e.module_id),
      uiName: text(e.module_ui_name),
      path: text(e.path),
      destinationName: text(String(e.repository_name ?? e.repository_id ?? '')),
      lastBackupAt: time(e.timestamp),
    });
  }
  const sorted = out.sort((a, b) => a.kind.localeCompare(b.kind) || a.lastBackupAt - b.lastBackupAt);
  if (sorted.length <= UNOWNED_ROWS_MAX) return sorted;
  // Both kinds stay listed: each has its own fix in the digest.
  const half = UNOWNED_ROWS_MAX / 2;
  const kinds = ['other_cluster', 'removed'].map((k) => sorted.filter((r) => r.kind === k));
  const [first, second] = kinds as [UnownedRepoRow[], UnownedRepoRow[]];
  const a = first.slice(0, Math.max(half, UNOWNED_ROWS_MAX - second.length));
  return [...a, ...second.slice(0, UNOWNED_ROWS_MAX - a.length)];
}

/** One read for a digest, bounded by `budgetSeconds`; null when NS8 did not answer in time or failed. */
export async function readUnownedRepos(
  api: TaskRunner,
  budgetSeconds: number,
  signal?: AbortSignal,
): Promise<UnownedRepoRow[] | null> {
  const d = deadline(budgetSeconds * 1000, signal);
  try {
    const r = await api.runClusterTask(REPOSITORIES_ACTION, {}, d.signal);
    return r.exitCode === 0 ? unownedRepos(r.output) : null;
  } catch {
    return null;
  } finally {
    d.clear();
  }
}

/**
 * EDGE: the last read, kept in `module/<id>/unowned-repositories` for the page and /metrics (the
 * daily refresh or a digest reads NS8; they show it until the next read). Only answered reads
 * are stored: a read NS8 did not answer leaves the previous one, with its own time.
 */
export interface UnownedStore {
  save(repositories: UnownedRepoRow[], atS: number): Promise<void>;
  /** null when never read, or the record cannot be used (`warn` says why). */
  load(): Promise<UnownedRepositories | null>;
}

interface StringClient {
  get(k: string): Promise<string | null>;
  set(k: string, v: string): Promise<unknown>;
}

export function createUnownedStore(redis: StringClient, moduleId: string, warn: RecordWarn = silent): UnownedStore {
  const key = moduleKeys(moduleId).unownedRepositories;
  return {
    async save(repositories, atS) {
      await redis.set(key, JSON.stringify(versioned({ at: atS, repositories })));
    },
    async load() {
      const raw = await redis.get(key);
      return raw === null ? null : parseRecord(UNOWNED_REPOSITORIES, raw, key, warn);
    },
  };
}
