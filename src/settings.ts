// SPDX-License-Identifier: GPL-3.0-or-later
// The settings manifest (imageroot/pypkg/backup_monitor/settings.json) and the one parser per
// setting type. The Python actions validate with the same rules (backup_monitor/settings.py);
// test/settings-parity.test.ts runs both on one table of good and bad values.
import { parsePlanPolicies, planPoliciesFromList } from './plan-policies.js';
import { readShared } from './shared.js';

export type SettingType =
  | 'int'
  | 'bool'
  | 'enum'
  | 'text'
  | 'email'
  | 'emails'
  | 'url'
  | 'module_id'
  | 'timezone'
  | 'plan_policies';

/** Where a setting's value comes from on NS8 (drives the unit's `--env=` list and the docs). */
export type SettingSource =
  | 'action' // configure-module writes it to the module environment
  | 'environment' // an administrator may set it in the module environment by hand
  | 'ns8' // the NS8 core writes it to the module environment (TCP_PORT, MODULE_ID)
  | 'derived' // bin/write-service-env computes it at every start
  | 'fixed' // the unit sets it to its default
  | 'file' // only from the YAML file (--config) or a developer's environment
  | 'secret'; // configure-module keeps it in a state file (mode 600), bin/write-service-env passes it (issue #22)

export interface SettingSpec {
  name: string;
  env: string;
  yaml: string;
  /** Dotted path in `Config`; null: accepted and ignored. */
  config: string | null;
  source: SettingSource;
  type: SettingType;
  default: unknown;
  min?: number;
  max?: number;
  maxLength?: number;
  maxItems?: number;
  /** plan_policies: extra recipients per plan. */
  maxRecipients?: number;
  /** A key of the manifest's `patterns`. */
  pattern?: string;
  values?: string[];
  aliases?: Record<string, string>;
  ignoreCase?: boolean;
  optional?: boolean;
  emptyIsNull?: boolean;
  secret?: boolean;
  ui?: 'duration';
  example?: unknown;
  defaultText?: string;
  description: string;
  docs?: string;
}

export interface Manifest {
  patterns: Record<string, string>;
  settings: SettingSpec[];
}

export const MANIFEST: Manifest = readShared<Manifest>('settings.json');
export const SETTINGS: readonly SettingSpec[] = MANIFEST.settings;
/** The fields of configure-module / get-configuration, in manifest order. */
export const ACTION_SETTINGS: readonly SettingSpec[] = SETTINGS.filter((s) => s.source === 'action');

const EMAIL = new RegExp(MANIFEST.patterns.email!);
const show = (v: unknown) => JSON.stringify(v);
const fail = (name: string, msg: string): never => {
  throw new Error(`${name}: ${msg}`);
};
/** Length as the JSON schema (gojsonschema) and Python count it: code points, not UTF-16 units. */
export const codePoints = (s: string): number => [...s].length;
const CONTROL = /[\x00-\x1f\x7f]/;
/** Words of a refused pattern; never the value: a secret's may be the rejected one (issue #22). */
const PATTERN_PROBLEMS: Record<string, string> = {
  http_url: 'must be an http:// or https:// address without spaces, quotes, `, $ or backslashes',
  plan_ids: 'must be plan ids separated by commas, such as 2,5',
  telegram_chat: 'must be a Telegram chat id: a number such as -1001234567890, or @channelname',
};

/**
 * plan_escalation / plan_max_run_duration past their pattern (issue #24, hostile round H8): a plan
 * listed twice (the last entry would win silently), or a plan escalating later than
 * escalation_after may for every plan. backup_monitor/settings.py _check_plan_entries says the same.
 */
function planEntriesProblem(text: string): string | null {
  const seen = new Set<string>();
  const maxEscalation = MANIFEST.settings.find((x) => x.name === 'escalation_after')!.max!;
  for (const entry of text.split(',').filter(Boolean)) {
    const [planId, ...numbers] = entry.split(':');
    if (seen.has(planId!)) return `plan ${planId} is listed twice`;
    seen.add(planId!);
    if (numbers.length === 2 && Number(numbers[1]) > maxEscalation)
      return `plan ${planId}: the escalation time must be at most ${maxEscalation} seconds`;
  }
  return null;
}

export function isEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL.test(value);
}

/** An email as both sides accept it: control characters refused, surrounding spaces ignored. */
function emailItem(raw: unknown): string | null {
  if (typeof raw !== 'string' || CONTROL.test(raw)) return null;
  const s = raw.trim();
  return isEmail(s) ? s : null;
}

/**
 * Parse one raw value (a typed value from the YAML file, or the text of an environment variable)
 * of setting `s`; `label` names where it came from in the error. Throws `<label>: <problem>`.
 */
export function parseSetting(s: SettingSpec, raw: unknown, label: string = s.env): unknown {
  switch (s.type) {
    case 'int': {
      const min = s.min!;
      const max = s.max!;
      const n =
        typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < min || n > max)
        fail(label, `must be a whole number from ${min} to ${max}, got ${show(raw)}`);
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const t = typeof raw === 'string' ? raw.trim().toLowerCase() : null;
      if (t !== null && ['1', 'true', 'yes', 'on'].includes(t)) return true;
      if (t !== null && ['0', 'false', 'no', 'off', ''].includes(t)) return false;
      return fail(label, `must be one of 1, 0, true, false, got ${show(raw)}`);
    }
    case 'enum': {
      if (typeof raw !== 'string') fail(label, `must be one of ${s.values!.join(', ')}, got ${show(raw)}`);
      let t = raw as string;
      if (s.ignoreCase) t = t.trim().toLowerCase();
      t = s.aliases?.[t] ?? t;
      if (!s.values!.includes(t)) fail(label, `must be one of ${s.values!.join(', ')}, got ${show(raw)}`);
      return t;
    }
    case 'text': {
      if (raw !== null && raw !== undefined && typeof raw !== 'string') fail(label, `must be text, got ${show(raw)}`);
      const t = String(raw ?? '');
      const max = s.maxLength!;
      if (codePoints(t) > max || /[\r\n]/.test(t)) fail(label, `must be a single line of at most ${max} characters`);
      if (s.pattern && !new RegExp(MANIFEST.patterns[s.pattern]!).test(t)) {
        fail(
          label,
          s.pattern === 'time_hhmm'
            ? `must be a time as HH:MM from 00:00 to 23:59, got ${show(t)}`
            : (PATTERN_PROBLEMS[s.pattern] ??
                'must not contain quotes, `, $, backslashes or control characters, nor start or end with a space'),
        );
      }
      const problem = s.pattern === 'plan_rules' || s.pattern === 'plan_seconds' ? planEntriesProblem(t) : null;
      if (problem) fail(label, problem);
      return t;
    }
    case 'email': {
      if (raw === '' || raw === null || raw === undefined) return '';
      const e = emailItem(raw);
      if (e === null || e === '')
        fail(label, `must be an email address, got ${show(typeof raw === 'string' ? raw.trim() : raw)}`);
      return e;
    }
    case 'emails': {
      // Environment text: comma-joined (configure-module); a YAML list: one address per item.
      const list: unknown[] = Array.isArray(raw)
        ? raw
        : String(raw ?? '')
            .split(/[,;\s]+/)
            .filter(Boolean);
      const out: string[] = [];
      for (const item of list) {
        const e = emailItem(item);
        if (e === null)
          fail(
            label,
            `must be a list of email addresses, ${show(typeof item === 'string' ? item.trim() : item)} is not one`,
          );
        else if (out.includes(e)) fail(label, `lists ${show(e)} twice`);
        else out.push(e);
      }
      if (s.maxItems !== undefined && out.length > s.maxItems) fail(label, `must list at most ${s.maxItems} addresses`);
      return out;
    }
    case 'url': {
      const t = String(raw).trim();
      if (s.optional && t === '') return '';
      try {
        const u = new URL(t);
        if (!/^(https?|redis|rediss):$/.test(u.protocol)) throw new Error();
      } catch {
        fail(label, `must be an http(s):// or redis:// URL, got ${show(t)}`);
      }
      return t;
    }
    case 'module_id': {
      const t = String(raw).trim();
      if (!/^[a-z][a-z0-9-]*\d+$/.test(t))
        fail(label, `must be an NS8 module id such as backup-monitor1, got ${show(t)}`);
      return t;
    }
    case 'plan_policies': {
      // Issue #14: environment text `2:always:a@x.org;b@y.org,3:digest` (notify/policy.ts), or the
      // action's list of {plan_id, policy, mail_to} (YAML file, manifest default).
      const r = Array.isArray(raw)
        ? planPoliciesFromList(raw)
        : typeof raw === 'string'
          ? parsePlanPolicies(raw)
          : fail(label, `must be text, got ${show(raw)}`);
      if ('problems' in r) {
        return fail(
          label,
          r.problems
            .map(
              (p) => `${p.planId === null ? '' : `plan ${p.planId}: `}${p.error.replace(/_/g, ' ')} ${show(p.value)}`,
            )
            .join('; '),
        );
      }
      if (s.maxItems !== undefined && r.plans.size > s.maxItems) fail(label, `must have at most ${s.maxItems} plans`);
      return r.plans;
    }
    case 'timezone': {
      const t = String(raw).trim();
      if (s.optional && t === '') return '';
      try {
        new Intl.DateTimeFormat('en', { timeZone: t });
      } catch {
        fail(label, `must be an IANA time zone such as Europe/Rome, got ${show(t)}`);
      }
      return t;
    }
  }
}
