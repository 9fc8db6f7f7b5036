// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the durable outbox, report history and per-plan state in `module/<id>/…`, written on the
// leader with the module's credentials. A report is stored (one MULTI) before any send attempt.
import { HISTORY_MAX, REPORT_TTL_SECONDS, moduleKeys, type PlanState, type StoredMail, type StoredReport } from '../domain/records.js';
import type { Redis } from '../ns8/redis.js';

export interface Outbox {
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
}

export function createOutbox(writer: Redis, moduleId: string): Outbox {
  const k = moduleKeys(moduleId);
  const put = (m: ReturnType<Redis['multi']>, r: StoredMail) => m.set(k.report(r.id), JSON.stringify(r), { EX: REPORT_TTL_SECONDS });
  return {
    async planState(planId) {
      const raw = await writer.hGet(k.plans, String(planId));
      return raw ? (JSON.parse(raw) as PlanState) : undefined;
    },
    async store(report, state, queue) {
      const m = writer.multi();
      put(m, report);
      m.hSet(k.plans, String(state.planId), JSON.stringify(state));
      m.lPush(k.history, report.id).lTrim(k.history, 0, HISTORY_MAX - 1);
      if (queue) m.hSet(k.outbox, report.id, String(report.delivery.nextAttemptAt));
      await m.exec();
    },
    async saveState(state) { await writer.hSet(k.plans, String(state.planId), JSON.stringify(state)); },
    async due(nowMs) {
      const all = await writer.hGetAll(k.outbox);
      return Object.entries(all).filter(([, at]) => Number(at) <= nowMs).sort((a, b) => Number(a[1]) - Number(b[1])).map(([id]) => id);
    },
    async load(id) {
      const raw = await writer.get(k.report(id));
      return raw ? (JSON.parse(raw) as StoredMail) : null;
    },
    async update(report, queued) {
      const m = writer.multi();
      put(m, report);
      if (queued) m.hSet(k.outbox, report.id, String(report.delivery.nextAttemptAt)); else m.hDel(k.outbox, report.id);
      await m.exec();
    },
    async recentFailed(sinceMs, limit = 50) {
      const ids = await writer.lRange(k.history, 0, limit - 1);
      if (ids.length === 0) return [];
      const raws = await writer.mGet(ids.map(k.report));
      return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as StoredReport)
        .filter((r) => r.delivery.status === 'failed' && r.createdAt >= sinceMs);
    },
    async allDueNow(nowMs) {
      const ids = Object.keys(await writer.hGetAll(k.outbox));
      if (ids.length) await writer.hSet(k.outbox, Object.fromEntries(ids.map((id) => [id, String(nowMs)])));
      return ids.length;
    },
  };
}
