// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import {
  fixRoute,
  mailLinkDown,
  planClass,
  planWhy,
  relative,
  sortPlans,
  summarize,
  systemLogsRoute,
} from "../plan-status.js";

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
  test("deliveries not delivered over the window, waiting ones with an error included (issue #21)", () => {
    const s = summarize({ plans: [], deliveries: { failed: 1, pending: 3, undelivered: 2, window_days: 7 } });
    expect([s.deliveriesFailed, s.deliveryWindowDays]).toEqual([2, 7]);
    expect(mailLinkDown({ links: { smtp: { ok: false, error: "451 try later" } } })).toBe("451 try later");
    expect(mailLinkDown({ links: { smtp: { ok: null, error: null } } })).toBe(null);
  });
  describe("Why, and the place that fixes it (issue #21)", () => {
    const app = (id, o = {}) => ({
      module_id: id,
      ui_name: "",
      node: 2,
      result: "success",
      error_lines: [],
      anomalies: [],
      ...o,
    });
    const failing = (o) => plan(1, "PARTIAL", { destination_name: "NAS", nodes: [1, 2], ...o });
    test("a conclusive destination verdict first, fixed in Backup destinations", () => {
      const w = planWhy(
        failing({ destination_verdict: "auth", modules: [app("a", { result: "failed", error_lines: ["x"] })] }),
      );
      expect(w).toEqual({ key: "why.verdict_auth", params: { destination: "NAS" }, fix: { kind: "destinations" } });
      expect(fixRoute(w.fix)).toBe("/backup");
    });
    test("an inconclusive verdict gives way to the first error line of the first failed application", () => {
      const w = planWhy(
        failing({
          destination_verdict: "error",
          modules: [
            app("ok1"),
            app("b", { result: "failed", ui_name: "Cloud", node: 2, error_lines: ["Fatal: 403", "more"] }),
          ],
        }),
      );
      expect(w).toMatchObject({
        key: "why.error_line",
        params: { app: "Cloud", line: "Fatal: 403" },
        fix: { kind: "logs", node: 2 },
      });
      expect(fixRoute(w.fix)).toMatch(/^\/system-logs\?.*selectedNodeId=2/);
    });
    test("a WARNING names its abnormal application", () => {
      const w = planWhy(
        plan(1, "WARNING", {
          modules: [app("a"), app("b", { anomalies: [{ kind: "shrink", value: 1024, median: 2048 }] })],
        }),
      );
      expect(w).toMatchObject({ key: "why.anomaly_shrink", params: { app: "b", value: "1 KiB", median: "2 KiB" } });
    });
    test("a clock ahead is fixed on the Nodes page; a missed run too; a fine plan has no Why", () => {
      const w = planWhy(failing({ modules: [app("a", { result: "failed", status_problem: "clock_ahead" })] }));
      expect(w).toMatchObject({ key: "why.status_clock_ahead", fix: { kind: "nodes" } });
      expect(fixRoute(w.fix)).toBe("/nodes");
      expect(planWhy(plan(1, "MISSING"))).toMatchObject({ key: "why.missed", fix: { kind: "nodes" } });
      expect(planWhy(plan(1, "SUCCESS"))).toBe(null);
      expect(planWhy(plan(1, "PARTIAL", { enabled: false }))).toBe(null);
    });
  });
});
