// SPDX-License-Identifier: GPL-3.0-or-later
// Per-plan failure tolerance, escalation and maximum run duration (issue #24 items 4 and 5) on the
// plan table. The manifest keeps them as two texts, plan_escalation (`<id>:<failed runs>:<escalation
// seconds>`) and plan_max_run_duration (`<id>:<seconds>`, 0 = from the plan's history); the page
// edits them as fields of each plan row. Pure functions, unit-tested without a browser.
import { splitDuration, toSeconds } from "./duration.js";
import { actionSetting, settingPattern } from "./settings-form.js";

const TOLERANCE = actionSetting("failure_tolerance");
const ESCALATION = actionSetting("escalation_after");
const MAX_RUN = actionSetting("max_run_duration");
const PLAN_ESCALATION = actionSetting("plan_escalation");
const PLAN_MAX_RUN = actionSetting("plan_max_run_duration");

export const TOLERANCE_RANGE = Object.freeze({ min: TOLERANCE.min, max: TOLERANCE.max });
// A plan escalating sooner than a minute would escalate the first failure; no longer than every plan may.
export const ESCALATION_RANGE = Object.freeze({ min: 60, max: ESCALATION.max });
// The plan_max_run_duration pattern's range (60-86400 s); 0 is the "from its history" choice.
export const MAX_RUN_RANGE = Object.freeze({ min: 60, max: MAX_RUN.max });

// Where a field of a plan without its own value starts when the admin picks "after" / "maximum".
const USUAL_ESCALATION_SECONDS = 86400;
const USUAL_MAX_RUN_SECONDS = 7200;

const intOr = (v, fallback) => (Number.isInteger(v) ? v : fallback);

/** `5:3:7200,2:1:0` -> [[5, [3, 7200]], [2, [1, 0]]] (entries that are not numbers are skipped). */
function parseEntries(text) {
  return String(text || "")
    .split(",")
    .map((e) => e.split(":").map((x) => (/^\d+$/.test(x) ? Number(x) : NaN)))
    .filter((nums) => nums.length > 1 && nums.every(Number.isInteger))
    .map(([id, ...rest]) => [id, rest]);
}

/** The cluster-wide values a plan without its own rule follows, from get-configuration. */
export function ruleDefaultsFromConfig(config) {
  return {
    failure_tolerance: intOr(config.failure_tolerance, TOLERANCE.default),
    escalation_after: intOr(config.escalation_after, ESCALATION.default),
    max_run_duration: intOr(config.max_run_duration, MAX_RUN.default),
  };
}

/**
 * The cluster-wide values a plan without its own rule follows, from the Settings form as the admin
 * edits it (the same page sets them): the "Default (…)" labels and a saved entry use what will be
 * saved, not what was loaded. A field being typed that is no number keeps its `loaded` value.
 */
export function ruleDefaultsFromForm(form, loaded) {
  const seconds = (v) => (v && typeof v === "object" ? toSeconds(v) : v);
  // A text field holds the tolerance as typed ("4").
  const count = (v) => (typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v);
  return {
    failure_tolerance: intOr(count(form.failure_tolerance), loaded.failure_tolerance),
    escalation_after: intOr(seconds(form.escalation_after), loaded.escalation_after),
    max_run_duration: intOr(seconds(form.max_run_duration), loaded.max_run_duration),
  };
}

/** The loaded entries' plan ids in their order: a save without changes keeps it. */
export function ruleOrderFromConfig(config) {
  return {
    plan_escalation: parseEntries(config.plan_escalation).map(([id]) => id),
    plan_max_run_duration: parseEntries(config.plan_max_run_duration).map(([id]) => id),
  };
}

/** Plan id -> the fields of its row, from the loaded texts and the cluster-wide values. */
export function ruleRowsFromConfig(config, defaults) {
  const escalation = new Map(parseEntries(config.plan_escalation));
  const maximum = new Map(parseEntries(config.plan_max_run_duration));
  return (planId) => {
    const [tolerance, after] = escalation.get(planId) || [];
    const [max] = maximum.get(planId) || [];
    const hasEscalation = tolerance !== undefined;
    return {
      tolerance: hasEscalation ? String(tolerance) : "",
      escalation: !hasEscalation ? "default" : after === 0 ? "never" : "after",
      escalation_after: splitDuration(after || defaults.escalation_after || USUAL_ESCALATION_SECONDS),
      max_run: max === undefined ? "default" : max === 0 ? "history" : "maximum",
      max_run_duration: splitDuration(max || defaults.max_run_duration || USUAL_MAX_RUN_SECONDS),
    };
  };
}

/** A row's plan_escalation entry, or null when it follows the cluster-wide values. */
function escalationEntry(p, defaults) {
  const tolerance = String(p.tolerance).trim();
  if (tolerance === "" && p.escalation === "default") return null;
  const failedRuns = tolerance === "" ? defaults.failure_tolerance : Number(tolerance);
  const seconds =
    p.escalation === "never" ? 0 : p.escalation === "after" ? toSeconds(p.escalation_after) : defaults.escalation_after;
  return `${p.id}:${failedRuns}:${seconds}`;
}

/** A row's plan_max_run_duration entry, or null when it follows max_run_duration. */
function maxRunEntry(p) {
  if (p.max_run === "history") return `${p.id}:0`;
  if (p.max_run === "maximum") return `${p.id}:${toSeconds(p.max_run_duration)}`;
  return null;
}

/** Entries in the loaded order, then the plans that got a rule now, in table order. */
function joinInOrder(rows, entryOf, order) {
  const entries = new Map(rows.map((p) => [p.id, entryOf(p)]).filter(([, e]) => e !== null));
  const ids = [...order.filter((id) => entries.has(id)), ...rows.map((p) => p.id).filter((id) => !order.includes(id))];
  return [...new Set(ids)]
    .filter((id) => entries.has(id))
    .map((id) => entries.get(id))
    .join(",");
}

/** The plan table's value -> the two configure-module texts. Rows of removed plans are gone, and so are their rules. */
export function rulesPayload(value) {
  const order = value.rule_order || { plan_escalation: [], plan_max_run_duration: [] };
  return {
    plan_escalation: joinInOrder(value.plans, (p) => escalationEntry(p, value.rule_defaults), order.plan_escalation),
    plan_max_run_duration: joinInOrder(value.plans, maxRunEntry, order.plan_max_run_duration),
  };
}

function durationError(duration, { min, max }) {
  const s = toSeconds(duration);
  if (Number.isNaN(s)) return { key: "settings.error_not_a_number" };
  if (s >= min && s <= max) return null;
  const lo = splitDuration(min);
  const hi = splitDuration(max);
  return {
    key: "settings.error_out_of_range",
    params: { min: lo.value, minUnit: lo.unit, max: hi.value, maxUnit: hi.unit },
  };
}

/** A row's first problem: {field, key, params?}, or null. Durations of a mode that does not use them are not checked. */
export function ruleRowError(p) {
  const tolerance = String(p.tolerance).trim();
  if (tolerance !== "") {
    const n = /^\d+$/.test(tolerance) ? Number(tolerance) : NaN;
    if (!(n >= TOLERANCE_RANGE.min && n <= TOLERANCE_RANGE.max))
      return { field: "tolerance", key: "settings.error_out_of_range", params: { ...TOLERANCE_RANGE } };
  }
  const checks = [
    ["escalation_after", p.escalation === "after", ESCALATION_RANGE],
    ["max_run_duration", p.max_run === "maximum", MAX_RUN_RANGE],
  ];
  for (const [field, used, range] of checks) {
    const e = used && durationError(p[field], range);
    if (e) return { field, ...e };
  }
  return null;
}

// The action checks each text as a whole (error "<setting>_pattern"): the entry that fails the same
// pattern on its own names the row; its first field is where the admin starts.
const RULE_SETTINGS = {
  plan_escalation: { re: settingPattern(PLAN_ESCALATION), field: "tolerance" },
  plan_max_run_duration: { re: settingPattern(PLAN_MAX_RUN), field: "max_run_duration" },
};

/** configure-module errors of the two texts -> {<plan id>: {field, key}} (the plan table's rows). */
export function mapRuleErrors(entries, payload) {
  const out = {};
  for (const e of entries || []) {
    const name = String(e.field || e.parameter || "").split(".")[0];
    const rule = RULE_SETTINGS[name];
    if (!rule || typeof payload[name] !== "string") continue;
    const parts = payload[name].split(",").filter(Boolean);
    const bad = parts.filter((part) => !rule.re.test(part));
    for (const part of bad.length ? bad : parts.slice(0, 1))
      out[Number(part.split(":")[0])] = { field: rule.field, key: "plans.error_rule_refused" };
  }
  return out;
}
