// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import {
  settingsForm,
  formFromConfig,
  payloadFromForm,
  validateForm,
  hasErrors,
  isEmail,
  mapValidationError,
  splitPastedList,
  pasteIntoRows,
  PAGE_ORDER,
  ACTION_SETTINGS,
  sectionOfField,
  invalidFields,
  fieldLabel,
  CHANNEL_KINDS,
  channelDescriptor,
  emptySecretEdits,
  secretsPayload,
  validateChannels,
} from "../settings-form.js";
import { splitDuration, toSeconds } from "../duration.js";
import { notificationsFromConfig, notificationsPayload } from "../plan-notifications.js";

describe("isEmail", () => {
  test.each([
    ["admin@example.org", true],
    ["first.last+tag@mail.example.co.uk", true],
    ["root@localhost", false],
    ["", false],
    ["no-at-sign", false],
    ["two@@example.org", false],
    ["space in@example.org", false],
    ["a@b.org, c@d.org", false],
    ["<x@example.org>", false],
    ["x@-bad.org", false],
  ])("%s -> %s", (addr, ok) => expect(isEmail(addr)).toBe(ok));
});

describe("durations", () => {
  test.each([
    [30, { value: 30, unit: "seconds" }],
    [3600, { value: 1, unit: "hours" }],
    [7200, { value: 2, unit: "hours" }],
    [691200, { value: 8, unit: "days" }],
    [90, { value: 90, unit: "seconds" }],
    [120, { value: 2, unit: "minutes" }],
    [0, { value: 0, unit: "minutes" }],
  ])("%i s shows as %o", (s, shown) => expect(splitDuration(s)).toEqual(shown));

  test.each([
    [{ value: "2", unit: "hours" }, 7200],
    [{ value: 1.5, unit: "minutes" }, 90],
    [{ value: "", unit: "hours" }, NaN],
    [{ value: "-1", unit: "days" }, NaN],
    [{ value: "abc", unit: "days" }, NaN],
  ])("%o is %d s", (v, s) => expect(toSeconds(v)).toBe(s));
});

describe("form <-> payload", () => {
  test("defaults fill a sparse configuration and survive the round trip", () => {
    const form = formFromConfig({ mail_to: ["a@example.org"] });
    const data = payloadFromForm(form);
    expect(data).toEqual({
      mail_to: ["a@example.org"],
      mail_from: "",
      subject_prefix: "[NS8 Backup]",
      language: "en",
      repo_check_enabled: true,
      wait_seconds: 30,
      recent_window: 3600,
      missed_run_grace: 7200,
      stale_age: 691200,
      reminder_interval: 86400,
      repo_check_timeout: 60,
      notify_policy: "problems",
      plan_notifications: [],
      digest_frequency: "weekly",
      digest_weekday: "mon",
      digest_time: "08:00",
      failure_tolerance: 1,
      escalation_after: 0,
      escalation_to: [],
      plan_escalation: "",
      max_run_duration: 0,
      plan_max_run_duration: "",
      cluster_admin_url: "",
      telegram_chat_id: "",
      telegram_level: "problems",
      telegram_plans: "",
      teams_level: "problems",
      teams_plans: "",
      ntfy_level: "problems",
      ntfy_plans: "",
      webhook_level: "problems",
      webhook_plans: "",
    });
  });

  test("a value of the wrong shape loads as its default", () => {
    const form = formFromConfig({ language: "fr", repo_check_enabled: "yes", wait_seconds: "9", mail_to: "a@x.org" });
    expect([form.language, form.repo_check_enabled, form.wait_seconds, form.mail_to]).toEqual([
      "en",
      true,
      { value: 30, unit: "seconds" },
      [],
    ]);
  });

  test("blank recipient rows are dropped and addresses trimmed", () => {
    const form = formFromConfig({ mail_to: [" a@example.org ", "", "b@example.org"] });
    expect(payloadFromForm(form).mail_to).toEqual(["a@example.org", "b@example.org"]);
  });
});

describe("validateForm", () => {
  const base = () => formFromConfig({ mail_to: ["a@example.org"] });

  test("a default form is valid", () => expect(hasErrors(validateForm(base()))).toBe(false));

  test("a bad and a duplicate recipient are flagged on their rows", () => {
    const form = base();
    form.mail_to.push("not-an-address", "A@example.org", "");
    const { recipientErrors } = validateForm(form);
    expect(recipientErrors).toEqual([
      null,
      { key: "settings.error_invalid_email" },
      { key: "settings.error_duplicate_email" },
      null,
    ]);
  });

  test.each([
    ["wait_seconds", { value: 2, unit: "hours" }, "settings.error_out_of_range"],
    ["recent_window", { value: 30, unit: "seconds" }, "settings.error_out_of_range"],
    ["stale_age", { value: "x", unit: "days" }, "settings.error_not_a_number"],
    ["reminder_interval", { value: 31, unit: "days" }, "settings.error_out_of_range"],
    ["repo_check_timeout", { value: 4, unit: "seconds" }, "settings.error_out_of_range"],
  ])("%s = %o -> %s", (field, value, key) => {
    const form = base();
    form[field] = value;
    expect(validateForm(form).errors[field].key).toBe(key);
  });

  test("reminder interval 0 means off and is valid", () => {
    const form = base();
    form.reminder_interval = { value: 0, unit: "days" };
    expect(validateForm(form).errors.reminder_interval).toBeUndefined();
  });

  test("sender and subject prefix", () => {
    const form = base();
    form.mail_from = "nope";
    form.subject_prefix = "x".repeat(81);
    const { errors } = validateForm(form);
    expect(errors.mail_from.key).toBe("settings.error_invalid_email");
    expect(errors.subject_prefix).toEqual({ key: "settings.error_too_long", params: { max: 80 } });
  });
});

describe("mapValidationError", () => {
  test.each([
    [
      { field: "mail_to.1", parameter: "mail_to", value: "x", error: "mail_to.1_format" },
      { field: "mail_to", index: 1, key: "settings.error_format" },
    ],
    [
      { field: "mail_to.0", parameter: "mail_to", value: "x", error: "invalid_email" },
      { field: "mail_to", index: 0, key: "settings.error_invalid_email" },
    ],
    [
      { field: "wait_seconds", parameter: "wait_seconds", value: 9999, error: "wait_seconds_number_lte" },
      { field: "wait_seconds", index: null, key: "settings.error_number_lte" },
    ],
    [
      { field: "language", parameter: "language", value: "fr", error: "language_enum" },
      { field: "language", index: null, key: "settings.error_enum" },
    ],
    [
      { field: "(root)", parameter: "mail_to", value: null, error: "mail_to_required" },
      { field: "mail_to", index: null, key: "settings.error_required" },
    ],
    [
      { field: "mail_to", parameter: "mail_to", value: ["a@x.org", "a@x.org"], error: "mail_to_unique" },
      { field: "mail_to", index: null, key: "settings.error_unique" },
    ],
    [
      { field: "mail_from", parameter: "mail_from", value: "x", error: "something_new" },
      { field: "mail_from", index: null, key: "settings.error_invalid" },
    ],
  ])("%o", (item, expected) => expect(mapValidationError(item)).toEqual(expected));
});

// Issue #20: configure-module fills an omitted field with its default, so a field the page
// leaves out of its payload is reset by every Save. The payload must carry every action setting.
describe("the page's configure-module payload", () => {
  const MANIFEST = JSON.parse(
    readFileSync(new URL("../../../../imageroot/pypkg/backup_monitor/settings.json", import.meta.url), "utf8"),
  );
  const actionNames = (m) => m.settings.filter((s) => s.source === "action").map((s) => s.name);
  const CONFIG = {
    mail_to: ["a@example.org"],
    notify_policy: "always",
    plan_notifications: [{ plan_id: 2, policy: "digest", mail_to: [] }],
    plans: [{ id: 2, name: "Weekly", destination: "NAS", schedule: "weekly", enabled: true }],
  };
  // What Settings.vue sends on Save: its own form plus the plan table's fields.
  const pagePayload = (form, config) =>
    form.payloadFromForm(form.formFromConfig(config), notificationsPayload(notificationsFromConfig(config)));

  test("covers every action setting of the manifest, and nothing else", () => {
    const payload = pagePayload(settingsForm(MANIFEST), CONFIG);
    expect(Object.keys(payload).sort()).toEqual(actionNames(MANIFEST).sort());
    expect(payloadFromForm(formFromConfig(CONFIG), notificationsPayload(notificationsFromConfig(CONFIG)))).toEqual(
      payload,
    );
  });

  test("the plan table's fields are action settings, and its edits win over the loaded values", () => {
    const notify = notificationsPayload(notificationsFromConfig(CONFIG));
    for (const name of Object.keys(notify)) expect(actionNames(MANIFEST)).toContain(name);
    const payload = payloadFromForm(formFromConfig(CONFIG), { ...notify, notify_policy: "off" });
    expect(payload.notify_policy).toBe("off");
    expect(() => payloadFromForm(formFromConfig(CONFIG), { not_a_setting: 1 })).toThrow(/not_a_setting/);
  });

  // A setting added by the documented recipe, with no widget on the page yet: each kind is sent
  // back as get-configuration loaded it, not as its default.
  const NEW_SETTINGS = [
    [{ type: "int", min: 0, max: 100, default: 5 }, 42],
    [{ type: "int", min: 0, max: 86400, default: 60, ui: "duration" }, 7200],
    [{ type: "bool", default: true }, false],
    [{ type: "enum", values: ["a", "b", "c"], default: "a" }, "c"],
    [{ type: "text", maxLength: 20, default: "x" }, "loaded text"],
    [{ type: "email", default: "" }, "me@example.org"],
    [{ type: "emails", maxItems: 5, default: [] }, ["b@example.org", "c@example.org"]],
    [{ type: "url", default: "" }, "https://example.org/hook"],
    [
      { type: "plan_policies", maxItems: 5, maxRecipients: 2, default: [] },
      [{ plan_id: 2, policy: "off", mail_to: [] }],
    ],
  ];
  test.each(NEW_SETTINGS)("a new %o setting keeps its loaded value %o", (spec, loaded) => {
    const copy = structuredClone(MANIFEST);
    copy.settings.push({ name: "new_setting", env: "NEW_SETTING", source: "action", description: "test", ...spec });
    const payload = pagePayload(settingsForm(copy), { ...CONFIG, new_setting: loaded });
    expect(Object.keys(payload).sort()).toEqual(actionNames(copy).sort());
    expect(payload.new_setting).toEqual(loaded);
    expect(payload.new_setting).not.toEqual(spec.default);
  });

  test("a setting get-configuration does not return is sent with its manifest default", () => {
    const copy = structuredClone(MANIFEST);
    copy.settings.push({
      name: "new_setting",
      env: "NEW_SETTING",
      source: "action",
      type: "int",
      min: 0,
      max: 9,
      default: 3,
    });
    expect(pagePayload(settingsForm(copy), CONFIG).new_setting).toBe(3);
  });

  test("settings that are not configure-module fields stay out", () => {
    const names = Object.keys(pagePayload(settingsForm(MANIFEST), CONFIG));
    for (const s of MANIFEST.settings.filter((s) => s.source !== "action")) expect(names).not.toContain(s.name);
  });
});

describe("a pasted list of recipients (issue #21)", () => {
  test.each([
    ["a@example.org, b@example.org", ["a@example.org", "b@example.org"]],
    ["a@example.org;b@example.org", ["a@example.org", "b@example.org"]],
    ["a@example.org\nb@example.org\r\nc@example.org\n", ["a@example.org", "b@example.org", "c@example.org"]],
    [" a@example.org ;\n, b@example.org ", ["a@example.org", "b@example.org"]],
  ])("%j is split into its addresses", (text, list) => expect(splitPastedList(text)).toEqual(list));

  test("one address is not a list: the browser pastes it as usual", () => {
    expect(pasteIntoRows(["", "x@example.org"], 0, "a@example.org")).toBe(null);
  });

  test("a list fills the empty row it was pasted into and adds a row per further address", () => {
    expect(pasteIntoRows(["x@example.org", "", "y@example.org"], 1, "a@example.org; b@example.org")).toEqual([
      "x@example.org",
      "a@example.org",
      "b@example.org",
      "y@example.org",
    ]);
  });

  test("pasted into a row that has an address, the list goes in the rows after it", () => {
    expect(pasteIntoRows(["x@example.org"], 0, "a@example.org\nb@example.org")).toEqual([
      "x@example.org",
      "a@example.org",
      "b@example.org",
    ]);
  });
});

describe("where the page shows each field (issue #21)", () => {
  test("every configure-module field has its place in the page order, once", () => {
    expect([...PAGE_ORDER].sort()).toEqual(ACTION_SETTINGS.map((s) => s.name).sort());
  });

  test("Timing and Destination check are the Advanced sections; the rest is always shown", () => {
    expect(sectionOfField("stale_age")).toBe("timing");
    expect(sectionOfField("reminder_interval")).toBe("timing");
    expect(sectionOfField("repo_check_timeout")).toBe("repo_check");
    expect(sectionOfField("mail_to")).toBe(null);
    expect(sectionOfField("digest_time")).toBe(null);
  });
});

describe("the list of invalid fields next to Save (issue #21)", () => {
  test("in page order: recipient rows, then the plan table, then the digest, then Advanced", () => {
    const list = invalidFields({
      fields: { stale_age: "Between 1 hour and 366 days", mail_from: "", digest_time: "Use HH:MM" },
      recipients: ["", "not an address", "duplicate"],
      plans: [
        { id: 3, error: "bad" },
        { id: 1, error: "" },
        { id: 2, error: "bad" },
      ],
    });
    expect(list).toEqual([
      { field: "mail_to", index: 1 },
      { field: "mail_to", index: 2 },
      { field: "plan_notifications", planId: 3 },
      { field: "plan_notifications", planId: 2 },
      { field: "digest_time" },
      { field: "stale_age" },
    ]);
  });

  test("nothing wrong, nothing listed", () => {
    expect(invalidFields({ fields: { mail_from: "" }, recipients: [""], plans: [] })).toEqual([]);
  });

  test("each entry is named as on the page", () => {
    expect(fieldLabel({ field: "mail_to", index: 1 })).toEqual({ key: "settings.recipient_n", params: { n: 2 } });
    expect(fieldLabel({ field: "plan_notifications", planId: 2 }, "Weekly SMB")).toEqual({
      key: "plans.recipients_for",
      params: { plan: "Weekly SMB" },
    });
    expect(fieldLabel({ field: "digest_time" })).toEqual({ key: "plans.digest_time_field", params: {} });
    expect(fieldLabel({ field: "notify_policy" })).toEqual({ key: "plans.default_policy", params: {} });
    expect(fieldLabel({ field: "stale_age" })).toEqual({ key: "settings.stale_age", params: {} });
  });

  test("every label key exists in both languages", () => {
    for (const lang of ["en", "it"]) {
      const t = JSON.parse(readFileSync(new URL(`../../../public/i18n/${lang}/translation.json`, import.meta.url)));
      for (const field of PAGE_ORDER) {
        const { key } = fieldLabel({ field, index: 0, planId: 1 }, "x");
        const [group, name] = key.split(".");
        expect(t[group][name], `${lang}: ${key}`).toBeTypeOf("string");
      }
    }
  });
});

describe("channels (issue #22)", () => {
  test("each channel's descriptor comes from the manifest: secret, texts, level, plans", () => {
    expect(channelDescriptor("telegram").fields.map((f) => [f.name, f.widget])).toEqual([
      ["telegram_bot_token", "secret"],
      ["telegram_chat_id", "text"],
      ["telegram_level", "select"],
      ["telegram_plans", "text"],
    ]);
    expect(channelDescriptor("ntfy").fields.map((f) => f.widget)).toEqual(["secret", "secret", "select", "text"]);
    expect(channelDescriptor("webhook").fields.map((f) => f.name)).toEqual([
      "webhook_url",
      "webhook_secret",
      "webhook_level",
      "webhook_plans",
    ]);
  });

  test('Save sends only the secrets the admin changed: a new value, or "" to remove it', () => {
    const edits = emptySecretEdits();
    expect(secretsPayload(edits)).toEqual({});
    edits.telegram_bot_token.value = " 123:abc ";
    edits.ntfy_token.clear = true;
    edits.webhook_secret.value = "   ";
    expect(secretsPayload(edits)).toEqual({ telegram_bot_token: "123:abc", ntfy_token: "" });
    expect(Object.keys(formFromConfig({}))).not.toContain("telegram_bot_token");
  });

  test("channel fields and new secrets are checked by the manifest's patterns", () => {
    const form = formFromConfig({
      cluster_admin_url: "leader.example.org",
      telegram_chat_id: "me",
      teams_plans: "2;3",
    });
    const edits = emptySecretEdits();
    edits.teams_webhook_url.value = "not a url";
    edits.webhook_secret.value = "it's";
    edits.ntfy_topic_url.value = "https://ntfy.example.org/topic";
    const errors = validateChannels(form, edits);
    expect(Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.key]))).toEqual({
      cluster_admin_url: "settings.channel_error_http_url",
      telegram_chat_id: "settings.channel_error_telegram_chat",
      teams_plans: "settings.channel_error_plan_ids",
      teams_webhook_url: "settings.channel_error_http_url",
      webhook_secret: "settings.channel_error_env_safe_line",
    });
    expect(validateChannels(formFromConfig({}), emptySecretEdits())).toEqual({});
  });

  test("every channel string exists in English and Italian", () => {
    for (const lang of ["en", "it"]) {
      const t = JSON.parse(readFileSync(new URL(`../../../public/i18n/${lang}/translation.json`, import.meta.url)));
      for (const kind of CHANNEL_KINDS) {
        for (const key of [`channel_${kind}`, `channel_${kind}_description`])
          expect(t.settings[key], `${lang} ${key}`).toBeTypeOf("string");
        for (const f of channelDescriptor(kind).fields)
          expect(t.settings[f.name], `${lang} ${f.name}`).toBeTypeOf("string");
      }
      for (const p of ["http_url", "plan_ids", "telegram_chat", "env_safe_line"])
        expect(t.settings[`channel_error_${p}`], `${lang} ${p}`).toBeTypeOf("string");
    }
  });
});

describe("failure tolerance and escalation recipients (issue #24 item 4)", () => {
  const base = () => formFromConfig({ mail_to: ["a@example.org"] });

  test("the tolerance typed in its field is sent as a number; escalation rows like the recipients", () => {
    const form = base();
    form.failure_tolerance = " 2 ";
    form.escalation_to = [" ops-escalation@example.org ", ""];
    const payload = payloadFromForm(form);
    expect(payload.failure_tolerance).toBe(2);
    expect(payload.escalation_to).toEqual(["ops-escalation@example.org"]);
  });

  test.each([
    ["0", "settings.error_out_of_range"],
    ["100", "settings.error_out_of_range"],
    ["two", "settings.error_not_a_number"],
    ["", "settings.error_not_a_number"],
  ])("tolerance %o -> %s, with the manifest's range", (value, key) => {
    const form = base();
    form.failure_tolerance = value;
    const { errors } = validateForm(form);
    expect(errors.failure_tolerance.key).toBe(key);
    if (key === "settings.error_out_of_range") expect(errors.failure_tolerance.params).toEqual({ min: 1, max: 99 });
    expect(hasErrors(validateForm(form))).toBe(true);
  });

  test("tolerance 1..99 is valid, as loaded or as typed", () => {
    for (const value of [1, "2", 99]) {
      const form = base();
      form.failure_tolerance = value;
      expect(validateForm(form).errors.failure_tolerance).toBeUndefined();
    }
  });

  test("a bad and a duplicate escalation recipient are flagged on their rows, like mail_to", () => {
    const form = base();
    form.escalation_to = ["ops@example.org", "nope", "OPS@example.org", ""];
    const result = validateForm(form);
    expect(result.escalationErrors).toEqual([
      null,
      { key: "settings.error_invalid_email" },
      { key: "settings.error_duplicate_email" },
      null,
    ]);
    expect(result.recipientErrors).toEqual([null]);
    expect(hasErrors(result)).toBe(true);
  });

  test("listed next to Save after the plan table, before Advanced, each row named", () => {
    const list = invalidFields({
      fields: { stale_age: "x", failure_tolerance: "Between 1 and 99", digest_time: "x" },
      recipients: ["bad"],
      escalation: ["", "bad"],
      plans: [{ id: 2, error: "bad" }],
    });
    expect(list).toEqual([
      { field: "mail_to", index: 0 },
      { field: "plan_notifications", planId: 2 },
      { field: "digest_time" },
      { field: "failure_tolerance" },
      { field: "escalation_to", index: 1 },
      { field: "stale_age" },
    ]);
    expect(fieldLabel({ field: "escalation_to", index: 1 })).toEqual({
      key: "settings.escalation_recipient_n",
      params: { n: 2 },
    });
    expect(fieldLabel({ field: "failure_tolerance" })).toEqual({ key: "settings.failure_tolerance", params: {} });
  });
});
