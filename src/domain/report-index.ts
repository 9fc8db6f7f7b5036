// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the small summary of a stored report that the history and trend actions read.
// A stored report carries its text and HTML (tens of KB); reading 500 of them to filter a list
// or draw a trend costs seconds in Python. So the outbox keeps, next to each report, this
// summary in `module/<id>/index` (HASH, field = report id, value = JSON), written in the same
// MULTI as the report and rewritten with each delivery change (issue #15).
// imageroot/pypkg/backup_monitor/records.py reads it and builds it itself from a full report
// when an entry is missing (reports written before the index existed): change both together.
import type { StoredReport } from './records.js';

export interface IndexedModule {
  id: string;
  name: string;
  result: string;
  /** Bytes, as the node reported them (total_size), or null. */
  size: number | null;
  start: number | null;
  end: number | null;
}

export interface ReportIndexEntry {
  /** Unix ms when the report was made. */
  createdAt: number;
  reason: string;
  planId: number;
  planName: string;
  /** Any outcome name: new ones (e.g. WARNING) pass through untouched. */
  outcome: string;
  /** Run start and end, unix s (for MISSING: the expected trigger time). */
  start: number;
  end: number;
  subject: string;
  delivery: { status: string; attempts: number; sentAt: number | null; recipients: string[]; lastError: string | null };
  modules: IndexedModule[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function indexEntry(r: StoredReport): ReportIndexEntry {
  const run = r.run;
  const d = r.delivery;
  return {
    createdAt: r.createdAt,
    reason: r.reason,
    planId: run.planId,
    planName: run.planName,
    outcome: run.outcome,
    start: run.start,
    end: run.end,
    subject: r.subject,
    delivery: {
      status: d.status,
      attempts: d.attempts,
      sentAt: d.sentAt,
      recipients: d.recipients,
      lastError: d.lastError,
    },
    modules: (run.modules ?? []).map((m) => ({
      id: m.moduleId,
      name: m.uiName,
      result: m.result,
      size: num(m.totalSize),
      start: num(m.start),
      end: num(m.end),
    })),
  };
}
