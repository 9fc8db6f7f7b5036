// SPDX-License-Identifier: GPL-3.0-or-later
// What is broken right now (issue #15): severity of a plan, the page's order and summary, and
// the cluster-admin links of a plan. Pure, so it is unit-tested without a browser.
import { PLAN_STATES, planStateOf } from "../../../src/domain/digest.ts";
import { isOutcome, OUTCOME_TABLE } from "../../../src/domain/outcome.ts";

/**
 * Severity classes, worst first: the digest's plan states (one list, src/domain/digest.ts).
 * Unknown outcomes (a newer service) are warnings.
 */
export const CLASSES = PLAN_STATES;

export const planClass = (plan) => planStateOf(Boolean(plan.enabled), plan.last_outcome || null);

/** Inside a class, the worse outcome first (the outcome table's rank). */
const outcomeRank = (o) => (isOutcome(o) ? OUTCOME_TABLE[o].rank : 9);

/** Worst first; inside a class the longest failing first, then by name. Does not mutate. */
export function sortPlans(plans) {
  const rank = (p) => CLASSES.indexOf(planClass(p));
  return [...(plans || [])].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      outcomeRank(a.last_outcome) - outcomeRank(b.last_outcome) ||
      (a.failing_since ?? Infinity) - (b.failing_since ?? Infinity) ||
      String(a.name).localeCompare(String(b.name)) ||
      a.id - b.id,
  );
}

/** The summary row: counts per class, applications in no plan, deliveries failing. */
export function summarize(status) {
  const counts = Object.fromEntries(CLASSES.map((c) => [c, 0]));
  for (const p of (status && status.plans) || []) counts[planClass(p)]++;
  const d = (status && status.deliveries) || {};
  return {
    ...counts,
    total: ((status && status.plans) || []).length,
    unprotected: ((status && status.unprotected) || []).length,
    deliveriesFailed: d.failed || 0,
    deliveriesPending: d.pending || 0,
  };
}

export const CLASS_TAG = {
  failing: "red",
  missed: "red",
  warning: "magenta",
  never: "gray",
  ok: "green",
  disabled: "cool-gray",
};

/** "in 3 h", "2 days ago": {key, n} for i18n; `now` and `at` in unix seconds. */
export function relative(at, now) {
  if (at === null || at === undefined || !Number.isFinite(at)) return null;
  const d = at - now;
  const abs = Math.abs(d);
  const [unit, n] =
    abs < 90
      ? ["now", 0]
      : abs < 5400
        ? ["minutes", Math.round(abs / 60)]
        : abs < 36 * 3600
          ? ["hours", Math.round(abs / 3600)]
          : ["days", Math.round(abs / 86400)];
  if (unit === "now") return { key: "when.now", n: 0 };
  return { key: `when.${d > 0 ? "in" : "ago"}_${unit}`, n };
}

/** cluster-admin routes (ns8-core core/ui/src/router/index.js): Backup page, System logs of a node. */
export const backupRoute = () => "/backup?view=backup";

export function systemLogsRoute(nodeId, now = new Date()) {
  const day = (d) => d.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - 24 * 3600 * 1000);
  const q = new URLSearchParams({
    searchQuery: "backup",
    context: "node",
    selectedNodeId: String(nodeId),
    followLogs: "false",
    startDate: day(from),
    startTime: "00:00",
    endDate: day(now),
    endTime: "23:59",
    maxLines: "500",
    autoStartSearch: "true",
  });
  return `/system-logs?${q}`;
}
