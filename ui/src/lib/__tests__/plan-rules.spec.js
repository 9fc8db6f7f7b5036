// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 items 4 and 5 on the plan table: failure tolerance, escalation and maximum run duration per plan.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import {
  notificationsFromConfig,
  notificationsPayload,
  validateNotifications,
  mapNotificationErrors,
  notificationErrorsEmpty,
  isNotificationError,
} from "../plan-notifications.js";
import { fieldLabel, invalidFields } from "../settings-form.js";
import { ESCALATION_RANGE, MAX_RUN_RANGE, TOLERANCE_RANGE, ruleDefaultsFromForm } from "../plan-notifications-rules.js";
import { formFromConfig } from "../settings-form.js";

const manifest = JSON.parse(
  readFileSync(new URL("../../../../imageroot/pypkg/backup_monitor/settings.json", import.meta.url), "utf8"),
);
const pattern = (name) =>
  new RegExp(manifest.patterns[manifest.settings.find((s) => s.name === name && s.source === "action").pattern]);

const PLANS = [
  { id: 1, name: "Daily offsite", destination: "Backblaze", schedule: "*-*-* 01:30:00", enabled: true },
  { id: 2, name: "Weekly SMB", destination: "NAS", schedule: "Sun *-*-* 03:00:00", enabled: true },
  { id: 5, name: "Mail", destination: "NAS", schedule: "hourly", enabled: true },
];
const CONFIG = {
  plans: PLANS,
  failure_tolerance: 2,
  escalation_after: 172800,
  max_run_duration: 0,
  // Not in plan order: a save without changes must keep the order as loaded.
  plan_escalation: "5:3:7200,2:1:0",
  plan_max_run_duration: "2:5400,5:0",
};
const row = (v, id) => v.plans.find((p) => p.id === id);

describe("loading the per-plan rules", () => {
  it("a plan with its own rule shows it; the others say default", () => {
    const v = notificationsFromConfig(CONFIG);
    expect(v.rule_defaults).toEqual({ failure_tolerance: 2, escalation_after: 172800, max_run_duration: 0 });
    expect(row(v, 5)).toMatchObject({
      tolerance: "3",
      escalation: "after",
      escalation_after: { value: 2, unit: "hours" },
      max_run: "history",
    });
    expect(row(v, 2)).toMatchObject({ tolerance: "1", escalation: "never", max_run: "maximum" });
    expect(row(v, 2).max_run_duration).toEqual({ value: 90, unit: "minutes" });
    expect(row(v, 1)).toMatchObject({ tolerance: "", escalation: "default", max_run: "default" });
  });
  it("a duration field of a plan without its own starts at the cluster-wide value, or a usual one", () => {
    const v = notificationsFromConfig(CONFIG);
    expect(row(v, 1).escalation_after).toEqual({ value: 2, unit: "days" });
    expect(row(v, 1).max_run_duration).toEqual({ value: 2, unit: "hours" });
  });
});

// The "Default (…)" labels and a saved entry follow the cluster-wide fields as the admin edits them.
describe("the cluster-wide values a plan follows, from the form being edited", () => {
  const loaded = notificationsFromConfig(CONFIG).rule_defaults;
  it("as loaded, they are the loaded values", () => {
    expect(ruleDefaultsFromForm(formFromConfig(CONFIG), loaded)).toEqual(loaded);
  });
  it("an edited tolerance, escalation time or maximum run duration is followed at once", () => {
    const form = formFromConfig(CONFIG);
    form.failure_tolerance = "4"; // as a text field holds it
    form.escalation_after = { value: "3", unit: "hours" };
    form.max_run_duration = { value: "90", unit: "minutes" };
    expect(ruleDefaultsFromForm(form, loaded)).toEqual({
      failure_tolerance: 4,
      escalation_after: 10800,
      max_run_duration: 5400,
    });
  });
  it("a value being typed that is no number keeps the loaded one", () => {
    const form = formFromConfig(CONFIG);
    form.escalation_after = { value: "", unit: "hours" };
    form.max_run_duration = { value: "soon", unit: "minutes" };
    form.failure_tolerance = "x";
    expect(ruleDefaultsFromForm(form, loaded)).toEqual(loaded);
  });
  it("a plan's own tolerance with the default escalation saves the edited escalation time", () => {
    const v = notificationsFromConfig({ ...CONFIG, plan_escalation: "", plan_max_run_duration: "" });
    row(v, 1).tolerance = "4";
    const form = formFromConfig(CONFIG);
    form.escalation_after = { value: "3", unit: "hours" };
    const p = notificationsPayload({ ...v, rule_defaults: ruleDefaultsFromForm(form, v.rule_defaults) });
    expect(p.plan_escalation).toBe("1:4:10800");
  });
});

describe("saving the per-plan rules", () => {
  it("loading then saving without changes sends exactly what was loaded", () => {
    const p = notificationsPayload(notificationsFromConfig(CONFIG));
    expect(p.plan_escalation).toBe(CONFIG.plan_escalation);
    expect(p.plan_max_run_duration).toBe(CONFIG.plan_max_run_duration);
    const none = notificationsPayload(notificationsFromConfig({ plans: PLANS }));
    expect([none.plan_escalation, none.plan_max_run_duration]).toEqual(["", ""]);
  });
  it("tolerance 3, escalation after 2 h and maximum 90 min on one plan", () => {
    const v = notificationsFromConfig({ plans: PLANS });
    Object.assign(row(v, 2), {
      tolerance: "3",
      escalation: "after",
      escalation_after: { value: "2", unit: "hours" },
      max_run: "maximum",
      max_run_duration: { value: "90", unit: "minutes" },
    });
    const p = notificationsPayload(v);
    expect(p.plan_escalation).toBe("2:3:7200");
    expect(p.plan_max_run_duration).toBe("2:5400");
  });
  it("a plan's own tolerance alone keeps the cluster-wide escalation, and the other way round", () => {
    const v = notificationsFromConfig({ ...CONFIG, plan_escalation: "", plan_max_run_duration: "" });
    row(v, 1).tolerance = "4";
    row(v, 2).escalation = "never";
    expect(notificationsPayload(v).plan_escalation).toBe("1:4:172800,2:2:0");
  });
  it("back to default drops the plan's entry; a new one goes after those loaded", () => {
    const v = notificationsFromConfig(CONFIG);
    Object.assign(row(v, 5), { tolerance: "", escalation: "default", max_run: "default" });
    row(v, 1).max_run = "history";
    const p = notificationsPayload(v);
    expect(p.plan_escalation).toBe("2:1:0");
    expect(p.plan_max_run_duration).toBe("2:5400,1:0");
  });
  it("a plan removed from the cluster loses its rules, like its notification policy", () => {
    const v = notificationsFromConfig({ ...CONFIG, plans: PLANS.filter((p) => p.id !== 5) });
    const p = notificationsPayload(v);
    expect(p.plan_escalation).toBe("2:1:0");
    expect(p.plan_max_run_duration).toBe("2:5400");
  });
  it("what it sends passes the manifest's patterns", () => {
    const v = notificationsFromConfig(CONFIG);
    row(v, 1).tolerance = String(TOLERANCE_RANGE.max);
    row(v, 1).max_run = "maximum";
    row(v, 1).max_run_duration = { value: String(MAX_RUN_RANGE.min), unit: "seconds" };
    const p = notificationsPayload(v);
    expect(p.plan_escalation).toMatch(pattern("plan_escalation"));
    expect(p.plan_max_run_duration).toMatch(pattern("plan_max_run_duration"));
  });
});

describe("checks of the per-plan rules", () => {
  const edited = (changes) => {
    const v = notificationsFromConfig(CONFIG);
    Object.assign(row(v, 2), changes);
    return validateNotifications(v);
  };
  it.each([["0"], ["100"], ["two"], ["1.5"]])("tolerance %s is refused on its field", (tolerance) => {
    const e = edited({ tolerance });
    expect(e.plans[2]).toEqual({
      field: "tolerance",
      key: "settings.error_out_of_range",
      params: { min: TOLERANCE_RANGE.min, max: TOLERANCE_RANGE.max },
    });
    expect(notificationErrorsEmpty(e)).toBe(false);
  });
  it("a maximum run duration under a minute is refused, with the range in units", () => {
    const e = edited({ max_run: "maximum", max_run_duration: { value: "30", unit: "seconds" } });
    expect(e.plans[2]).toEqual({
      field: "max_run_duration",
      key: "settings.error_out_of_range",
      params: { min: 1, minUnit: "minutes", max: 1, maxUnit: "days" },
    });
  });
  it("an escalation time that is no number, or longer than the manifest allows, is refused", () => {
    expect(edited({ escalation: "after", escalation_after: { value: "soon", unit: "hours" } }).plans[2]).toEqual({
      field: "escalation_after",
      key: "settings.error_not_a_number",
    });
    const tooLong = { value: String(ESCALATION_RANGE.max / 86400 + 1), unit: "days" };
    expect(edited({ escalation: "after", escalation_after: tooLong }).plans[2].field).toBe("escalation_after");
  });
  it("a duration of a mode that does not use it is not checked", () => {
    const e = edited({ escalation: "never", escalation_after: { value: "x", unit: "hours" } });
    expect(notificationErrorsEmpty(e)).toBe(true);
  });
  it("loaded rules pass the checks", () => {
    expect(notificationErrorsEmpty(validateNotifications(notificationsFromConfig(CONFIG)))).toBe(true);
  });
});

describe("configure-module refusing a per-plan rule", () => {
  it("lands on the row and field whose entry the manifest's pattern refuses", () => {
    const v = notificationsFromConfig(CONFIG);
    // As if the page's check had let it through: the action's answer is the final word.
    row(v, 2).max_run = "maximum";
    row(v, 2).max_run_duration = { value: "30", unit: "seconds" };
    const payload = notificationsPayload(v);
    const e = mapNotificationErrors(
      [
        {
          field: "plan_max_run_duration",
          parameter: "plan_max_run_duration",
          value: payload.plan_max_run_duration,
          error: "plan_max_run_duration_pattern",
        },
      ],
      payload,
    );
    expect(e.plans).toEqual({ 2: { field: "max_run_duration", key: "plans.error_rule_refused" } });
  });
  it("an entry it cannot tell lands on the first plan with a rule of that setting", () => {
    const payload = notificationsPayload(notificationsFromConfig(CONFIG));
    const e = mapNotificationErrors([{ field: "plan_escalation", error: "plan_escalation_pattern" }], payload);
    expect(e.plans).toEqual({ 5: { field: "tolerance", key: "plans.error_rule_refused" } });
  });
});

describe("a plan's rule in the list of fields to fix next to Save", () => {
  it("configure-module's errors of the two texts go to the plan table, not to a field of their own", () => {
    for (const field of ["plan_escalation", "plan_max_run_duration", "plan_notifications.0.plan_id", "digest_time"])
      expect(isNotificationError({ field })).toBe(true);
    expect(isNotificationError({ parameter: "plan_escalation" })).toBe(true);
    for (const field of ["mail_to", "max_run_duration", "escalation_after", "failure_tolerance"])
      expect(isNotificationError({ field })).toBe(false);
  });
  it("is named after the field that shows the error", () => {
    const list = invalidFields({
      plans: [
        { id: 1, error: "x", on: "max_run_duration" },
        { id: 2, error: "x" },
      ],
    });
    expect(list).toEqual([
      { field: "plan_notifications", planId: 1, on: "max_run_duration" },
      { field: "plan_notifications", planId: 2 },
    ]);
    expect(list.map((e) => fieldLabel(e, "Weekly SMB").key)).toEqual([
      "plans.rules_max_run_for",
      "plans.recipients_for",
    ]);
    expect(fieldLabel({ field: "plan_notifications", planId: 2, on: "tolerance" }, "Weekly SMB")).toEqual({
      key: "plans.rules_tolerance_for",
      params: { plan: "Weekly SMB" },
    });
    expect(fieldLabel({ field: "plan_notifications", planId: 2, on: "escalation_after" }, "W").key).toBe(
      "plans.rules_escalation_time_for",
    );
  });
});
