// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the small summary of a stored report that the history and trend actions read.
// A stored report carries its text and HTML (tens of KB); reading 500 of them to filter a list
// or draw a trend costs seconds in Python. So the outbox keeps, next to each report, this
// summary in `module/<id>/index` (HASH, field = report id, value = JSON), written in the same
// MULTI as the report and rewritten with each delivery change (issue #15).
// imageroot/pypkg/backup_monitor/records.py reads it and builds it itself from a full report
// when an entry is missing (reports written before the index existed): change both together.
import { EMAIL_CHANNEL, type StoredReport } from './records.js';

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
  /**
   * Issue #22: each channel's delivery besides email (email's is `delivery`), by channel, sorted; {}
   * for email only. Before `modules`: list-reports reads only what precedes them. Absent in entries
   * of older versions.
   */
  channels?: Record<string, ChannelDeliverySummary>;
  modules: IndexedModule[];
}

export interface ChannelDeliverySummary {
  status: string;
  attempts: number;
  sentAt: number | null;
  lastError: string | null;
  lastErrorCode: string | null;
}

/** The other channels' deliveries of a report, as the index keeps them (records.py channels_of). */
export function channelsOf(r: StoredReport): Record<string, ChannelDeliverySummary> {
  const out: Record<string, ChannelDeliverySummary> = {};
  for (const [channel, d] of Object.entries(r.deliveries ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (channel === EMAIL_CHANNEL) continue;
    const { status, attempts, sentAt, lastError, lastErrorCode } = d;
    out[channel] = { status, attempts, sentAt, lastError, lastErrorCode };
  }
  return out;
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
    channels: channelsOf(r),
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

/**
 * `module/<id>/facets` (HASH): what list-reports offers as filters without reading the whole
 * index (issue #25): `plan/<id>` and `outcome/<name>` count the history's reports, `plan-name/<id>`
 * is the plan's latest name. Derived from the index: kept by the record store with each report
 * stored or dropped, rebuilt at start when missing (an older version, a restore).
 * imageroot/pypkg/backup_monitor/records.py reads it: change both together.
 */
export type HistoryFacets = Record<string, string>;

type FacetSource = Pick<ReportIndexEntry, 'planId' | 'planName' | 'outcome'>;

/** The facets after `added` joined the history and `removed` left it (removed: raw index entries). */
export function facetsAfter(
  current: HistoryFacets,
  added: FacetSource[],
  removed: (string | null | undefined)[],
): HistoryFacets {
  const out: HistoryFacets = { ...current };
  const bump = (field: string, by: number) => {
    const n = (Number(out[field]) || 0) + by;
    if (n > 0) out[field] = String(n);
    else delete out[field];
  };
  for (const raw of removed) {
    const e = parseFacetSource(raw);
    if (!e) continue;
    bump(`plan/${e.planId}`, -1);
    bump(`outcome/${e.outcome}`, -1);
    if (!out[`plan/${e.planId}`]) delete out[`plan-name/${e.planId}`];
  }
  for (const e of added) {
    bump(`plan/${e.planId}`, 1);
    bump(`outcome/${e.outcome}`, 1);
    out[`plan-name/${e.planId}`] = e.planName;
  }
  return out;
}

function parseFacetSource(raw: string | null | undefined): FacetSource | null {
  if (!raw) return null;
  try {
    const e = JSON.parse(raw) as Partial<FacetSource> | null;
    return e && typeof e.planId === 'number' && typeof e.outcome === 'string'
      ? { planId: e.planId, planName: String(e.planName ?? ''), outcome: e.outcome }
      : null;
  } catch {
    return null;
  }
}

/** The facets of a whole history, from its raw index entries, oldest first (the newest name wins). */
export const facetsOf = (entriesOldestFirst: (string | null | undefined)[]): HistoryFacets =>
  facetsAfter(
    {},
    entriesOldestFirst.map(parseFacetSource).filter((e): e is FacetSource => e !== null),
    [],
  );
