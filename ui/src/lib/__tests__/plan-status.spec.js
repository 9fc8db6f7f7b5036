// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import { planClass, relative, sortPlans, summarize, systemLogsRoute } from "../plan-status.js";

const plan = (id, last_outcome, o = {}) => ({
  id,
  name: `P${id}`,
  enabled: true,
  last_outcome,
  failing_since: null,
  ...o,
});

describe("plan status", () => {
  test("classes, unknown outcomes are warnings", () => {
    expect(
      [
        plan(1, "SUCCESS"),
        plan(2, "PARTIAL"),
        plan(3, "REPO_FAILURE"),
        plan(4, "MISSING"),
        plan(5, "WARNING"),
        plan(6, null),
        plan(7, "REPO_FAILURE", { enabled: false }),
      ].map(planClass),
    ).toEqual(["ok", "failing", "failing", "missed", "warning", "never", "disabled"]);
  });
  test("worst first; repository failures before partial ones; the oldest failure first", () => {
    const plans = [
      plan(1, "SUCCESS"),
      plan(2, "PARTIAL", { failing_since: 100 }),
      plan(3, "REPO_FAILURE", { failing_since: 300 }),
      plan(4, "MISSING"),
      plan(5, "REPO_FAILURE", { failing_since: 200 }),
      plan(6, null),
      plan(7, "NEW_THING"),
      plan(8, "SUCCESS", { enabled: false }),
    ];
    expect(sortPlans(plans).map((p) => p.id)).toEqual([5, 3, 2, 4, 7, 6, 1, 8]);
    expect(plans[0].id).toBe(1);
  });
  test("summary", () => {
    const s = summarize({
      plans: [plan(1, "SUCCESS"), plan(2, "PARTIAL"), plan(3, "MISSING")],
      unprotected: [{}, {}],
      deliveries: { failed: 1, pending: 2 },
    });
    expect(s).toMatchObject({
      failing: 1,
      missed: 1,
      ok: 1,
      warning: 0,
      total: 3,
      unprotected: 2,
      deliveriesFailed: 1,
      deliveriesPending: 2,
    });
    expect(summarize(null).total).toBe(0);
  });
  test("relative times", () => {
    expect(relative(1000 + 3 * 3600, 1000)).toEqual({ key: "when.in_hours", n: 3 });
    expect(relative(1000 - 3 * 86400, 1000)).toEqual({ key: "when.ago_days", n: 3 });
    expect(relative(1030, 1000)).toEqual({ key: "when.now", n: 0 });
    expect(relative(null, 1000)).toBe(null);
  });
  test("System logs of a node, the query cluster-admin's SystemLogs page reads", () => {
    const r = systemLogsRoute(2, new Date("2026-11-27T08:00:00Z"));
    const q = new URLSearchParams(r.split("?")[1]);
    expect(r.startsWith("/system-logs?")).toBe(true);
    expect(Object.fromEntries(q)).toMatchObject({
      context: "node",
      selectedNodeId: "2",
      startDate: "2026-11-26",
      endDate: "2026-11-27",
      autoStartSearch: "true",
    });
  });
});
