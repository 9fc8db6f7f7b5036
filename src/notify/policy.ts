// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: who hears about which plan, and how often (issue #14).
//
// Every plan has a notification policy; a plan without its own follows the default policy
// (NOTIFY_POLICY, default `problems`), so a new plan is covered the moment it exists, and the entry
// of a removed plan is simply never looked up again (plan ids are never reused, NS8.md §1.2).
// - `always`   every run is mailed, successes included;
// - `problems` everything that is not a plain success: failures, warnings (every outcome other
//              than SUCCESS is a problem), missed runs, reminders, and the one recovery mail;
// - `digest`   nothing per run: the plan is told in the digest only;
// - `off`      nothing mailed and absent from the digest: only the status page shows the plan.
// A run that is not mailed still updates the plan state and the run log, so the status page and
// the digest know about it; the mail decision itself stays in decide.ts (named reasons), this file
// only says whether the reason reaches a mailbox.
//
// Per-plan extra recipients are added to the global list, without duplicates (compared without
// case, first spelling kept), and become the SMTP envelope of that plan's reports.
//
// The PLAN_POLICIES line and its codec: src/plan-policies.ts (re-exported here).
import type { NotifySettings, Policy } from '../domain/policy.js';
import { dedupe } from '../plan-policies.js';
import type { NotifyReason } from '../domain/records.js';

export {
  dedupe,
  formatPlanPolicies,
  mailbox,
  isEmail,
  LIMITS,
  type ParsedPlanPolicies,
  parsePlanPolicies,
  planPoliciesFromList,
  type PolicyProblem,
} from '../plan-policies.js';

export function policyOf(s: NotifySettings, planId: number): Policy {
  return s.plans.get(planId)?.policy ?? s.defaultPolicy;
}

/** Where a decided run goes. Named, never a boolean. */
export type Route = 'mail' | 'digest-only' | 'status-only' | 'none';

/**
 * PURE: a reason from decide.ts + the plan's policy -> where the run is told. `success` is only
 * produced by decide when the policy is `always` (notifyOnSuccess below), so `problems` never
 * mails a plain success but does mail the recovery.
 */
export function routeOf(reason: NotifyReason, policy: Policy): Route {
  if (reason === 'duplicate') return 'none';
  if (policy === 'off') return 'status-only';
  if (policy === 'digest') return 'digest-only';
  if (reason === 'muted') return 'digest-only';
  if (reason === 'success') return policy === 'always' ? 'mail' : 'digest-only';
  return 'mail';
}

/**
 * decide.ts options for a policy: plain successes are news when `always` mails them or, issue #22,
 * when a channel besides email takes them (`othersTakeSuccess`, a channel at level `every`): the
 * reason is then 'success', and routeOf still keeps it out of a `problems` plan's mailbox.
 */
export const decideOptionsFor = (policy: Policy, othersTakeSuccess = false) => ({
  notifyOnSuccess: policy === 'always' || othersTakeSuccess,
});

/** Whether reminders and held flap news of the plan can reach anyone (the watchdog skips the others). */
export const mailsPerRun = (policy: Policy): boolean => policy === 'always' || policy === 'problems';

/** Does the digest list this plan? `off` plans are told nowhere but on the status page. */
export const inDigest = (policy: Policy): boolean => policy !== 'off';

/** Global list + the plan's extra recipients: each address once, compared without case. */
export function recipientsFor(s: NotifySettings, global: readonly string[], planId: number): string[] {
  return dedupe([...global, ...(s.plans.get(planId)?.recipients ?? [])]);
}
