// SPDX-License-Identifier: GPL-3.0-or-later
// Settings form: conversions to and from the configure-module payload and client-side checks.
// Pure functions returning i18n keys, so the same rules are unit-tested without a browser.
import { splitDuration, toSeconds } from "./duration.js";

// The settings manifest (one source for the service, the actions and this page).
import manifest from "../../../imageroot/pypkg/backup_monitor/settings.json";

const copy = (value) => (value === undefined ? value : structuredClone(value));
const orDefault = (ok, value, s) => (ok ? copy(value) : copy(s.default));

// How each manifest type travels get-configuration -> form state -> configure-module. A value of
// the wrong shape loads as the default; `save` undoes `load`. Types without an entry of their own
// (text, url, module_id, timezone) are strings sent as they are.
const same = (v) => v;
// A number field holds what was typed ("2"): sent as the number it spells, anything else as is.
const wholeNumber = (v) => (typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v);
const CODECS = {
  int: { load: (s, v) => orDefault(Number.isInteger(v), v, s), save: wholeNumber },
  duration: { load: (s, v) => splitDuration(Number.isInteger(v) ? v : s.default), save: toSeconds },
  bool: { load: (s, v) => orDefault(typeof v === "boolean", v, s), save: (v) => !!v },
  enum: { load: (s, v) => orDefault(s.values.includes(v), v, s), save: same },
  email: { load: (s, v) => orDefault(typeof v === "string", v, s), save: (v) => v.trim() },
  // One form row per address: empty rows are dropped, addresses trimmed.
  emails: {
    load: (s, v) => orDefault(Array.isArray(v), v, s),
    save: (v) => v.map((a) => a.trim()).filter((a) => a !== ""),
  },
  plan_policies: { load: (s, v) => orDefault(Array.isArray(v), v, s), save: same },
  string: { load: (s, v) => orDefault(typeof v === "string", v, s), save: same },
};
const codecOf = (s) => CODECS[s.ui === "duration" ? "duration" : s.type] || CODECS.string;

/**
 * The form model and the payload of a manifest. The form holds every configure-module field as
 * get-configuration loaded it, so a field the page has no widget for goes back unchanged:
 * configure-module resets an omitted field to its default (issue #20).
 */
export function settingsForm(m) {
  const actionSettings = m.settings.filter((s) => s.source === "action");
  const byName = Object.fromEntries(actionSettings.map((s) => [s.name, s]));
  return {
    actionSettings,
    byName,
    /** get-configuration output -> form state (durations split into value + unit). */
    formFromConfig(config = {}) {
      return Object.fromEntries(actionSettings.map((s) => [s.name, codecOf(s).load(s, config[s.name])]));
    },
    /**
     * Form state -> configure-module input, every action setting in it. `edited`: the fields a
     * component keeps in a model of its own (the plan table); they replace the form's values.
     */
    payloadFromForm(form, edited = {}) {
      const unknown = Object.keys(edited).filter((name) => !(name in byName));
      if (unknown.length) throw new Error(`not configure-module fields: ${unknown.join(", ")}`);
      return Object.fromEntries(
        actionSettings.map((s) => [s.name, s.name in edited ? edited[s.name] : codecOf(s).save(form[s.name])]),
      );
    },
  };
}

const page = settingsForm(manifest);
export const { formFromConfig, payloadFromForm } = page;

/** The configure-module fields, in manifest order. */
export const ACTION_SETTINGS = page.actionSettings;

/** One configure-module field of the manifest; throws when the manifest has none of that name. */
export function actionSetting(name) {
  const s = page.byName[name];
  if (!s) throw new Error(`settings.json has no action setting ${name}`);
  return s;
}

/** get-configuration's value of setting `s` as the form holds it (its default when unusable). */
export const loadSetting = (s, value) => codecOf(s).load(s, value);

/** A setting's `pattern` (a name in the manifest's `patterns`) as a RegExp. */
export const settingPattern = (s) => new RegExp(manifest.patterns[s.pattern]);

/** Second-valued fields edited as value + unit: limits and defaults from the manifest. */
export const DURATIONS = Object.fromEntries(
  ACTION_SETTINGS.filter((s) => s.ui === "duration").map((s) => [
    s.name,
    { min: s.min, max: s.max, default: s.default },
  ]),
);

export const SUBJECT_PREFIX_MAX = actionSetting("subject_prefix").maxLength;
const TOLERANCE = actionSetting("failure_tolerance");
/** Failed runs in a row before a plan's first problem mail (issue #24 item 4): the manifest's range. */
export const FAILURE_TOLERANCE_RANGE = Object.freeze({ min: TOLERANCE.min, max: TOLERANCE.max });
export const LANGUAGES = actionSetting("language").values;

// Deliberately simple: one @, no spaces or address-list separators, a dotted host name (as
// configure-module's 10validate requires). The action has the final word on the rest
// (manifest.patterns.email): its validation-failed lands on the same field.
const EMAIL_RE =
  /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isEmail(value) {
  return typeof value === "string" && value.length <= 254 && EMAIL_RE.test(value.trim());
}

/** One entry (or null) per row of a recipient list: a bad address, or one already above it. */
export function recipientRowErrors(rows) {
  return rows.map((addr, i) => {
    const a = addr.trim();
    if (a === "") return null;
    if (!isEmail(a)) return { key: "settings.error_invalid_email" };
    const first = rows.findIndex((b) => b.trim().toLowerCase() === a.toLowerCase());
    return first < i ? { key: "settings.error_duplicate_email" } : null;
  });
}

function checkTolerance(value) {
  const n = wholeNumber(value);
  if (!Number.isInteger(n)) return { key: "settings.error_not_a_number" };
  const { min, max } = FAILURE_TOLERANCE_RANGE;
  return n < min || n > max ? { key: "settings.error_out_of_range", params: { min, max } } : null;
}

/**
 * Client-side checks. Returns {errors, recipientErrors, escalationErrors}: errors maps a field
 * name to {key, params}; the other two have one entry (or null) per row of mail_to and
 * escalation_to.
 */
export function validateForm(form) {
  const errors = {};
  const recipientErrors = recipientRowErrors(form.mail_to);
  const escalationErrors = recipientRowErrors(form.escalation_to || []);
  const tolerance = checkTolerance(form.failure_tolerance);
  if (tolerance) errors.failure_tolerance = tolerance;
  if (form.mail_from.trim() !== "" && !isEmail(form.mail_from)) {
    errors.mail_from = { key: "settings.error_invalid_email" };
  }
  if ([...form.subject_prefix].length > SUBJECT_PREFIX_MAX) {
    errors.subject_prefix = { key: "settings.error_too_long", params: { max: SUBJECT_PREFIX_MAX } };
  }
  for (const [name, limits] of Object.entries(DURATIONS)) {
    const err = checkDuration(form[name], limits);
    if (err) errors[name] = err;
  }
  return { errors, recipientErrors, escalationErrors };
}

function checkDuration(value, { min, max }) {
  const s = toSeconds(value);
  if (Number.isNaN(s)) return { key: "settings.error_not_a_number" };
  if (s < min || s > max) {
    const lo = splitDuration(min);
    const hi = splitDuration(max);
    return {
      key: "settings.error_out_of_range",
      params: { min: min === 0 ? 0 : lo.value, minUnit: lo.unit, max: hi.value, maxUnit: hi.unit },
    };
  }
  return null;
}

export function hasErrors({ errors, recipientErrors, escalationErrors = [] }) {
  return Object.keys(errors).length > 0 || [...recipientErrors, ...escalationErrors].some((e) => e !== null);
}

// Rules of the agent's JSON-schema check (gojsonschema types) and of 10validate that have
// their own message; anything else gets the generic "invalid value".
const KNOWN_RULES = new Set([
  "format",
  "invalid_email",
  "duplicate_email",
  "required",
  "invalid_type",
  "enum",
  "number_gte",
  "number_lte",
  "number_gt",
  "number_lt",
  "string_gte",
  "string_lte",
  "array_max_items",
  "unique",
  "additional_property_not_allowed",
]);

/**
 * One validation-failed item {field, parameter, value, error} -> where to show it and what to say.
 * `error` is either "<field path>_<rule>" (schema check) or a bare code (10validate).
 */
export function mapValidationError({ field, parameter, error }) {
  const path = String(field && field !== "(root)" ? field : parameter || "");
  const [name, index] = path.split(".");
  let rule = String(error || "");
  if (path && rule.startsWith(path + "_")) rule = rule.slice(path.length + 1);
  else if (name && rule.startsWith(name + "_")) rule = rule.slice(name.length + 1);
  const key = KNOWN_RULES.has(rule) ? `settings.error_${rule}` : "settings.error_invalid";
  return { field: name || null, index: index !== undefined && /^\d+$/.test(index) ? Number(index) : null, key };
}

// --- Where each field is on the page (issue #21) ---

/** A list pasted as one text: addresses separated by commas, semicolons or line breaks. */
export function splitPastedList(text) {
  return String(text || "")
    .split(/[,;\r\n]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Recipient rows after `text` is pasted into row `index`; null when the text is one address (the
 * browser pastes it as usual). The list fills an empty row and takes one new row per address;
 * pasted into a row that has an address, it goes into new rows after it.
 */
export function pasteIntoRows(rows, index, text) {
  const list = splitPastedList(text);
  if (list.length < 2) return null;
  const keep = rows[index] && rows[index].trim() !== "" ? [rows[index]] : [];
  return [...rows.slice(0, index), ...keep, ...list, ...rows.slice(index + 1)];
}

// The sections behind the "Advanced" accordion, each with its fields in page order.
const TIMING = Object.keys(DURATIONS).filter((name) => name !== "repo_check_timeout");
export const ADVANCED_SECTIONS = Object.freeze({
  timing: TIMING,
  repo_check: ["repo_check_enabled", "repo_check_timeout"],
});

/** The configure-module fields in the order the page shows them. */
export const PAGE_ORDER = Object.freeze([
  "mail_to",
  "mail_from",
  "subject_prefix",
  "language",
  "notify_policy",
  "plan_notifications",
  "digest_frequency",
  "digest_weekday",
  "digest_time",
  // Issue #24: failure tolerance and escalation (escalation_after is a duration, in Timing).
  "failure_tolerance",
  "escalation_to",
  "plan_escalation",
  // Issue #24 item 5: per plan (max_run_duration is a duration, in Timing).
  "plan_max_run_duration",
  ...ADVANCED_SECTIONS.timing,
  ...ADVANCED_SECTIONS.repo_check,
  // Issue #22: the Channels section, in manifest order (cluster_admin_url, then each channel's fields).
  ...manifest.settings
    .filter((s) => s.source === "action" && /^(cluster_admin_url|telegram_|teams_|ntfy_|webhook_)/.test(s.name))
    .map((s) => s.name),
]);

/** The Advanced section a field sits in ("timing", "repo_check"), or null when always shown. */
export function sectionOfField(name) {
  const hit = Object.entries(ADVANCED_SECTIONS).find(([, fields]) => fields.includes(name));
  return hit ? hit[0] : null;
}

/**
 * The fields that show an error, in page order, for the list next to Save. `fields`: field name ->
 * message ("" when fine); `recipients` and `escalation`: one message per row of mail_to and
 * escalation_to; `plans`: the plan table's rows in order, {id, error}. Entries: {field}, {field:
 * "mail_to" | "escalation_to", index}, {field: "plan_notifications", planId}.
 */
export function invalidFields({ fields = {}, recipients = [], escalation = [], plans = [] }) {
  const out = [];
  const rows = { mail_to: recipients, escalation_to: escalation };
  for (const field of PAGE_ORDER) {
    if (field in rows) {
      rows[field].forEach((e, index) => e && out.push({ field, index }));
      if (fields[field]) out.push({ field });
    } else if (field === "plan_notifications") {
      // `on`: the row's field that shows it when not the recipients (issue #24: the per-plan rules).
      for (const p of plans) if (p.error) out.push(p.on ? { field, planId: p.id, on: p.on } : { field, planId: p.id });
    } else if (fields[field]) out.push({ field });
  }
  return out;
}

// Fields whose label lives with the plan table (plans.*), or has a longer name out of context.
const LABEL_KEYS = {
  notify_policy: "plans.default_policy",
  digest_frequency: "plans.digest_frequency",
  digest_weekday: "plans.digest_weekday",
  digest_time: "plans.digest_time_field",
  mail_to: "settings.recipients",
};

// A plan row's fields besides its recipients, by the `on` of an invalidFields() entry (issue #24).
const PLAN_ROW_LABELS = {
  tolerance: "plans.rules_tolerance_for",
  escalation_after: "plans.rules_escalation_time_for",
  max_run_duration: "plans.rules_max_run_for",
};

/** The name of an invalidFields() entry as the page shows it: {key, params} for $t. */
// The label of one row of a recipient list (its field name without a row: LABEL_KEYS).
export const RECIPIENT_ROW_LABELS = Object.freeze({
  mail_to: "settings.recipient_n",
  escalation_to: "settings.escalation_recipient_n",
});

export function fieldLabel(entry, planName = "") {
  if (entry.field in RECIPIENT_ROW_LABELS && entry.index !== undefined)
    return { key: RECIPIENT_ROW_LABELS[entry.field], params: { n: entry.index + 1 } };
  if (entry.field === "plan_notifications")
    return { key: PLAN_ROW_LABELS[entry.on] || "plans.recipients_for", params: { plan: planName } };
  return { key: LABEL_KEYS[entry.field] || `settings.${entry.field}`, params: {} };
}

// --- Channels besides email (issue #22) ---

/** The secrets of the manifest (`"source": "secret"`): never loaded, only "set" / "not set". */
export const SECRET_SETTINGS = manifest.settings.filter((s) => s.source === "secret");

/** The channels of the Channels section, in the order the page shows them. */
export const CHANNEL_KINDS = Object.freeze(["telegram", "teams", "ntfy", "webhook"]);

/**
 * One channel's descriptor, from the manifest: its fields in manifest order (a secret, a text,
 * its level, its plans), so a fifth channel needs no code here, only its manifest entries.
 */
export function channelDescriptor(kind) {
  const fields = manifest.settings
    .filter((s) => s.name.startsWith(kind + "_") && (s.source === "action" || s.source === "secret"))
    .map((s) => ({
      name: s.name,
      widget: s.source === "secret" ? "secret" : s.type === "enum" ? "select" : "text",
      values: s.values || null,
      optional: !!s.optional,
    }));
  return { kind, fields };
}

/** Each secret's edit: a new value typed in its replace field, or `clear`; neither keeps it. */
export const emptySecretEdits = () =>
  Object.fromEntries(SECRET_SETTINGS.map((s) => [s.name, { value: "", clear: false }]));

/** The configure-module fields of the secrets the admin changed: new text, or "" to clear. */
export function secretsPayload(edits) {
  const out = {};
  for (const s of SECRET_SETTINGS) {
    const e = edits[s.name];
    if (!e) continue;
    if (e.clear) out[s.name] = "";
    else if (e.value.trim() !== "") out[s.name] = e.value.trim();
  }
  return out;
}

const byAnyName = Object.fromEntries(manifest.settings.map((s) => [s.name, s]));

/** One text of a channel against its manifest rule: null, or the i18n key of the problem. */
function channelTextError(s, value) {
  if ([...value].length > s.maxLength) return { key: "settings.error_too_long", params: { max: s.maxLength } };
  if (s.pattern && !settingPattern(s).test(value)) return { key: `settings.channel_error_${s.pattern}` };
  return null;
}

/**
 * Client-side checks of the Channels section: the cluster-admin address, each channel's texts and
 * each new secret, by the manifest's patterns. Returns {field name: {key, params}}.
 */
export function validateChannels(form, edits) {
  const errors = {};
  const check = (name, value) => {
    const e = channelTextError(byAnyName[name], value);
    if (e) errors[name] = e;
  };
  check("cluster_admin_url", form.cluster_admin_url || "");
  for (const kind of CHANNEL_KINDS) {
    for (const f of channelDescriptor(kind).fields) {
      if (f.widget === "text") check(f.name, form[f.name] || "");
      else if (f.widget === "secret" && edits[f.name] && !edits[f.name].clear && edits[f.name].value.trim())
        check(f.name, edits[f.name].value.trim());
    }
  }
  return errors;
}
