// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import {
  ALL_PLANS,
  emptyWindowForm,
  mapWindowErrors,
  windowInWords,
  windowRequest,
  windowRows,
  windowTimes,
} from "../maintenance.js";

// Wednesday 2026-08-05 12:00:00 UTC.
const NOW = Date.UTC(2026, 7, 5, 12, 0, 0) / 1000;
const HOUR = 3600;
const win = (over) => ({
  id: "a1",
  calendar: "Sat *-*-* 22:00",
  duration_seconds: 4 * HOUR,
  plan_id: null,
  by: "admin",
  at: NOW - 86400,
  comment: "",
  ...over,
});

describe("maintenance windows", () => {
  test("a calendar in words, with or without seconds; anything else as written", () => {
    expect(windowInWords("Sat *-*-* 22:00")).toEqual({
      key: "plans.every_week",
      params: { day: "sat", time: "22:00" },
    });
    expect(windowInWords("*-*-* 03:30:00")).toEqual({ key: "plans.every_day", params: { time: "03:30" } });
    expect(windowInWords("Sat *-*-* 22:00 UTC")).toEqual({
      key: "plans.custom_schedule",
      params: { expr: "Sat *-*-* 22:00 UTC" },
    });
  });

  test("next start in the module's zone; open now until its end", () => {
    // Saturday 22:00 in Rome is 20:00 UTC in August.
    expect(windowTimes(win(), NOW, "Europe/Rome")).toEqual({
      nextStart: Date.UTC(2026, 7, 8, 20, 0, 0) / 1000,
      openUntil: null,
    });
    const daily = win({ calendar: "*-*-* 11:00", duration_seconds: 2 * HOUR });
    expect(windowTimes(daily, NOW, "UTC")).toEqual({ nextStart: NOW + 23 * HOUR, openUntil: NOW + HOUR });
    expect(windowTimes(win({ calendar: "*-*-* 10:00", duration_seconds: 2 * HOUR }), NOW, "UTC").openUntil).toBe(null);
    expect(windowTimes(win({ calendar: "not a calendar" }), NOW, "UTC")).toEqual({ nextStart: null, openUntil: null });
  });

  test("rows: cluster-wide first, then per plan, each by next start; plans by name", () => {
    const output = {
      time_zone: "UTC",
      maintenance_windows: [
        win({ id: "p", plan_id: 2, calendar: "*-*-* 13:00" }),
        win({ id: "late", calendar: "Sat *-*-* 22:00" }),
        win({ id: "soon", calendar: "*-*-* 18:00" }),
        win({ id: "gone", plan_id: 9 }),
      ],
    };
    const rows = windowRows(output, [{ id: 2, name: "Weekly SMB" }], NOW);
    expect(rows.map((r) => r.id)).toEqual(["soon", "late", "p", "gone"]);
    expect(rows.map((r) => r.planName)).toEqual([null, null, "Weekly SMB", "#9"]);
    expect(rows[0].nextStart).toBe(NOW + 6 * HOUR);
    expect(windowRows(null, [], NOW)).toEqual([]);
  });

  test("the request: seconds from the duration, plan_id only for one plan, trimmed comment", () => {
    const form = { ...emptyWindowForm(), calendar: " Sat *-*-* 22:00 ", comment: " NAS " };
    expect(windowRequest(form)).toEqual({
      data: { calendar: "Sat *-*-* 22:00", duration_seconds: 2 * HOUR, comment: "NAS" },
    });
    expect(windowRequest({ ...form, plan: "3", comment: "" })).toEqual({
      data: { calendar: "Sat *-*-* 22:00", duration_seconds: 2 * HOUR, plan_id: 3 },
    });
    expect(form.plan).toBe(ALL_PLANS);
  });

  test("what needs no grammar is refused before the action runs", () => {
    expect(windowRequest({ ...emptyWindowForm(), calendar: "  " }).errors).toEqual({
      calendar: "maintenance.error_calendar_required",
    });
    for (const duration of [
      { value: "30", unit: "seconds" },
      { value: "8", unit: "days" },
      { value: "x", unit: "hours" },
    ])
      expect(windowRequest({ ...emptyWindowForm(), calendar: "daily", duration }).errors).toEqual({
        duration_seconds: "maintenance.error_duration_range",
      });
  });

  test("the action's validation errors land on their fields", () => {
    expect(
      mapWindowErrors([
        { field: "calendar", parameter: "calendar", value: "x", error: "calendar_not_understood" },
        { field: "plan_id", parameter: "plan_id", value: 99, error: "unknown_plan" },
      ]),
    ).toEqual({ calendar: "maintenance.error_calendar_not_understood", plan_id: "maintenance.error_unknown_plan" });
    expect(mapWindowErrors([{ field: "duration_seconds", error: "duration_seconds_number_lte" }])).toEqual({
      duration_seconds: "maintenance.error_duration_range",
    });
    expect(mapWindowErrors([{ field: "calendar", error: "calendar_string_max_length" }, { error: "x" }])).toEqual({
      calendar: "maintenance.error_invalid",
      form: "maintenance.error_invalid",
    });
  });
});
