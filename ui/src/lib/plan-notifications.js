// SPDX-License-Identifier: GPL-3.0-or-later
// Who hears about which plan (issue #14): the Settings page's plan table and digest schedule.
// Pure functions (rows from get-configuration, payload for configure-module, client-side checks
// returning i18n keys, schedules in words) so they are unit-tested without a browser.
import { actionSetting, isEmail, loadSetting, settingPattern } from "./settings-form.js";
import {
  mapRuleErrors,
  ruleDefaultsFromConfig,
  ruleOrderFromConfig,
  ruleRowError,
  ruleRowsFromConfig,
  rulesPayload,
} from "./plan-notifications-rules.js";

// Names, limits and defaults of the settings this component edits, from the settings manifest.
const DEFAULT_POLICY = actionSetting("notify_policy");
const PER_PLAN = actionSetting("plan_notifications");
const FREQUENCY = actionSetting("digest_frequency");
const WEEKDAY = actionSetting("digest_weekday");
const TIME = actionSetting("digest_time");

export const POLICIES = DEFAULT_POLICY.values;
// "default" is a plan entry's own word for "follow notify_policy" (see plan_notifications).
export const PLAN_POLICIES = ["default", ...POLICIES];
export const FREQUENCIES = FREQUENCY.values;
export const WEEKDAYS = WEEKDAY.values;
export const TIME_RE = settingPattern(TIME);
export const MAX_RECIPIENTS = PER_PLAN.maxRecipients;

const DAY_NAMES = { sun: "sun", mon: "mon", tue: "tue", wed: "wed", thu: "thu", fri: "fri", sat: "sat" };
const SHORTHANDS = {
  hourly: "*-*-* *:00:00",
  daily: "*-*-* 00:00:00",
  weekly: "Mon *-*-* 00:00:00",
  monthly: "*-*-01 00:00:00",
};

/** Addresses typed in one field: separated by commas, semicolons or spaces. */
export function splitAddresses(text) {
  return String(text || "")
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A plan's OnCalendar schedule in words, from the expression itself (never from schedule_hint:
 * plans made through the API have an empty hint, NS8.md §9.1). Returns {key, params}; anything
 * outside the four forms cluster-admin writes (and systemd's shorthands) is shown as written.
 */
export function scheduleInWords(expr) {
  const raw = String(expr || "").trim();
  const s = SHORTHANDS[raw.toLowerCase()] || raw;
  let m = /^\*-\*-\* \*:(\d{2}):00$/.exec(s);
  if (m) return { key: "plans.every_hour", params: { minute: m[1] } };
  m = /^\*-\*-\* (\d{2}:\d{2}):00$/.exec(s);
  if (m) return { key: "plans.every_day", params: { time: m[1] } };
  m = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \*-\*-\* (\d{2}:\d{2}):00$/.exec(s);
  if (m) return { key: "plans.every_week", params: { day: DAY_NAMES[m[1].toLowerCase()], time: m[2] } };
  m = /^\*-\*-(\d{2}) (\d{2}:\d{2}):00$/.exec(s);
  if (m) return { key: "plans.every_month", params: { day: String(Number(m[1])), time: m[2] } };
  return { key: "plans.custom_schedule", params: { expr: raw || "–" } };
}

/** get-configuration output -> the component's value. */
export function notificationsFromConfig(config = {}) {
  const own = new Map((config.plan_notifications || []).map((e) => [e.plan_id, e]));
  // Issue #24: each row also holds the plan's failure tolerance, escalation and maximum run duration.
  const ruleDefaults = ruleDefaultsFromConfig(config);
  const rulesOf = ruleRowsFromConfig(config, ruleDefaults);
  return {
    notify_policy: loadSetting(DEFAULT_POLICY, config.notify_policy),
    digest_frequency: loadSetting(FREQUENCY, config.digest_frequency),
    digest_weekday: loadSetting(WEEKDAY, config.digest_weekday),
    digest_time: TIME_RE.test(config.digest_time || "") ? config.digest_time : TIME.default,
    plans: (config.plans || []).map((p) => ({
      id: p.id,
      name: p.name,
      destination: p.destination,
      schedule: p.schedule,
      enabled: p.enabled !== false,
      policy: (own.get(p.id) && own.get(p.id).policy) || "default",
      mail_to: ((own.get(p.id) && own.get(p.id).mail_to) || []).join(", "),
      ...rulesOf(p.id),
    })),
    rule_defaults: ruleDefaults,
    rule_order: ruleOrderFromConfig(config),
  };
}

/** The component's value -> configure-module fields. Rows that say nothing are left out. */
export function notificationsPayload(value) {
  return {
    notify_policy: value.notify_policy,
    digest_frequency: value.digest_frequency,
    digest_weekday: value.digest_weekday,
    digest_time: value.digest_time.trim(),
    plan_notifications: value.plans
      // A digest or off plan is never mailed on its own: its (disabled) recipients field is not
      // sent, configure-module would refuse it (recipients_unused).
      .map((p) => ({
        plan_id: p.id,
        policy: p.policy,
        mail_to: p.policy === "digest" || p.policy === "off" ? [] : splitAddresses(p.mail_to),
      }))
      .filter((e) => e.policy !== "default" || e.mail_to.length > 0),
    ...rulesPayload(value),
  };
}

/**
 * Client-side checks: {digest_time?, plans: {<plan id>: {key, params, field?}}}; empty when fine.
 * One problem per row; `field` names where it is (tolerance, escalation_after, max_run_duration),
 * none for the recipients.
 */
export function validateNotifications(value) {
  const errors = { plans: {} };
  if (value.digest_frequency !== "off" && !TIME_RE.test(value.digest_time.trim()))
    errors.digest_time = { key: "plans.error_bad_time" };
  for (const p of value.plans) {
    const list = splitAddresses(p.mail_to);
    const bad = list.find((a) => !isEmail(a));
    if (bad) errors.plans[p.id] = { key: "plans.error_invalid_email", params: { address: bad } };
    else if (list.length > MAX_RECIPIENTS)
      errors.plans[p.id] = { key: "plans.error_too_many", params: { max: MAX_RECIPIENTS } };
    else if (ruleRowError(p)) errors.plans[p.id] = ruleRowError(p);
  }
  return errors;
}

/**
 * A configure-module error the plan table shows (mapNotificationErrors): the per-plan policies and
 * recipients, the digest, and (issue #24) the per-plan rules' texts, which have no field of their own.
 */
export const isNotificationError = (e) =>
  /^(plan_notifications|plan_escalation|plan_max_run_duration|digest_)/.test(String(e.field || e.parameter || ""));

export const notificationErrorsEmpty = (e) => !e.digest_time && Object.keys(e.plans).length === 0;

/**
 * configure-module validation-failed entries -> the same shape as validateNotifications.
 * `plan_notifications.<i>.<field>` points into the payload, so `payload` maps i to the plan id.
 */
export function mapNotificationErrors(entries, payload) {
  const errors = { plans: {} };
  for (const e of entries || []) {
    const field = String(e.field || e.parameter || "");
    if (field === "digest_time") errors.digest_time = { key: "plans.error_bad_time" };
    const m = /^plan_notifications\.(\d+)/.exec(field);
    if (m && payload.plan_notifications[Number(m[1])]) {
      const key =
        {
          unknown_plan: "plans.error_unknown_plan",
          invalid_email: "plans.error_invalid_email",
          unknown_policy: "plans.error_unknown_policy",
          recipients_unused: "plans.error_recipients_unused",
          too_many_recipients: "plans.error_too_many",
        }[e.error] || "plans.error_generic";
      const params = e.error === "too_many_recipients" ? { max: MAX_RECIPIENTS } : { address: e.value };
      errors.plans[payload.plan_notifications[Number(m[1])].plan_id] = { key, params };
    }
  }
  // Issue #24: the per-plan rules' texts, on the row whose entry was refused.
  errors.plans = { ...mapRuleErrors(entries, payload), ...errors.plans };
  return errors;
}

/**
 * A plan's extra recipients after `text` is pasted over characters start..end of `current`; null
 * when the text is one address (the browser pastes it as usual). A list (one per line, or
 * separated by commas or semicolons) becomes one comma-separated list: a one-line field would
 * otherwise glue the lines together.
 */
export function pasteAddresses(current, start, end, text) {
  if (!/[,;\r\n]/.test(String(text || "").trim())) return null;
  const value = String(current || "");
  return splitAddresses(value.slice(0, start) + "," + text + "," + value.slice(end)).join(", ");
}
