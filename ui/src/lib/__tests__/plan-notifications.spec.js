// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it, test } from "vitest";
import { readFileSync } from "node:fs";
import {
  scheduleInWords,
  notificationsFromConfig,
  notificationsPayload,
  validateNotifications,
  mapNotificationErrors,
  notificationErrorsEmpty,
  splitAddresses,
  pasteAddresses,
  POLICIES,
  FREQUENCIES,
  WEEKDAYS,
  MAX_RECIPIENTS,
  TIME_RE,
} from "../plan-notifications.js";

const CONFIG = {
  notify_policy: "problems",
  digest_frequency: "weekly",
  digest_weekday: "mon",
  digest_time: "08:00",
  plan_notifications: [{ plan_id: 2, policy: "always", mail_to: ["owner@example.org"] }],
  plans: [
    { id: 1, name: "Daily offsite", destination: "Backblaze", schedule: "*-*-* 01:30:00", enabled: true },
    { id: 2, name: "Weekly SMB", destination: "NAS", schedule: "Sun *-*-* 03:00:00", enabled: true },
    { id: 3, name: "Old", destination: "NAS", schedule: "hourly", enabled: false },
  ],
};

describe("scheduleInWords", () => {
  test.each([
    ["*-*-* *:15:00", "plans.every_hour", { minute: "15" }],
    ["hourly", "plans.every_hour", { minute: "00" }],
    ["*-*-* 01:30:00", "plans.every_day", { time: "01:30" }],
    ["Sun *-*-* 03:00:00", "plans.every_week", { day: "sun", time: "03:00" }],
    ["weekly", "plans.every_week", { day: "mon", time: "00:00" }],
    ["*-*-05 02:00:00", "plans.every_month", { day: "5", time: "02:00" }],
    ["Mon..Fri *-*-* 22:00:00", "plans.custom_schedule", { expr: "Mon..Fri *-*-* 22:00:00" }],
    ["", "plans.custom_schedule", { expr: "–" }],
  ])("%s", (expr, key, params) => {
    expect(scheduleInWords(expr)).toEqual({ key, params });
  });
});

describe("form <-> configure-module", () => {
  it("one row per current plan, with its own policy or the default", () => {
    const v = notificationsFromConfig(CONFIG);
    expect(v.plans.map((p) => [p.id, p.policy, p.mail_to])).toEqual([
      [1, "default", ""],
      [2, "always", "owner@example.org"],
      [3, "default", ""],
    ]);
    expect(v.plans[2].enabled).toBe(false);
  });
  it("payload leaves out rows that say nothing and splits addresses", () => {
    const v = notificationsFromConfig(CONFIG);
    v.plans[0].mail_to = "a@example.org; b@example.org";
    expect(notificationsPayload(v)).toEqual({
      notify_policy: "problems",
      digest_frequency: "weekly",
      digest_weekday: "mon",
      digest_time: "08:00",
      plan_notifications: [
        { plan_id: 1, policy: "default", mail_to: ["a@example.org", "b@example.org"] },
        { plan_id: 2, policy: "always", mail_to: ["owner@example.org"] },
      ],
      // Issue #24: no plan has a tolerance, escalation or maximum of its own.
      plan_escalation: "",
      plan_max_run_duration: "",
    });
  });
  it("does not send the recipients of a digest or off plan (never mailed on its own)", () => {
    const v = notificationsFromConfig(CONFIG);
    v.plans[0].policy = "digest";
    v.plans[0].mail_to = "a@example.org";
    v.plans[1].policy = "off";
    expect(notificationsPayload(v).plan_notifications).toEqual([
      { plan_id: 1, policy: "digest", mail_to: [] },
      { plan_id: 2, policy: "off", mail_to: [] },
    ]);
  });
  it("defaults when the configuration says nothing", () => {
    expect(notificationsFromConfig({})).toEqual({
      notify_policy: "problems",
      digest_frequency: "weekly",
      digest_weekday: "mon",
      digest_time: "08:00",
      plans: [],
      rule_defaults: { failure_tolerance: 1, escalation_after: 0, max_run_duration: 0 },
      rule_order: { plan_escalation: [], plan_max_run_duration: [] },
    });
  });
  it("splits on commas, semicolons and spaces", () => {
    expect(splitAddresses(" a@x.org,b@x.org ; c@x.org  d@x.org")).toEqual(["a@x.org", "b@x.org", "c@x.org", "d@x.org"]);
  });
});

describe("checks", () => {
  it("bad time and bad address are field errors", () => {
    const v = notificationsFromConfig(CONFIG);
    v.digest_time = "8h";
    v.plans[1].mail_to = "owner@example.org, not-an-address";
    const e = validateNotifications(v);
    expect(e.digest_time).toEqual({ key: "plans.error_bad_time" });
    expect(e.plans).toEqual({ 2: { key: "plans.error_invalid_email", params: { address: "not-an-address" } } });
    expect(notificationErrorsEmpty(e)).toBe(false);
    expect(notificationErrorsEmpty(validateNotifications(notificationsFromConfig(CONFIG)))).toBe(true);
  });
  it("no time needed when the digest is off", () => {
    const v = { ...notificationsFromConfig(CONFIG), digest_frequency: "off", digest_time: "" };
    expect(validateNotifications(v).digest_time).toBeUndefined();
  });
  it("maps configure-module's field errors back to plan rows", () => {
    const payload = notificationsPayload(notificationsFromConfig(CONFIG));
    const e = mapNotificationErrors(
      [
        { field: "plan_notifications.0.plan_id", parameter: "plan_notifications", value: 2, error: "unknown_plan" },
        { field: "digest_time", error: "digest_time_pattern" },
      ],
      payload,
    );
    expect(e).toEqual({
      digest_time: { key: "plans.error_bad_time" },
      plans: { 2: { key: "plans.error_unknown_plan", params: { address: 2 } } },
    });
  });
});

describe("the settings manifest", () => {
  const manifest = JSON.parse(
    readFileSync(new URL("../../../../imageroot/pypkg/backup_monitor/settings.json", import.meta.url), "utf8"),
  );
  const spec = (name) => manifest.settings.find((s) => s.name === name && s.source === "action");

  it("gives the policy names, the digest's choices and the recipients limit", () => {
    expect(POLICIES).toEqual(spec("notify_policy").values);
    expect(FREQUENCIES).toEqual(spec("digest_frequency").values);
    expect(WEEKDAYS).toEqual(spec("digest_weekday").values);
    expect(MAX_RECIPIENTS).toBe(spec("plan_notifications").maxRecipients);
    expect(TIME_RE.source).toBe(manifest.patterns[spec("digest_time").pattern]);
  });
  it("gives the defaults of a configuration that says nothing or something unusable", () => {
    const defaults = {
      notify_policy: spec("notify_policy").default,
      digest_frequency: spec("digest_frequency").default,
      digest_weekday: spec("digest_weekday").default,
      digest_time: spec("digest_time").default,
      plans: [],
      rule_defaults: {
        failure_tolerance: spec("failure_tolerance").default,
        escalation_after: spec("escalation_after").default,
        max_run_duration: spec("max_run_duration").default,
      },
      rule_order: { plan_escalation: [], plan_max_run_duration: [] },
    };
    expect(notificationsFromConfig({})).toEqual(defaults);
    const unusable = { notify_policy: "loud", digest_frequency: 7, digest_weekday: "someday", digest_time: "25:00" };
    expect(notificationsFromConfig(unusable)).toEqual(defaults);
  });
  it("a plan row's recipients are checked against the manifest's limit", () => {
    const v = notificationsFromConfig(CONFIG);
    v.plans[0].mail_to = Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => `r${i}@example.org`).join(", ");
    expect(validateNotifications(v).plans[1]).toEqual({ key: "plans.error_too_many", params: { max: MAX_RECIPIENTS } });
    v.plans[0].mail_to = Array.from({ length: MAX_RECIPIENTS }, (_, i) => `r${i}@example.org`).join(", ");
    expect(validateNotifications(v).plans[1]).toBeUndefined();
  });
});

describe("translations", () => {
  it("every plans.* key exists in both languages", () => {
    const en = JSON.parse(
      readFileSync(new URL("../../../public/i18n/en/translation.json", import.meta.url), "utf8"),
    ).plans;
    const it_ = JSON.parse(
      readFileSync(new URL("../../../public/i18n/it/translation.json", import.meta.url), "utf8"),
    ).plans;
    expect(Object.keys(it_).sort()).toEqual(Object.keys(en).sort());
  });
});

describe("configure-module's errors on a plan row", () => {
  const en = JSON.parse(readFileSync(new URL("../../../public/i18n/en/translation.json", import.meta.url), "utf8"));
  // Every code plan_policies.py gives a plan row, read from its source so a new one cannot be missed.
  const source = readFileSync(
    new URL("../../../../imageroot/pypkg/backup_monitor/plan_policies.py", import.meta.url),
    "utf8",
  );
  const codes = [
    ...new Set([...source.matchAll(/'error': '([a-z_]+)'|\berr\(.*, '([a-z_]+)'\)$/gm)].map((m) => m[1] || m[2])),
  ];
  // Shape errors: the page builds a list of well-typed, distinct plan ids, so it cannot cause them.
  const SHAPE = ["invalid_type", "duplicate_plan"];

  it("finds the codes in plan_policies.py", () => {
    expect(codes).toEqual(expect.arrayContaining(["unknown_plan", "invalid_email", "recipients_unused"]));
  });
  test.each(codes.filter((c) => !SHAPE.includes(c)))("%s has its own words in the page", (code) => {
    const payload = notificationsPayload(notificationsFromConfig(CONFIG));
    const e = mapNotificationErrors(
      [{ field: "plan_notifications.0.mail_to", parameter: "plan_notifications", value: [], error: code }],
      payload,
    );
    const key = e.plans[payload.plan_notifications[0].plan_id].key;
    expect(key).not.toBe("plans.error_generic");
    expect(en.plans[key.replace(/^plans\./, "")]).toBeTruthy();
  });
});

describe("a list pasted into a plan's extra recipients (issue #21)", () => {
  test("one address is not a list: the browser pastes it as usual", () => {
    expect(pasteAddresses("", 0, 0, "owner@example.org")).toBe(null);
  });

  test("lines, commas and semicolons become one comma-separated list", () => {
    expect(pasteAddresses("", 0, 0, "a@example.org\nb@example.org;c@example.org")).toBe(
      "a@example.org, b@example.org, c@example.org",
    );
  });

  test("the list goes where the cursor is, replacing the selection", () => {
    const now = "x@example.org, OLD";
    expect(pasteAddresses(now, 15, 18, "a@example.org\nb@example.org")).toBe(
      "x@example.org, a@example.org, b@example.org",
    );
  });
});
