// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the codec of the PLAN_POLICIES setting (issue #14), a part of the settings layer: it
// imports only domain/ and the shared manifest, so settings.ts can parse the setting without
// importing a stage (test/imports.test.ts). notify/policy.ts says what the parsed policies mean.
//
// In the module environment the per-plan part is one line (PLAN_POLICIES), because the systemd
// EnvironmentFile that carries it has no structure and treats quotes and backslashes as syntax,
// so JSON cannot travel there safely:
//   PLAN_POLICIES=2:problems:a@x.org;b@y.org,3:digest,5:default:owner@x.org
// entries by `,`, fields by `:`, addresses by `;` — none of them can occur in an address the
// module accepts (settings.py EMAIL_RE), so the format needs no escaping and round-trips exactly.
// The Python twin is imageroot/pypkg/backup_monitor/plan_policies.py; both run the vectors of
// test/fixtures/plan-policies.json.
import { isPolicy, type PlanNotify, type Policy } from './domain/policy.js';
import { readShared } from './shared.js';

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
