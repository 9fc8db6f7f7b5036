// SPDX-License-Identifier: GPL-3.0-or-later
// Acknowledge and snooze on the admin page (issue #24): the pure part. The actions are
// acknowledge-plan, snooze-plan, end-silence and list-silences (imageroot/actions/); their rules
// are imageroot/pypkg/backup_monitor/silences.py (a snooze ends within 30 days, or at the next
// full success).

/** The action's limit (silences.py MAX_SNOOZE_SECONDS). */
export const MAX_SNOOZE_SECONDS = 30 * 24 * 3600;
/** Outcomes that make a plan acknowledgeable (silences.py PROBLEMS). */
export const PROBLEMS = ["WARNING", "PARTIAL", "REPO_FAILURE", "MISSING"];

/** list-silences output -> {plan id: {acknowledged, snoozed}}. */
export function silencesByPlan(output) {
  const out = {};
  for (const s of (output && output.silences) || [])
    out[s.plan_id] = { acknowledged: s.acknowledged || null, snoozed: s.snoozed || null };
  return out;
}

/** A plan's silence after an action's output (acknowledge-plan, snooze-plan, end-silence). */
export function afterAction(current, output) {
  const next = { acknowledged: null, snoozed: null, ...(current || {}) };
  if (output && "acknowledged" in output) next.acknowledged = output.acknowledged;
  if (output && "snoozed" in output) next.snoozed = output.snoozed;
  if (output && output.ended) next[output.ended] = null;
  return next;
}

/** Whether the plan's last reported outcome can be acknowledged. */
export const canAcknowledge = (plan) => !!plan && PROBLEMS.includes(plan.last_outcome);

/**
 * snooze-plan's input from the form: `until` is a <input type="datetime-local"> value read in the
 * browser's time zone; `untilSuccess` alone is allowed. Returns {data} or {error: i18n key}; the
 * keys are the action's own validation codes under `silences.`, so both read the same.
 */
export function snoozeRequest(planId, { until, untilSuccess, comment }, nowS) {
  const data = { plan_id: planId };
  if (comment && comment.trim()) data.comment = comment.trim();
  if (untilSuccess) data.until_success = true;
  if (until) {
    const t = Math.floor(new Date(until).getTime() / 1000);
    if (!Number.isFinite(t)) return { error: "silences.until_invalid" };
    if (t <= nowS) return { error: "silences.snooze_in_past" };
    if (t > nowS + MAX_SNOOZE_SECONDS) return { error: "silences.snooze_too_long" };
    data.until = t;
  } else if (!untilSuccess) return { error: "silences.snooze_without_end" };
  return { data };
}

/** The datetime-local value (browser time) of unix s: the form's default and bounds. */
export function localInput(unixS) {
  const d = new Date(unixS * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * The plan a report links to (src/report/channel-message.ts planLink: #/apps/<id>?plan=<id>): from
 * the page's own route query or the cluster-admin URL's; null when absent or not a plan id.
 */
export function linkedPlan(...queries) {
  for (const q of queries) {
    const v = q && q.plan;
    if (typeof v === "string" && /^[1-9][0-9]{0,8}$/.test(v)) return Number(v);
  }
  return null;
}
