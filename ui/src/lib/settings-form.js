// SPDX-License-Identifier: GPL-3.0-or-later
// Settings form: conversions to and from the configure-module payload and client-side checks.
// Pure functions returning i18n keys, so the same rules are unit-tested without a browser.
import { splitDuration, toSeconds } from "./duration.js";

// The settings manifest (one source for the service, the actions and this page).
import manifest from "../../../imageroot/pypkg/backup_monitor/settings.json";

/** The configure-module fields, in manifest order. */
export const ACTION_SETTINGS = manifest.settings.filter((s) => s.source === "action");
const byName = Object.fromEntries(ACTION_SETTINGS.map((s) => [s.name, s]));

/** Second-valued fields edited as value + unit: limits and defaults from the manifest. */
export const DURATIONS = Object.fromEntries(
  ACTION_SETTINGS.filter((s) => s.ui === "duration").map((s) => [
    s.name,
    { min: s.min, max: s.max, default: s.default },
  ]),
);

export const SUBJECT_PREFIX_MAX = byName.subject_prefix.maxLength;
export const LANGUAGES = byName.language.values;

// Deliberately simple: one @, no spaces or address-list separators, a dotted host name (as
// configure-module's 10validate requires). The action has the final word on the rest
// (manifest.patterns.email): its validation-failed lands on the same field.
const EMAIL_RE =
  /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isEmail(value) {
  return typeof value === "string" && value.length <= 254 && EMAIL_RE.test(value.trim());
}

/** get-configuration output -> form state (durations split into value + unit). */
export function formFromConfig(config = {}) {
  const form = {
    mail_to: Array.isArray(config.mail_to) ? [...config.mail_to] : [],
    mail_from: config.mail_from || "",
    subject_prefix: config.subject_prefix ?? byName.subject_prefix.default,
    language: LANGUAGES.includes(config.language) ? config.language : byName.language.default,
    repo_check_enabled: config.repo_check_enabled !== false,
  };
  for (const [name, limits] of Object.entries(DURATIONS)) {
    form[name] = splitDuration(config[name] ?? limits.default);
  }
  return form;
}

/** Form state -> configure-module input. Empty recipient rows are dropped. */
export function payloadFromForm(form) {
  const data = {
    mail_to: form.mail_to.map((s) => s.trim()).filter((s) => s !== ""),
    mail_from: form.mail_from.trim(),
    subject_prefix: form.subject_prefix,
    language: form.language,
    repo_check_enabled: !!form.repo_check_enabled,
  };
  for (const name of Object.keys(DURATIONS)) data[name] = toSeconds(form[name]);
  return data;
}

/**
 * Client-side checks. Returns {errors, recipientErrors}: errors maps a field name to
 * {key, params}; recipientErrors has one entry (or null) per recipient row.
 */
export function validateForm(form) {
  const errors = {};
  const recipientErrors = form.mail_to.map((addr, i) => {
    const a = addr.trim();
    if (a === "") return null;
    if (!isEmail(a)) return { key: "settings.error_invalid_email" };
    const first = form.mail_to.findIndex((b) => b.trim().toLowerCase() === a.toLowerCase());
    return first < i ? { key: "settings.error_duplicate_email" } : null;
  });
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
  return { errors, recipientErrors };
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

export function hasErrors({ errors, recipientErrors }) {
  return Object.keys(errors).length > 0 || recipientErrors.some((e) => e !== null);
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
