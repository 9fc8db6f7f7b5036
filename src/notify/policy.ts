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
// In the module environment the per-plan part is one line (PLAN_POLICIES), because the systemd
// EnvironmentFile that carries it has no structure and treats quotes and backslashes as syntax,
// so JSON cannot travel there safely:
//   PLAN_POLICIES=2:problems:a@x.org;b@y.org,3:digest,5:default:owner@x.org
// entries by `,`, fields by `:`, addresses by `;` — none of them can occur in an address the
// module accepts (settings.py EMAIL_RE), so the format needs no escaping and round-trips exactly.
import { isPolicy, type NotifySettings, type PlanNotify, type Policy } from '../domain/policy.js';
import type { NotifyReason } from '../domain/records.js';
import { readShared } from '../shared.js';

/** Limits for what comes from the environment: bounded sizes for anything from outside. */
export const LIMITS = { plans: 500, recipientsPerPlan: 20, chars: 32_000 } as const;

// The manifest's rule (settings.json `patterns.email`, as config.ts and settings.py): no quotes,
// spaces, separators or shell-special characters.
const EMAIL = new RegExp(readShared<{ patterns: { email: string } }>('settings.json').patterns.email);
export const isEmail = (s: string): boolean => s.length <= 254 && EMAIL.test(s);

/** One problem of a PLAN_POLICIES value, named like configure-module's field errors. */
export interface PolicyProblem {
  planId: number | null;
  error:
    | 'bad_entry'
    | 'bad_plan_id'
    | 'unknown_policy'
    | 'invalid_email'
    | 'duplicate_plan'
    | 'too_long'
    | 'too_many_recipients';
  value: string;
}

export type ParsedPlanPolicies = { plans: Map<number, PlanNotify> } | { problems: PolicyProblem[] };

/** What one entry says before it is checked: plan id and policy as written (`` = default). */
interface EntryFields {
  id: string;
  policy: string;
  addresses: string[];
}

/**
 * PLAN_POLICIES text -> map, or every problem found (never a partial result). The actions'
 * plan_policies.py parse() follows the same rules, on the cases of test/fixtures/plan-policies.json.
 */
export function parsePlanPolicies(raw: string): ParsedPlanPolicies {
  const text = raw.trim();
  if (text.length > LIMITS.chars)
    return { problems: [{ planId: null, error: 'too_long', value: `${text.length} characters` }] };
  if (text === '') return { plans: new Map() };
  return checkEntries(text.split(','), (entry) => {
    const [id = '', policy = '', addresses = '', ...extra] = entry.trim().split(':');
    if (extra.length || !entry.includes(':')) return { planId: null, error: 'bad_entry', value: entry };
    return {
      id,
      policy,
      addresses: addresses
        .split(';')
        .map((a) => a.trim())
        .filter(Boolean),
    };
  });
}

/**
 * The action's list of {plan_id, policy, mail_to} (the YAML file, the manifest default) -> the same
 * map, by the same checks: no text in between, so an address cannot smuggle a separator in.
 */
export function planPoliciesFromList(list: readonly unknown[]): ParsedPlanPolicies {
  return checkEntries(list, (item) => {
    const o = (item ?? {}) as { plan_id?: unknown; policy?: unknown; mail_to?: unknown };
    if (typeof item !== 'object' || !Number.isInteger(o.plan_id))
      return { planId: null, error: 'bad_plan_id', value: JSON.stringify(item) ?? String(item) };
    const policy =
      o.policy === undefined
        ? 'default'
        : typeof o.policy === 'string' && o.policy
          ? o.policy
          : JSON.stringify(o.policy);
    const to = o.mail_to === undefined ? [] : Array.isArray(o.mail_to) ? o.mail_to : [o.mail_to];
    // Surrounding spaces are ignored, control characters kept so that the address is refused.
    const addresses = to.map((a) => (typeof a !== 'string' ? JSON.stringify(a) : CONTROL.test(a) ? a : a.trim()));
    return { id: String(o.plan_id), policy, addresses };
  });
}
const CONTROL = /[\x00-\x1f\x7f]/;

/** Each entry, in order, read by `fieldsOf` and checked; every problem is kept, in entry order. */
function checkEntries<T>(
  entries: readonly T[],
  fieldsOf: (entry: T) => EntryFields | PolicyProblem,
): ParsedPlanPolicies {
  if (entries.length > LIMITS.plans)
    return { problems: [{ planId: null, error: 'too_long', value: `${entries.length} plans` }] };
  const problems: PolicyProblem[] = [];
  const plans = new Map<number, PlanNotify>();
  const seen = new Set<number>();
  for (const entry of entries) {
    const f = fieldsOf(entry);
    if ('error' in f) {
      problems.push(f);
      continue;
    }
    if (!/^[1-9][0-9]{0,8}$/.test(f.id)) {
      problems.push({ planId: null, error: 'bad_plan_id', value: f.id });
      continue;
    }
    const planId = Number(f.id);
    if (seen.has(planId)) {
      problems.push({ planId, error: 'duplicate_plan', value: f.id });
      continue;
    }
    seen.add(planId);
    let policy: Policy | null = null;
    if (f.policy !== '' && f.policy !== 'default') {
      if (isPolicy(f.policy)) policy = f.policy;
      else problems.push({ planId, error: 'unknown_policy', value: f.policy });
    }
    if (f.addresses.length > LIMITS.recipientsPerPlan)
      problems.push({ planId, error: 'too_many_recipients', value: String(f.addresses.length) });
    for (const a of f.addresses) if (!isEmail(a)) problems.push({ planId, error: 'invalid_email', value: a });
    // An entry that says nothing (`2:default`) is the same as no entry: left out.
    if (policy !== null || f.addresses.length) plans.set(planId, { policy, recipients: dedupe(f.addresses) });
  }
  return problems.length ? { problems } : { plans };
}

/** The inverse of parsePlanPolicies, sorted by plan id; entries that say nothing are left out. */
export function formatPlanPolicies(plans: ReadonlyMap<number, PlanNotify>): string {
  return [...plans]
    .filter(([, p]) => p.policy !== null || p.recipients.length > 0)
    .sort(([a], [b]) => a - b)
    .map(([id, p]) => `${id}:${p.policy ?? 'default'}${p.recipients.length ? `:${p.recipients.join(';')}` : ''}`)
    .join(',');
}

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

/** decide.ts options for a policy: only `always` wants plain successes. */
export const decideOptionsFor = (policy: Policy) => ({ notifyOnSuccess: policy === 'always' });

/** Whether reminders and held flap news of the plan can reach anyone (the watchdog skips the others). */
export const mailsPerRun = (policy: Policy): boolean => policy === 'always' || policy === 'problems';

/** Does the digest list this plan? `off` plans are told nowhere but on the status page. */
export const inDigest = (policy: Policy): boolean => policy !== 'off';

/** Global list + the plan's extra recipients: each address once, compared without case. */
export function recipientsFor(s: NotifySettings, global: readonly string[], planId: number): string[] {
  return dedupe([...global, ...(s.plans.get(planId)?.recipients ?? [])]);
}

/**
 * What makes two addresses the same mailbox, for every duplicate check (issue #25 item 11):
 * surrounding spaces ignored, case ignored on the whole address. Domains are case-insensitive and
 * the mail systems we deliver to fold the local part too, so `Ops@x.org` and `ops@x.org` are one
 * reader who must get one mail. Same rule as plan_policies.py mailbox(), on one shared test table.
 */
export const mailbox = (address: string): string => address.trim().toLowerCase();

/** Each mailbox once, its first spelling kept (trimmed); empty items dropped. */
export function dedupe(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of addresses) {
    const key = mailbox(a);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(a.trim());
  }
  return out;
}
