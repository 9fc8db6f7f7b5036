// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the module's record store in `module/<id>/…` (docs/ARCHITECTURE.md "Records in the module
// namespace"): reports, their history and index, per-plan state and the outbox (the queue of
// reports to send), written on the leader with the module's credentials. A report is stored (one
// MULTI) before any send attempt.
import {
  HISTORY_MAX,
  REPORT_TTL_SECONDS,
  moduleKeys,
  type PlanState,
  type StoredMail,
  type StoredReport,
} from '../domain/records.js';
import { indexEntry } from '../domain/report-index.js';
import type { Redis } from '../ns8/redis.js';

export interface RecordStore {
  planState(planId: number): Promise<PlanState | undefined>;
  /** Stores the report, the plan state and the history entry; queues it when `queue`. Atomic. */
  store(report: StoredReport, state: PlanState, queue: boolean): Promise<void>;
  saveState(state: PlanState): Promise<void>;
  /** Report ids whose next attempt is due. */
  due(nowMs: number): Promise<string[]>;
  load(id: string): Promise<StoredMail | null>;
  /** Rewrites the report's delivery; keeps it queued at `nextAttemptAt` or drops it from the queue. */
  update(report: StoredMail, queued: boolean): Promise<void>;
  /** Failed reports newer than `sinceMs`, newest first (for a retry after a smarthost change). */
  recentFailed(sinceMs: number, limit?: number): Promise<StoredReport[]>;
  /** Every queued report becomes due now (the smarthost changed: the backoff no longer applies). */
  allDueNow(nowMs: number): Promise<number>;
  /** Adds the index entry of every report in the history that has none (reports from older versions). */
  indexMissing(): Promise<number>;
}

type Multi = ReturnType<Redis['multi']>;

/**
 * Adds to a MULTI what writing a mail (report or digest) means: its JSON, expiring; the index entry
 * of a run report (digests are not in the history); and its place in the outbox: due at its
 * delivery's next attempt when `queued`, out of the queue otherwise.
 */
export function writeMail(m: Multi, k: ReturnType<typeof moduleKeys>, mail: StoredMail, queued: boolean): Multi {
  m.set(k.report(mail.id), JSON.stringify(mail), { EX: REPORT_TTL_SECONDS });
  if (mail.kind !== 'digest') m.hSet(k.index, mail.id, JSON.stringify(indexEntry(mail)));
  if (queued) m.hSet(k.outbox, mail.id, String(mail.delivery.nextAttemptAt));
  else m.hDel(k.outbox, mail.id);
  return m;
}

export function createRecordStore(writer: Redis, moduleId: string): RecordStore {
  const k = moduleKeys(moduleId);
  return {
    async planState(planId) {
      const raw = await writer.hGet(k.plans, String(planId));
      return raw ? (JSON.parse(raw) as PlanState) : undefined;
    },
    async store(report, state, queue) {
      // The ids that the LTRIM below drops take their index entries with them.
      const dropped = await writer.lRange(k.history, HISTORY_MAX - 1, -1);
      const m = writeMail(writer.multi(), k, report, queue);
      m.hSet(k.plans, String(state.planId), JSON.stringify(state));
      m.lPush(k.history, report.id).lTrim(k.history, 0, HISTORY_MAX - 1);
      if (dropped.length) m.hDel(k.index, dropped);
      await m.exec();
    },
    async saveState(state) {
      await writer.hSet(k.plans, String(state.planId), JSON.stringify(state));
    },
    async due(nowMs) {
      const all = await writer.hGetAll(k.outbox);
      return Object.entries(all)
        .filter(([, at]) => Number(at) <= nowMs)
        .sort((a, b) => Number(a[1]) - Number(b[1]))
        .map(([id]) => id);
    },
    async load(id) {
      const raw = await writer.get(k.report(id));
      return raw ? (JSON.parse(raw) as StoredMail) : null;
    },
    async update(report, queued) {
      await writeMail(writer.multi(), k, report, queued).exec();
    },
    async recentFailed(sinceMs, limit = 50) {
      const ids = await writer.lRange(k.history, 0, limit - 1);
      if (ids.length === 0) return [];
      const raws = await writer.mGet(ids.map(k.report));
      return raws
        .filter((r): r is string => !!r)
        .map((r) => JSON.parse(r) as StoredReport)
        .filter((r) => r.delivery.status === 'failed' && r.createdAt >= sinceMs);
    },
    async allDueNow(nowMs) {
      const ids = Object.keys(await writer.hGetAll(k.outbox));
      if (ids.length) await writer.hSet(k.outbox, Object.fromEntries(ids.map((id) => [id, String(nowMs)])));
      return ids.length;
    },
    async indexMissing() {
      const ids = await writer.lRange(k.history, 0, -1);
      if (ids.length === 0) return 0;
      const have = await writer.hmGet(k.index, ids);
      const missing = ids.filter((_, i) => have[i] == null);
      let added = 0;
      for (let i = 0; i < missing.length; i += 50) {
        const chunk = missing.slice(i, i + 50);
        const raws = await writer.mGet(chunk.map(k.report));
        const entries: Record<string, string> = {};
        raws.forEach((raw, j) => {
          if (!raw) return;
          try {
            entries[chunk[j]!] = JSON.stringify(indexEntry(JSON.parse(raw) as StoredReport));
          } catch {
            /* unreadable: the action skips it too */
          }
        });
        if (Object.keys(entries).length) {
          await writer.hSet(k.index, entries);
          added += Object.keys(entries).length;
        }
      }
      return added;
    },
  };
}
