// SPDX-License-Identifier: GPL-3.0-or-later
// What is broken right now (issue #15): severity of a plan, the page's order and summary, and
// the cluster-admin links of a plan. Pure, so it is unit-tested without a browser.
import { PLAN_STATES, planStateOf } from "../../../src/domain/digest.ts";
import { isOutcome, OUTCOME_TABLE } from "../../../src/domain/outcome.ts";
import { conclusiveVerdict } from "../../../src/domain/destination.ts";
import { formatBytes } from "./format.js";

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

/**
 * The summary row: counts per class, applications in no plan, and reports not delivered over
 * the action's window (failed, or waiting after an error: issue #21), not among the newest N.
 */
export function summarize(status) {
  const counts = Object.fromEntries(CLASSES.map((c) => [c, 0]));
  for (const p of (status && status.plans) || []) counts[planClass(p)]++;
  const d = (status && status.deliveries) || {};
  return {
    ...counts,
    total: ((status && status.plans) || []).length,
    unprotected: ((status && status.unprotected) || []).length,
    deliveriesFailed: d.undelivered ?? d.failed ?? 0,
    deliveriesPending: d.pending || 0,
    deliveryWindowDays: d.window_days || 7,
  };
}

/** The mail link is down (the service's last SMTP check failed): its error, else null. */
export function mailLinkDown(status) {
  const smtp = status && status.links && status.links.smtp;
  return smtp && smtp.ok === false ? smtp.error || "" : null;
}

const failedApp = (m) => m.result !== "success";
/** An anomaly's number as the page prints it: bytes for sizes, a plain count for files. */
const amount = (a, field, locale) =>
  a[field] === null || a[field] === undefined
    ? "-"
    : a.kind === "zero_files"
      ? String(a[field])
      : formatBytes(a[field], locale);
const appName = (m) => m.ui_name || m.module_id;

/**
 * The one-line cause of a plan that is not fine, and the place that fixes it (issue #21), as
 * {key, params, fix: {kind: "destinations" | "nodes" | "logs", node}} or null. In order: the
 * destination check's verdict when conclusive; a run that did not happen; the first error line of the first failed
 * application; the abnormal application of a WARNING; a status that could not be trusted (clock,
 * unreadable); a failed application without lines.
 */
export function planWhy(plan, locale = "en") {
  const cls = planClass(plan);
  if (!["failing", "missed", "warning"].includes(cls)) return null;
  const modules = plan.modules || [];
  const logs = (m) => ({ kind: "logs", node: m && Number.isInteger(m.node) ? m.node : (plan.nodes || [])[0] });
  const verdict = conclusiveVerdict(plan.destination_verdict ? { verdict: plan.destination_verdict } : null);
  if (verdict && cls !== "warning")
    return {
      key: `why.verdict_${verdict}`,
      params: { destination: plan.destination_name || "-" },
      fix: { kind: "destinations" },
    };
  if (cls === "missed") return { key: "why.missed", params: {}, fix: { kind: "nodes" } };
  const failed = modules.filter(failedApp);
  const withLine = failed.find((m) => (m.error_lines || []).length);
  if (withLine)
    return {
      key: "why.error_line",
      params: { app: appName(withLine), line: withLine.error_lines[0] },
      fix: logs(withLine),
    };
  const abnormal = modules.find((m) => (m.anomalies || []).length);
  if (cls === "warning" && abnormal)
    return {
      key: `why.anomaly_${abnormal.anomalies[0].kind}`,
      params: {
        app: appName(abnormal),
        value: amount(abnormal.anomalies[0], "value", locale),
        median: amount(abnormal.anomalies[0], "median", locale),
      },
      fix: logs(abnormal),
    };
  const odd = modules.find((m) => m.status_problem);
  if (odd)
    return {
      key: `why.status_${odd.status_problem === "clock_ahead" ? "clock_ahead" : "unreadable"}`,
      params: { app: appName(odd), node: odd.node ?? "-" },
      fix: odd.status_problem === "clock_ahead" ? { kind: "nodes" } : logs(odd),
    };
  if (failed.length)
    return {
      key: "why.app_failed",
      params: { app: appName(failed[0]), n: failed.length - 1, count: failed.length },
      fix: logs(failed[0]),
    };
  return { key: "why.unknown", params: {}, fix: logs(null) };
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
/** The Backup page, where "Backup destinations" are edited (ns8-core Backup.vue). */
export const destinationsRoute = () => "/backup";
export const nodesRoute = () => "/nodes";

/** The route of a Why's fix (planWhy). */
export function fixRoute(fix, now = new Date()) {
  if (!fix) return null;
  if (fix.kind === "destinations") return destinationsRoute();
  if (fix.kind === "nodes") return nodesRoute();
  return Number.isInteger(fix.node) ? systemLogsRoute(fix.node, now) : nodesRoute();
}

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
